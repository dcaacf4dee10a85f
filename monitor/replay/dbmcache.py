"""Scrapy's DbmCacheStorage: one DBM file per spider (`<spider>.db`), read with the
standard library's `dbm`.

Each request fingerprint has two entries: `<fp>_time` (the store time, seconds as
text) and `<fp>_data` (a pickled dict: url, status, headers, body, and in newer
Scrapy flags, protocol, ip_address). Unpickling admits only plain data and the
`ipaddress` classes, so a cache can never run code.
"""

from __future__ import annotations

import dbm
import gzip
import importlib
import io
import logging
import pickle
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.replay.capture import (
    BodyRef,
    Capture,
    Ignored,
    Item,
    Problem,
    SourceKind,
    is_page_response,
)

logger = logging.getLogger(__name__)

# How dbm names a database on disk: the file itself (gnu, Berkeley) or these parts.
_PART_SUFFIXES = (".dat", ".dir", ".pag", ".bak")
_ALLOWED_CLASSES = frozenset(
    {("ipaddress", "IPv4Address"), ("ipaddress", "IPv6Address")}
)
_ERRORS = (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError)


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def dbm_name(path: Path) -> Path | None:
    """The database a file belongs to when it is part of a Scrapy DBM cache."""
    name = path.name
    for suffix in _PART_SUFFIXES:
        if name.endswith(".db" + suffix):
            return path.with_name(name[: -len(suffix)])
    return path if name.endswith(".db") else None


def dbm_files(root: Path) -> list[Path]:
    """The DBM databases under `root`, each once, in name order."""
    found = {db for p in root.rglob("*.db*") if (db := dbm_name(p)) is not None}
    return sorted(db for db in found if dbm.whichdb(str(db)))


def _open(path: Path) -> Any:
    """The database read-only; ValueError names a format this Python cannot read."""
    kind = dbm.whichdb(str(path))
    if not kind:
        raise ValueError("not a DBM database")
    try:
        module = importlib.import_module(kind)
    except ImportError as exc:
        raise ValueError(
            f"written with {kind}, which this Python cannot read ({exc}); replay it "
            "where that module exists, or cache with FilesystemCacheStorage"
        ) from exc
    return module.open(str(path), "r")


def read_dbm_cache(path: Path) -> Iterator[Item]:
    """Every cached response of one DBM cache file, in fingerprint order."""
    try:
        db = _open(path)
    except (OSError, ValueError) as exc:
        yield Problem(str(path), None, f"unreadable DBM cache: {exc}")
        return
    try:
        # keys(): dbm.gnu databases cannot be iterated over.
        names = db.keys()
        keys = sorted(k.decode("latin-1")[:-5] for k in names if k.endswith(b"_time"))
        for key in keys:
            try:
                yield _entry(db, path, key)
            except _ERRORS as exc:
                yield Problem(f"{path}[{key}]", None, f"unreadable cache entry: {exc}")
    finally:
        db.close()


def _data(db: Any, key: str) -> dict[str, Any]:
    data = _DataUnpickler(io.BytesIO(db[f"{key}_data".encode()])).load()
    if not isinstance(data, dict) or "url" not in data:
        raise ValueError("cached response has no url")
    return data


def _headers(raw: object) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for name, values in dict(raw or {}).items():  # type: ignore[call-overload]
        for value in values if isinstance(values, list | tuple) else [values]:
            pairs.append((_text(name), _text(value)))
    return tuple(pairs)


def _text(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _body(data: dict[str, Any]) -> bytes:
    # The cache sits before decompression: a gzip-encoded answer is stored as sent.
    body = data.get("body") or b""
    if not isinstance(body, bytes):
        raise ValueError("cached body is not bytes")
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def _entry(db: Any, path: Path, key: str) -> Item:
    data = _data(db, key)
    when = datetime.fromtimestamp(float(db[f"{key}_time".encode()]), UTC)
    headers = _headers(data.get("headers"))
    body = _body(data)
    status = int(data.get("status", 200))
    if not is_page_response(status, headers, body):
        return Ignored(f"{path}[{key}]", "not a page")
    return Capture(
        url=str(data["url"]),
        fetched_at=when,
        status=status,
        body=body,
        headers=headers,
        origin=f"{path}[{key}]",
        body_ref=BodyRef(SourceKind.DBM, str(path), key=key),
    )


class DbmBodies:
    """Bodies of DBM cache entries read again, each database opened once."""

    def __init__(self) -> None:
        self._open: dict[str, Any] = {}

    def body(self, ref: BodyRef) -> bytes:
        db = self._open.get(ref.path)
        if db is None:
            db = self._open[ref.path] = _open(Path(ref.path))
        try:
            return _body(_data(db, ref.key))
        except _ERRORS as exc:
            raise ValueError(f"{ref.path}[{ref.key}]: {exc}") from exc

    def close(self) -> None:
        for db in self._open.values():
            db.close()
        self._open.clear()
