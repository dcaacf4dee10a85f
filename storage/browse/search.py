"""The text search over titles and bodies: the index migrations 0004, 0010, 0014 and
0018 keep.

The index holds which words a version has, not where (FTS5 detail=none on SQLite, a
GIN index of tsvectors on PostgreSQL), so a query is a set of words that must all be
there. They may be in different versions of a document: on SQLite a version stored
against its keyframe is indexed by what it adds to it (storage/searchtext.py), so
documents are found a word at a time, the same way on both databases.
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, Select, column, false, select, text
from sqlalchemy.orm import Session

from storage.models import PG_SEARCH_WORDS, Version

# Runs of letters and digits: the words FTS5's unicode61 tokenizer makes, so each is
# one bare token (a word it would split is a phrase, which detail=none refuses).
_WORD = re.compile(r"[^\W_]+")
# The versions having one word, its parameter named {name}.
_SQLITE = "SELECT rowid FROM version_search WHERE version_search MATCH :{name}"
_POSTGRES = (
    f"SELECT id FROM versions WHERE {PG_SEARCH_WORDS} @@ "
    "plainto_tsquery('simple', :{name})"
)


def matching_documents(session: Session, needle: str) -> Select[int]:
    """The ids of documents whose versions have, between them, every word of
    `needle` in their titles or bodies (a subquery; nothing when `needle` has no
    word)."""
    words = list(dict.fromkeys(word.lower() for word in _WORD.findall(needle)))
    if not words:
        return select(Version.document_id).where(false())
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Lower case: bare AND, OR, NOT are FTS5 operators; both indexes fold case.
    having = [_having(f"word{k}", word, sqlite) for k, word in enumerate(words)]
    found = having[0]
    for other in having[1:]:
        found = found.where(Version.document_id.in_(other))
    return found


def _having(name: str, word: str, sqlite: bool) -> Select[int]:
    """The ids of documents a version of which has `word` (bound as `name`)."""
    versions = text((_SQLITE if sqlite else _POSTGRES).format(name=name))
    versions = versions.bindparams(**{name: word})
    return (
        select(Version.document_id)
        .where(Version.id.in_(versions.columns(column("id", Integer))))
        .correlate(None)  # its own versions, not the enclosing query's
    )
