"""JSON stored compressed (codec "doc1"): versions' Documents and changes' diffs.

A Document's JSON is mostly its own body text plus the same twenty keys every time;
zlib seeded with those keys and the site's usual wording (storage/bodydict.py) keeps
a version in about a third of its JSON. On SQLite the column holds the compressed
bytes, and `content_json` (the SQL function mofa_content, registered on every
connection) gives queries and triggers the JSON text back. PostgreSQL keeps JSON
text, which it compresses itself in rows over about 2 KB (TOAST; lz4 from 0008);
changes' diffs, which no SQL reads into, are packed there too.
NEVER change the dictionary of a released codec: add a codec byte instead.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import zlib
from typing import Any

from sqlalchemy import JSON, LargeBinary, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from storage import bodydict

SQL_FUNCTION = "mofa_content"
_DOC1 = b"\x01"  # the first byte of a packed value: its codec
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


def pack(value: Any) -> bytes:
    """The value's JSON (key order kept), compressed with the doc1 dictionary."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=_doc1_dictionary())
    return _DOC1 + compressor.compress(text.encode()) + compressor.flush()


def unpack_text(data: bytes | memoryview | str) -> str:
    """The JSON text of a packed value; JSON text stored before packing as it is."""
    if isinstance(data, str):
        return data
    data = bytes(data)
    if data[:1] != _DOC1:
        return data.decode()
    decompressor = zlib.decompressobj(-15, zdict=_doc1_dictionary())
    return (decompressor.decompress(data[1:]) + decompressor.flush()).decode()


def unpack(data: bytes | memoryview | str) -> Any:
    return json.loads(unpack_text(data))


def _sql_unpack(data: bytes | str | None) -> str | None:
    return None if data is None else unpack_text(data)


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Give this SQLite connection mofa_content(packed) -> JSON text."""
    connection.create_function(SQL_FUNCTION, 1, _sql_unpack, deterministic=True)


class PackedJSON(TypeDecorator[Any]):
    """JSON in Python; compressed bytes in a SQLite column, and in a PostgreSQL one
    too when `everywhere` (for JSON that SQL never looks into, such as diffs)."""

    impl = JSON
    cache_ok = True

    def __init__(self, *, everywhere: bool = False) -> None:
        super().__init__()
        self.everywhere = everywhere

    def _packs(self, dialect: Dialect) -> bool:
        return self.everywhere or dialect.name == "sqlite"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if self._packs(dialect):
            return dialect.type_descriptor(LargeBinary())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not self._packs(dialect):
            return value
        return pack(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not self._packs(dialect):
            return value
        return unpack(value)


class content_json(FunctionElement[Any]):
    """The JSON of a PackedJSON column, for JSON paths in SQL (title, meeting)."""

    type = JSON()
    inherit_cache = True
    name = "content_json"


@compiles(content_json)
def _content_json_plain(element: content_json, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(content_json, "sqlite")
def _content_json_sqlite(
    element: content_json, compiler: SQLCompiler, **kw: Any
) -> str:
    return f"{SQL_FUNCTION}({compiler.process(element.clauses, **kw)})"
