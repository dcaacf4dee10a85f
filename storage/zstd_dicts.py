"""The zstd dictionaries an archive has trained (storage/trained.py), as this process
knows them: each is named by 31 bits of its SHA-256, the same in every database and
process, and read from the database's content_dictionaries the first time a stored
value names it (storage/packed.py for versions, storage/bodies.py for pages)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from backports import zstd
from sqlalchemy import text
from sqlalchemy.orm import Session

TABLE = "content_dictionaries"
ID_BYTES = 4  # how a stored value names its dictionary, before its zstd frame
MIN_PREFIX = 8  # zstd takes no shorter prefix (a base to store a delta against)
_SELECT = f"SELECT data FROM {TABLE} WHERE id = ?"
_SELECT_BOUND = text(f"SELECT data FROM {TABLE} WHERE id = :id")
_P = ParamSpec("_P")
_R = TypeVar("_R")
_known: dict[int, bytes] = {}


class UnknownDictionary(LookupError):
    """A value packed with a trained dictionary this process has not read yet."""

    def __init__(self, dictionary_id: int) -> None:
        super().__init__(f"trained dictionary {dictionary_id} is not loaded")
        self.dictionary_id = dictionary_id


def dictionary_id(data: bytes) -> int:
    digest = hashlib.sha256(data).digest()
    return int.from_bytes(digest[:ID_BYTES], "big") & 0x7FFF_FFFF


def register(data: bytes) -> int:
    """Make a trained dictionary known to this process; return its id."""
    key = dictionary_id(data)
    _known.setdefault(key, data)
    return key


def is_registered(key: int) -> bool:
    return key in _known


def content(key: int) -> bytes:
    """The bytes of a registered dictionary (UnknownDictionary: not read yet)."""
    found = _known.get(key)
    if found is None:
        raise UnknownDictionary(key)
    return found


def named(data: bytes, offset: int = 0) -> int:
    """The id a stored value names at `offset`."""
    return int.from_bytes(data[offset : offset + ID_BYTES], "big")


def name(key: int) -> bytes:
    return key.to_bytes(ID_BYTES, "big")


def options(level: int) -> dict[int, int]:
    """zstd's parameters for a frame whose dictionary the stored value names: the
    rest of the frame's header would repeat what the database already knows."""
    return {
        zstd.CompressionParameter.compression_level: level,
        zstd.CompressionParameter.content_size_flag: 0,
        zstd.CompressionParameter.dict_id_flag: 0,
        zstd.CompressionParameter.checksum_flag: 0,
    }


def read_from(fetch: Callable[[int], Any], key: int) -> None:
    """Register dictionary `key` from a database, `fetch(key)` giving its data or
    None (a value naming one the database does not hold is damaged)."""
    data = fetch(key)
    if data is None or dictionary_id(bytes(data)) != key:
        raise UnknownDictionary(key)
    register(bytes(data))


def reading_with(session: Session, function: Callable[[], _R]) -> _R:
    """function() with the dictionaries it needs read through this session."""

    def fetch(key: int) -> Any:
        return session.execute(_SELECT_BOUND, {"id": key}).scalar()

    try:
        return function()
    except UnknownDictionary as missing:
        read_from(fetch, missing.dictionary_id)
        return function()


def reading_dictionaries(
    connection: sqlite3.Connection, function: Callable[_P, _R]
) -> Callable[_P, _R]:
    """`function` for a SQL function of this connection: a value packed with a
    trained dictionary not read yet has it read from this database, then again."""

    def fetch(key: int) -> Any:
        row = connection.execute(_SELECT, (key,)).fetchone()
        return None if row is None else row[0]

    def read(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except UnknownDictionary as missing:
            read_from(fetch, missing.dictionary_id)
            return function(*args, **kwargs)

    return read
