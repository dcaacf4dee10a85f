"""JSON stored compressed: versions' Documents and changes' diffs.

A Document's JSON is mostly its own body text plus the same twenty keys every time;
zlib seeded with those keys and the site's usual wording (storage/bodydict.py, codec
byte 0x01 "doc1") keeps a version in about a third of its JSON. A later version of
the same document may instead be stored against an earlier one stored alone, its
base (codec byte 0x04 "zbase1": zstd with the base's JSON text as its prefix; before,
0x02 "base1": zlib with doc1's dictionary followed by the base's JSON text, of which
zlib sees only the last 32 KB), so a version edited by one sentence costs about the
sentence however long its page; a diff may be stored so against the JSON text of
its version. Which are stored so is
decided in storage/keyframes.py. Once an archive holds enough versions it trains a
zstd dictionary of its own wording (storage/trained.py); versions stored alone are then
packed with it (codec byte 0x03 "trained1": the dictionary's 4-byte id, then a zstd
frame), in about a quarter of doc1's bytes on the generated site. A dictionary is
read from the database the first time a value needs it and kept for the process.

On SQLite the column holds the compressed bytes. Every SELECT of the column reads it
through the SQL function mofa_content(data, base) (registered on every connection),
the base found by a correlated subquery on the column named by `PackedJSON(base=...)`;
`content_json` does the same for JSON paths in SQL. A version's base is always
stored alone, so a version reads in two decompressions at most, a diff in three.
PostgreSQL keeps JSON text, which it compresses itself in rows over about 2 KB
(TOAST; lz4 from 0008); changes' diffs, which no SQL reads into, are packed there too.
NEVER change the dictionary of a released codec: add a codec byte instead.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import zlib
from typing import Any

from backports import zstd
from sqlalchemy import (
    JSON,
    LargeBinary,
    Table,
    TypeDecorator,
    column,
    select,
    table,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Alias, TableClause
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from storage import bodydict, zstd_dicts

SQL_FUNCTION = "mofa_content"
_DOC1 = b"\x01"  # the first byte of a packed value: its codec
BASE1 = b"\x02"  # zlib with doc1's dictionary and then the base's JSON text
TRAINED1 = b"\x03"  # zstd with a trained dictionary (storage/zstd_dicts.py)
ZBASE1 = b"\x04"  # zstd with the base's JSON text as its prefix
_AGAINST_BASE = (BASE1, ZBASE1)
_ZSTD_LEVEL = 9  # level 19 saves 2% more for 14 times the time
_WINDOW = 32 * 1024  # zlib reads no more of a dictionary than its window
# Keys and values every Document repeats, last the commonest (shortest references).
_DOC1_KEYS = (
    '"japanese_url":null,"english_url":"https://www.mofa.go.jp/mofaj/","exchanges":[]'
    ',"participants":[{"name":"","role":"","side":"counterpart"},{"side":"japan"}]'
    ',"meeting":{"format":"meeting","started_at_local":"","started_at_jst":null,'
    '"duration_minutes":null,"location":null,"counterpart_country":""},"meeting":null'
    ',"captions":[],"topics":[],"provisional_translation":false,"placeholder":false'
    ',"section":"","kind":"press_release","kind":"page","language":"en","date":"20'
    ',"doc_id":"","title":"","body":["","url":"https://www.mofa.go.jp/press/release/'
)


@functools.cache
def _doc1_dictionary() -> bytes:
    return bodydict.mofa1()[-20_000:] + _DOC1_KEYS.encode()


def _base1_dictionary(base_text: str) -> bytes:
    return (_doc1_dictionary() + base_text.encode())[-_WINDOW:]


def _json_text(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _deflate(text: bytes, dictionary: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=dictionary)
    return compressor.compress(text) + compressor.flush()


def _inflate(data: bytes, dictionary: bytes) -> str:
    decompressor = zlib.decompressobj(-15, zdict=dictionary)
    return (decompressor.decompress(data) + decompressor.flush()).decode()


def pack_trained(value: Any, key: int) -> Packed:
    """The value's JSON compressed alone with the registered dictionary `key`."""
    frame = zstd.compress(
        _json_text(value),
        options=zstd_dicts.options(_ZSTD_LEVEL),
        zstd_dict=_digested(key).as_digested_dict,
    )
    return Packed(TRAINED1 + zstd_dicts.name(key) + frame)


def _unpack_trained(data: bytes) -> str:
    dictionary = _digested(zstd_dicts.named(data, 1))
    frame = data[1 + zstd_dicts.ID_BYTES :]
    return zstd.decompress(frame, zstd_dict=dictionary.as_digested_dict).decode()


@functools.lru_cache(maxsize=8)
def _digested(key: int) -> zstd.ZstdDict:
    """A registered dictionary ready to use (its id is its content's)."""
    return zstd.ZstdDict(zstd_dicts.content(key))


class Packed(bytes):
    """A value already packed (by `pack` or `pack_against`), bound as it is."""


def pack(value: Any) -> Packed:
    """The value's JSON (key order kept), compressed alone with the doc1 dictionary."""
    return Packed(_DOC1 + _deflate(_json_text(value), _doc1_dictionary()))


def pack_against(value: Any, base: bytes | memoryview | str) -> Packed:
    """The value's JSON compressed against `base`, the stored form of a value packed
    alone; reading it back needs that base (`unpack_text(data, base)`). zlib
    (base1) is the shorter against a short base, zstd (zbase1), which sees the
    whole base, against a long one: the shorter of the two."""
    text, base_text = _json_text(value), _alone_text(base).encode()
    candidates = []
    if len(base_text) >= zstd_dicts.MIN_PREFIX:
        prefix = zstd.ZstdDict(base_text, is_raw=True)
        options = zstd_dicts.options(_ZSTD_LEVEL)
        candidates.append(
            ZBASE1 + zstd.compress(text, options=options, zstd_dict=prefix)
        )
    if len(base_text) <= _WINDOW:
        tail = _base1_dictionary(base_text.decode())
        candidates.append(BASE1 + _deflate(text, tail))
    return Packed(min(candidates, key=len))


def is_alone(data: bytes | memoryview | str) -> bool:
    """Whether a stored value reads without a base."""
    return isinstance(data, str) or bytes(data[:1]) not in _AGAINST_BASE


def _alone_text(data: bytes | memoryview | str) -> str:
    if isinstance(data, str):
        return data
    data = bytes(data)
    if data[:1] in _AGAINST_BASE:
        raise ValueError("a value stored against a base cannot be a base")
    if data[:1] == TRAINED1:
        return _unpack_trained(data)
    if data[:1] != _DOC1:
        return data.decode()  # JSON text stored before packing
    return _inflate(data[1:], _doc1_dictionary())


def unpack_text(
    data: bytes | memoryview | str, base: bytes | memoryview | str | None = None
) -> str:
    """The JSON text of a packed value; JSON text stored before packing as it is.
    A value stored against a base needs the stored form of that base."""
    if isinstance(data, str) or is_alone(data):
        return _alone_text(data)
    if base is None:
        raise ValueError("a value stored against a base needs its base to be read")
    data, text = bytes(data), _alone_text(base)
    if data[:1] == ZBASE1:
        prefix = zstd.ZstdDict(text.encode(), is_raw=True)
        return zstd.decompress(data[1:], zstd_dict=prefix).decode()
    return _inflate(data[1:], _base1_dictionary(text))


def unpack(
    data: bytes | memoryview | str, base: bytes | memoryview | str | None = None
) -> Any:
    return json.loads(unpack_text(data, base))


def _sql_unpack(
    data: bytes | str | None, base: bytes | str | None = None
) -> str | None:
    return None if data is None else unpack_text(data, base)


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Give this SQLite connection mofa_content(packed[, base]) -> JSON text (the
    one-argument form is what the text index's triggers before 0011 call)."""
    unpack_here = zstd_dicts.reading_dictionaries(connection, _sql_unpack)
    connection.create_function(SQL_FUNCTION, 1, unpack_here, deterministic=True)
    connection.create_function(SQL_FUNCTION, 2, unpack_here, deterministic=True)


class PackedJSON(TypeDecorator[Any]):
    """JSON in Python; compressed bytes in a SQLite column, and in a PostgreSQL one
    too when `everywhere` (for JSON that SQL never looks into, such as diffs).

    `base` names the column of the same table holding the id of the row whose value
    a value may be stored against (None: always alone); that value is the same
    column's, or the column named by `base_in` ("table.column") when given."""

    impl = JSON
    cache_ok = True

    def __init__(
        self,
        *,
        everywhere: bool = False,
        base: str | None = None,
        base_in: str | None = None,
    ) -> None:
        super().__init__()
        self.everywhere = everywhere
        self.base = base
        self.base_in = base_in

    def _packs(self, dialect: Dialect) -> bool:
        return self.everywhere or dialect.name == "sqlite"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if self._packs(dialect):
            return dialect.type_descriptor(LargeBinary())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not self._packs(dialect):
            return value
        return bytes(value) if isinstance(value, Packed) else pack(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not self._packs(dialect):
            return value
        return unpack(value)

    def column_expression(self, colexpr: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.base is None:
            return colexpr
        return _stored(colexpr, self)


class _stored(FunctionElement[Any]):
    """A selected PackedJSON column with a base: on SQLite its JSON text, read
    through mofa_content with the base's stored value; elsewhere the column."""

    inherit_cache = True
    name = "stored_json"

    def __init__(self, value: ColumnElement[Any], type_: PackedJSON) -> None:
        super().__init__(value)
        self.type = type_


class content_json(FunctionElement[Any]):
    """The JSON of a PackedJSON column, for JSON paths in SQL (title, meeting)."""

    type = JSON()
    inherit_cache = True
    name = "content_json"


@compiles(_stored)
@compiles(content_json)
def _content_json_plain(
    element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_stored, "sqlite")
@compiles(content_json, "sqlite")
def _content_json_sqlite(
    element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    (value,) = element.clauses.clauses
    arguments = [compiler.process(value, **kw)]
    base = _base_value(value)
    if base is not None:
        arguments.append(compiler.process(base, **kw))
    return f"{SQL_FUNCTION}({', '.join(arguments)})"


def _base_value(value: Any) -> ColumnElement[Any] | None:
    """The base of a PackedJSON column's row (a correlated subquery): the stored
    value of a row of the same column, which is always alone, or the JSON text of
    the other column's row; None when values of that column have no base."""
    kind = getattr(value, "type", None)
    parent = getattr(value, "table", None)
    if not isinstance(kind, PackedJSON) or kind.base is None or parent is None:
        return None
    if kind.base not in parent.c:
        return None
    base_id = parent.c[kind.base]
    while isinstance(parent, Alias):
        parent = parent.element
    if kind.base_in is None and isinstance(parent, TableClause):
        stored = table(parent.name, column("id"), column(value.name)).alias()
        found: ColumnElement[Any] = stored.c[value.name]
    elif kind.base_in is None or not isinstance(parent, Table):
        return None
    else:
        table_name, column_name = kind.base_in.split(".")
        stored = parent.metadata.tables[table_name].alias()
        found = content_json(stored.c[column_name])
    return (
        select(found)
        .where(stored.c.id == base_id)
        .correlate(value.table)
        .scalar_subquery()
    )
