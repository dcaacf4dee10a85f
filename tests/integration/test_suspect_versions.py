"""A page whose extraction lost what its stored version had makes no version: its
snapshot is suspect, on SQLite and PostgreSQL, record by record and in batches."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawler.extract.extractor import extract
from storage.db import unit_of_work
from storage.ingest import Extractor, Outcome
from storage.models import Snapshot, Version
from storage.regression import SUSPECT_PREFIX
from storage.snapshots import FetchRecord
from tests.conftest import fixture_path
from tests.factories import T0
from tests.integration.ingest_helpers import ingest_many, ingest_one
from tests.redesign import redesigned

URL = "https://www.mofa.go.jp/na/na1/us/page4e_001274.html"
PAGE = fixture_path("site/na/na1/us/page4e_001274.html").read_text(encoding="utf-8")


def _extract(body: bytes, url: str, charset: str | None) -> Mapping[str, Any]:
    return extract(body, url, http_charset=charset).to_dict()


EXTRACTOR = Extractor("t", _extract)


def _fetch(page: str | None, minutes: int, status: int = 200) -> FetchRecord:
    return FetchRecord(
        url=URL,
        fetched_at=T0 + timedelta(minutes=minutes),
        status=status,
        body=page.encode() if page is not None else None,
        etag=f'"{minutes}"',
        charset="utf-8",
    )


def _ingest(factory: sessionmaker[Session], fetch: FetchRecord) -> Any:
    with unit_of_work(factory) as session:
        return ingest_one(session, fetch, EXTRACTOR)


def _versions(factory: sessionmaker[Session]) -> list[Version]:
    with factory() as session:
        return list(session.scalars(select(Version).order_by(Version.seq)))


def _errors(factory: sessionmaker[Session]) -> list[str | None]:
    with factory() as session:
        stmt = select(Snapshot.extract_error).order_by(Snapshot.id)
        return list(session.scalars(stmt))


def test_the_redesigned_page_is_suspect_and_the_good_one_stays(session_factory):
    assert _ingest(session_factory, _fetch(PAGE, 0)).outcome is Outcome.NEW_VERSION
    result = _ingest(session_factory, _fetch(redesigned(PAGE), 30))

    assert result.outcome is Outcome.SUSPECT
    assert result.error is not None
    assert result.error.startswith(SUSPECT_PREFIX)
    assert "body text" in result.error
    assert "date" in result.error
    assert "meeting facts" in result.error
    assert [v.seq for v in _versions(session_factory)] == [1]
    assert _errors(session_factory) == [None, result.error]


def test_a_304_to_the_suspect_page_is_still_unrecognized(session_factory):
    _ingest(session_factory, _fetch(PAGE, 0))
    suspect = _ingest(session_factory, _fetch(redesigned(PAGE), 30))
    again = _ingest(session_factory, _fetch(None, 60, status=304))

    assert again.outcome is Outcome.STILL_UNRECOGNIZED
    assert again.error == suspect.error
    # Once the page extracts well again, a 304 is a plain 304.
    edited = PAGE.replace("approximately 55 minutes", "approximately 70 minutes")
    assert _ingest(session_factory, _fetch(edited, 90)).outcome is Outcome.NEW_VERSION
    assert _ingest(session_factory, _fetch(None, 120, 304)).outcome is (
        Outcome.NOT_MODIFIED
    )
    assert [v.seq for v in _versions(session_factory)] == [1, 2]


def test_a_batch_judges_alike(session_factory):
    fetches = [_fetch(PAGE, 0), _fetch(redesigned(PAGE), 30), _fetch(None, 60, 304)]
    with unit_of_work(session_factory) as session:
        results = ingest_many(session, fetches, EXTRACTOR)
    assert [r.outcome for r in results] == [
        Outcome.NEW_VERSION,
        Outcome.SUSPECT,
        Outcome.STILL_UNRECOGNIZED,
    ]
    assert [v.seq for v in _versions(session_factory)] == [1]
    errors = _errors(session_factory)
    assert errors[0] is None
    assert errors[1] is not None
    assert errors[1].startswith(SUSPECT_PREFIX)


def test_a_new_page_has_nothing_to_lose(session_factory):
    result = _ingest(session_factory, _fetch(redesigned(PAGE), 0))
    assert result.outcome is Outcome.NEW_VERSION
