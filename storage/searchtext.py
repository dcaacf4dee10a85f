"""What SQLite's text index keeps of each version (the FTS5 triggers of migration
0018), through the SQL function mofa_search_text(content, base content, field).

A version stored alone gives its title and every paragraph of its body. A version
stored against its document's keyframe (storage/keyframes.py) gives only what the
keyframe lacks: its title when that differs, and the paragraphs the keyframe's body
does not have. A one-sentence edit then adds one paragraph to the index, not the whole
page again; the search (storage/browse/search.py) finds such a document when its
versions have the words between them.

The function is deterministic, which the contentless index needs to take an entry
back with the values it was given: a keyframe's JSON changes only after the versions
stored against it are rebased (keyframes.rebase), and a rebase is an UPDATE of their
content, whose trigger takes back what the old base gave and indexes what the new
one gives.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from storage.packed import is_alone, unpack_text
from storage.zstd_dicts import reading_dictionaries

SQL_FUNCTION = "mofa_search_text"
TITLE = "title"


def _text(value: Any) -> str | None:
    """A field as the tokenizer should read it: text, a paragraph to a line."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_paragraph(item) for item in value)
    return _paragraph(value)


def _paragraph(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)


def indexed_text(
    document: Mapping[str, Any], keyframe: Mapping[str, Any] | None, field: str
) -> str | None:
    """The text of `field` the index keeps for a version holding `document`,
    stored alone (keyframe None) or against `keyframe`."""
    value = document.get(field)
    if keyframe is None:
        return _text(value)
    if field == TITLE:
        return None if value == keyframe.get(TITLE) else _text(value)
    known = {_paragraph(item) for item in keyframe.get(field) or []}
    return _text([item for item in value or [] if _paragraph(item) not in known])


def _sql_indexed_text(
    data: bytes | str | None, base: bytes | str | None, field: str
) -> str | None:
    if data is None:
        return None
    document, keyframe = _read(data, base)
    return indexed_text(document, keyframe, field)


@functools.lru_cache(maxsize=4)
def _read(
    data: bytes | str, base: bytes | str | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The version's Document and its keyframe's (None: stored alone), read once for
    the title and the body that a trigger asks for one after the other."""
    document = json.loads(unpack_text(data, base))
    if base is None or is_alone(data):
        return document, None
    return document, json.loads(unpack_text(base))


def register_sqlite_function(connection: sqlite3.Connection) -> None:
    """Give this SQLite connection mofa_search_text(content, base, field)."""
    indexed_here = reading_dictionaries(connection, _sql_indexed_text)
    connection.create_function(SQL_FUNCTION, 3, indexed_here, deterministic=True)
