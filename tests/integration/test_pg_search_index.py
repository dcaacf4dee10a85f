"""PostgreSQL's text index on the versions themselves (migration 0014): no table of
stored words, the search's query reads the GIN index, every version is found by its
words as they are now, and 0014 rebuilds the older table going down and drops it
going up."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from storage.browse.search import matching_documents
from storage.db import (
    downgrade_database,
    make_engine,
    opened_database,
    upgrade_database,
)
from storage.models import SEARCH_INDEX, Version
from tests.factories import make_document, make_version

pytestmark = pytest.mark.postgres


def _record(url: str) -> tuple[int, int]:
    """Two documents: a wombat and a numbat."""
    with opened_database(url) as factory, factory.begin() as session:
        first = make_version(session, make_document(1, title="On a wombat"))
        second = make_version(
            session, make_document(2, title="Talks", body=["A numbat was seen."])
        )
    return first.document_id, second.document_id


def _found(url: str, words: str) -> list[int]:
    with opened_database(url) as factory, factory() as session:
        return sorted(session.scalars(matching_documents(session, words)))


def _catalog(url: str, query: str) -> object:
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            return db.execute(text(query)).scalar()
    finally:
        engine.dispose()


def test_the_search_reads_the_index_on_the_versions(postgres_url):
    upgrade_database(postgres_url)
    _record(postgres_url)
    assert _catalog(postgres_url, "SELECT to_regclass('version_search')") is None
    with opened_database(postgres_url) as factory, factory() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        query = matching_documents(session, "numbat")
        compiled = query.compile(
            session.get_bind(), compile_kwargs={"literal_binds": True}
        )
        plan = session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
    assert any(SEARCH_INDEX in line for line in plan), plan


def test_every_version_is_found_by_its_words_as_they_are(postgres_url):
    upgrade_database(postgres_url)
    wombat, numbat = _record(postgres_url)
    assert _found(postgres_url, "wombat") == [wombat]
    assert _found(postgres_url, "numbat seen") == [numbat]
    assert _found(postgres_url, "wombat numbat") == []
    with opened_database(postgres_url) as factory, factory.begin() as session:
        version = session.scalars(
            select(Version).where(Version.document_id == numbat)
        ).one()
        version.content = {**version.content, "body": ["A quokka now."]}
    assert _found(postgres_url, "quokka") == [numbat]
    assert _found(postgres_url, "numbat seen") == []


def test_0014_rebuilds_the_word_table_going_down_and_drops_it_going_up(postgres_url):
    upgrade_database(postgres_url)
    wombat, numbat = _record(postgres_url)
    downgrade_database(postgres_url, "0013")
    assert _catalog(postgres_url, "SELECT count(*) FROM version_search") == 2
    numbats = "SELECT version_id FROM version_search WHERE words @@ 'numbat'::tsquery"
    assert _catalog(postgres_url, numbats) is not None
    assert _catalog(postgres_url, f"SELECT to_regclass('{SEARCH_INDEX}')") is None
    assert _found(postgres_url, "numbat") == [numbat]
    upgrade_database(postgres_url)
    assert _catalog(postgres_url, "SELECT to_regclass('version_search')") is None
    assert _found(postgres_url, "wombat") == [wombat]
