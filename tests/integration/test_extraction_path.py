"""Every snapshot records the path its page's extraction took, beside the Document:
by the crawl's ingest, replay's batches and reextract, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from crawler.extract.current import extract_for_storage
from monitor.cli.history import _version_line
from monitor.replay.reextract import reextract
from storage.db import unit_of_work
from storage.history import document_history
from storage.ingest import Extractor, Outcome
from storage.models import Snapshot, Version
from storage.snapshots import FetchRecord
from storage.vocabulary import ExtractionPath
from tests.factories import T0
from tests.integration.ingest_helpers import ingest_many, ingest_one
from tests.integration.replay_helpers import settings_for
from tests.layouts import TEMPLATES, load_readouts, url_of

READOUT = load_readouts("en")[0]
URL = url_of(READOUT)
LANDMARKS, STRUCTURE = ExtractionPath.LANDMARKS, ExtractionPath.STRUCTURE
EXTRACTOR = Extractor("1", extract_for_storage)


def _fetch(day: int, template: str | None, status: int = 200) -> FetchRecord:
    """The readout in a template on a day (template None: a page cut short)."""
    page = TEMPLATES[template or "mofa"](READOUT)
    if template is None:
        page = page[: len(page) // 2]
    return FetchRecord(
        url=URL,
        fetched_at=T0 + timedelta(days=day),
        status=status,
        body=None if status == 304 else page.encode("utf-8"),
        charset="utf-8",
        etag=f'"{template}"',
    )


# Today's template, the renamed one (the fallback), a 304 to it, a page the
# extractor cannot read, and today's template again.
FETCHES = [
    _fetch(0, "mofa"),
    _fetch(1, "renamed"),
    _fetch(2, "renamed", 304),
    _fetch(3, None),
    _fetch(4, "mofa"),
]
EXPECTED = [
    (Outcome.NEW_VERSION, LANDMARKS),
    (Outcome.UNCHANGED, STRUCTURE),
    (Outcome.NOT_MODIFIED, STRUCTURE),
    (Outcome.EXTRACT_FAILED, None),
    (Outcome.UNCHANGED, LANDMARKS),
]


def _stored_paths(session_factory) -> list[ExtractionPath | None]:
    with session_factory() as session:
        stmt = select(Snapshot.extraction_path).order_by(Snapshot.id)
        return list(session.scalars(stmt))


def _contents(session_factory) -> list[dict[str, object]]:
    with session_factory() as session:
        return [v.content for v in session.scalars(select(Version))]


def test_the_crawl_records_each_page_path_not_in_the_document(session_factory):
    got = []
    for fetch in FETCHES:
        with unit_of_work(session_factory) as session:
            result = ingest_one(session, fetch, EXTRACTOR)
        got.append((result.outcome, result.extraction_path))
    assert got == EXPECTED
    assert _stored_paths(session_factory) == [path for _, path in EXPECTED]
    (content,) = _contents(session_factory)  # a path of its own is no new version
    assert "extraction_path" not in content
    assert "path" not in content


def test_a_replay_batch_records_the_same_paths(session_factory):
    with unit_of_work(session_factory) as session:
        results = ingest_many(session, FETCHES, EXTRACTOR)
    got = [(r.outcome, r.extraction_path) for r in results]
    assert got == EXPECTED
    assert _stored_paths(session_factory) == [path for _, path in EXPECTED]
    assert len(_contents(session_factory)) == 1


def test_reextract_records_the_path_of_the_stored_body(session_factory, db_url):
    with unit_of_work(session_factory) as session:
        for fetch in FETCHES[:2]:
            ingest_one(session, fetch, EXTRACTOR)
        # As rows stored before snapshots recorded a path.
        session.execute(update(Snapshot).values(extraction_path=None))
    reextract(session_factory, settings_for(db_url), T0 + timedelta(days=9))
    # The newest version came from the first snapshot: its body is read again.
    assert _stored_paths(session_factory) == [LANDMARKS, None]


def test_history_shows_the_path_of_each_version(session_factory, db_url):
    for fetch in (FETCHES[1], FETCHES[0]):  # renamed first: read by the fallback
        with unit_of_work(session_factory) as session:
            ingest_one(session, fetch, EXTRACTOR)
    with session_factory() as session:
        found = document_history(session, URL)
    assert found is not None
    assert [v.extraction_path for v in found.versions] == ["structure"]
    assert " structure " in _version_line(found.versions[0])
