"""The text search over titles and bodies: the index migrations 0004, 0010 and 0014
keep.

The index holds which words a version has, not where (FTS5 detail=none on SQLite, a
GIN index of tsvectors on PostgreSQL), so a query is a set of words that must all be
there.
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, Select, column, false, select, text
from sqlalchemy.orm import Session

from storage.models import PG_SEARCH_WORDS, Version

# Runs of letters and digits: the words FTS5's unicode61 tokenizer makes, so each is
# one bare token (a word it would split is a phrase, which detail=none refuses).
_WORD = re.compile(r"[^\W_]+")
_SQLITE = text("SELECT rowid FROM version_search WHERE version_search MATCH :words")
_POSTGRES = text(
    "SELECT id FROM versions "
    f"WHERE {PG_SEARCH_WORDS} @@ plainto_tsquery('simple', :words)"
)


def matching_documents(session: Session, needle: str) -> Select[int]:
    """The ids of documents any version of which has every word of `needle` in its
    title or body (a subquery; nothing when `needle` has no word)."""
    words = _WORD.findall(needle)
    found = select(Version.document_id)
    if not words:
        return found.where(false())
    if session.get_bind().dialect.name == "sqlite":
        # Lower case: bare AND, OR, NOT are FTS5 operators; the index folds case.
        query = " ".join(word.lower() for word in words)
        versions = _SQLITE.bindparams(words=query)
    else:
        versions = _POSTGRES.bindparams(words=" ".join(words))
    return found.where(Version.id.in_(versions.columns(column("id", Integer))))
