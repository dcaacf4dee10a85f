"""The text index without word positions (migration 0010): every word of a query is
found however it is written, and 0010 converts an index of 0009 and back."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.browse.search import matching_documents
from storage.db import (
    downgrade_database,
    make_engine,
    opened_database,
    upgrade_database,
)
from tests.factories import make_document, make_version

BODY = [
    "Talks on snake_case rules AND the Japan-U.S. Alliance.",
    "外務大臣は会談した。",
]
# (query, found): words the tokenizer splits, operator words, Japanese, every word.
QUERIES = (
    ("snake_case", True),
    ("japan-u.s. alliance", True),
    ("rules AND talks", True),
    ('"the" OR "japan"', False),  # no "or" in the text: every word, as words
    ("外務大臣は会談した", True),
    ("snake_case numbat", False),
    ("NOT", False),
)


def _found(url: str, words: str) -> list[int]:
    """The documents the index finds for a search box's words."""
    with opened_database(url) as factory, factory() as session:
        return list(session.scalars(matching_documents(session, words)))


def _record(url: str) -> int:
    document = make_document(1, title="On a wombat", body=BODY)
    with opened_database(url) as factory, factory.begin() as session:
        recorded = make_version(session, document)
    return recorded.document_id


def _positions(url: str) -> bool:
    """Whether the index knows where its words stand (a phrase can be asked)."""
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            if url.startswith("sqlite"):
                phrase = "SELECT rowid FROM version_search WHERE version_search MATCH "
                try:
                    return list(db.execute(text(phrase + "'\"a wombat\"'"))) != []
                except OperationalError as exc:
                    if "phrase queries are not supported" not in str(exc):
                        raise
                    return False
            if not db.execute(text("SELECT to_regclass('version_search')")).scalar():
                return False  # 0014: a GIN index of tsvectors keeps words only
            lengths = "SELECT words::text FROM version_search"
            return all(":" in words for words in db.execute(text(lengths)).scalars())
    finally:
        engine.dispose()


def test_every_word_is_found_however_it_is_written(db_url):
    upgrade_database(db_url)
    document = _record(db_url)
    for query, found in QUERIES:
        assert _found(db_url, query) == ([document] if found else []), query
    assert not _positions(db_url)


def test_0010_drops_the_positions_of_an_index_of_0009_and_back(db_url):
    upgrade_database(db_url)
    document = _record(db_url)  # written by this code; 0009 indexes it anew
    downgrade_database(db_url, "0009")
    assert _positions(db_url)
    upgrade_database(db_url)
    assert not _positions(db_url)
    assert _found(db_url, "wombat alliance") == [document]
    downgrade_database(db_url, "0009")
    assert _positions(db_url)
    upgrade_database(db_url)
    assert _found(db_url, "snake_case 外務大臣は会談した") == [document]
