"""The text search over titles and bodies: the index migrations 0004, 0010, 0014 and
0018 keep.

The index holds which words a version has, not where (FTS5 detail=none on SQLite, a
GIN index of tsvectors on PostgreSQL), so a query is a set of words that must all be
there. A document is found when one of its versions has every word, which the index
answers for all the words at once. On SQLite a version stored against its keyframe
is indexed by what it adds to the keyframe (storage/searchtext.py), so the documents
that have such a version, a few named by a partial index
(storage.models.STORED_AGAINST_BASE), are also found when their versions have the
words between them: an edit's new sentence with the unchanged paragraphs its
keyframe holds. PostgreSQL indexes every version whole and stores none so.
"""

from __future__ import annotations

import re

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    column,
    exists,
    false,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import TextualSelect

from storage.models import PG_SEARCH_WORDS, Version

# Runs of letters and digits: the words FTS5's unicode61 tokenizer makes, so each is
# one bare token (a word it would split is a phrase, which detail=none refuses).
_WORD = re.compile(r"[^\W_]+")
_SQLITE = text("SELECT rowid FROM version_search WHERE version_search MATCH :words")
_POSTGRES = text(
    "SELECT id FROM versions "
    f"WHERE {PG_SEARCH_WORDS} @@ plainto_tsquery('simple', :words)"
)
# Whether the entry of one version (a column, {version}) has one word (:{name}):
# FTS5 seeks the rowid instead of reading every version that has the word.
_HAS_WORD = (
    "EXISTS (SELECT 1 FROM version_search WHERE version_search MATCH :{name} "
    "AND version_search.rowid = {version})"
)


def matching_documents(
    session: Session, needle: str
) -> Select[int] | CompoundSelect[int]:
    """The ids of documents having every word of `needle` in the title or body of
    one version, or on SQLite of their versions between them (a subquery; nothing
    when `needle` has no word)."""
    words = list(dict.fromkeys(word.lower() for word in _WORD.findall(needle)))
    if not words:
        return select(Version.document_id).where(false())
    whole = select(Version.document_id).where(
        Version.id.in_(indexed_versions(session, words))
    )
    if session.get_bind().dialect.name != "sqlite":
        return whole.distinct()
    return whole.union(_between_versions(words))


def indexed_versions(session: Session, words: list[str]) -> TextualSelect:
    """The ids of versions whose own entry in the index has every one of `words`
    (lower case runs of letters and digits, as matching_documents makes them)."""
    # Lower case: bare AND, OR, NOT are FTS5 operators; both indexes fold case.
    sqlite = session.get_bind().dialect.name == "sqlite"
    versions = (_SQLITE if sqlite else _POSTGRES).bindparams(words=" ".join(words))
    return versions.columns(column("id", Integer))


def _between_versions(words: list[str]) -> Select[int]:
    """The documents with a version stored against their keyframe whose versions
    have every word between them."""
    # The condition of their partial index, STORED_AGAINST_BASE.
    edited = select(Version.document_id).where(Version.base_version_id.is_not(None))
    for k, word in enumerate(words):
        other = aliased(Version, name=f"version{k}")
        has = text(_HAS_WORD.format(name=f"word{k}", version=f"version{k}.id"))
        has = has.bindparams(**{f"word{k}": word})
        edited = edited.where(
            exists()
            .select_from(other)
            .where(other.document_id == Version.document_id, has)
        )
    return edited
