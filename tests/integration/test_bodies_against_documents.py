"""Bodies stored against the Document of the version they gave (storage/bodies.py,
codec AGAINST_DOCUMENT): the page's text is kept once, in the version, each body reads
back byte for byte on both databases, a later delta can stand on such a body, prune
keeps them readable, and 0013 stores them alone again going down."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from crawler.extract.current import current_extractor
from storage.bodies import (
    AGAINST_DOCUMENT,
    CODEC,
    DELTA,
    DELTAS,
    compress,
    decompress,
    load,
)
from storage.db import close_database, downgrade_database, make_engine, unit_of_work
from storage.ingest import IngestResult
from storage.models import Snapshot, SnapshotBody, Version
from storage.prune import prune_snapshots
from storage.snapshots import FetchRecord, load_body
from tests.factories import T0, get_row
from tests.integration.ingest_helpers import ingest_one

SITE = Path(__file__).parent.parent / "fixtures" / "site"
PAGE = SITE / "press" / "release" / "press4e_003170.html"
URL = "https://www.mofa.go.jp/press/release/press4e_003170.html"


def _edited(page: bytes, k: int) -> bytes:
    """The page with one more sentence in its first paragraph of content."""
    sentence = b" The two sides agreed to meet again, edit %d." % k
    marker = b"as follows."
    assert marker in page
    return page.replace(marker, marker + sentence, 1)


def _furniture_changed(page: bytes) -> bytes:
    """The same Document in other markup: only a comment is added."""
    return page.replace(b"</body>", b"<!-- served by another host --></body>")


def _store(session_factory, bodies: list[bytes]) -> list[IngestResult]:
    results = []
    with unit_of_work(session_factory) as session:
        for i, body in enumerate(bodies):
            fetch = FetchRecord(URL, T0 + timedelta(days=i), 200, body, charset="utf-8")
            results.append(ingest_one(session, fetch, current_extractor()))
    return results


def _body_row(session, snapshot_id: int | None) -> SnapshotBody:
    assert snapshot_id is not None
    snapshot = get_row(session, Snapshot, snapshot_id)
    row: SnapshotBody = session.get_one(SnapshotBody, snapshot.body_sha256)
    return row


def test_a_first_fetch_is_stored_against_its_own_version(session_factory):
    page = PAGE.read_bytes()
    (result,) = _store(session_factory, [page])
    assert result.record is not None
    with unit_of_work(session_factory) as session:
        row = _body_row(session, result.snapshot_id)
        assert (row.codec, row.base_version_id) == (
            AGAINST_DOCUMENT,
            result.record.version_id,
        )
        assert row.base_sha256 is None
        assert load(session, row.sha256) == page
        # The page's text is in the version: the body keeps little more than markup.
        assert len(row.data) * 2 < len(compress(page)), (len(row.data), len(page))


def test_an_edit_is_read_back_whichever_way_it_is_stored(session_factory):
    page = PAGE.read_bytes()
    bodies = [page, _edited(page, 0), _edited(page, 1)]
    results = _store(session_factory, bodies)
    with unit_of_work(session_factory) as session:
        snapshots = [get_row(session, Snapshot, r.snapshot_id) for r in results]
        assert [load_body(session, s) for s in snapshots] == bodies
        rows = [_body_row(session, r.snapshot_id) for r in results]
        versions = session.scalars(select(Version).order_by(Version.seq)).all()
        assert len(versions) == 3
        for row in rows:
            assert row.codec in (AGAINST_DOCUMENT, *DELTAS)
            assert len(row.data) < 200, (row.codec, len(row.data))
            if row.codec == AGAINST_DOCUMENT:
                assert row.base_version_id in {v.id for v in versions}


def test_a_body_that_gave_no_new_version_is_not_stored_against_one(session_factory):
    page = PAGE.read_bytes()
    results = _store(session_factory, [page, _furniture_changed(page)])
    assert results[1].record is not None
    assert not results[1].record.is_new_version
    with unit_of_work(session_factory) as session:
        row = _body_row(session, results[1].snapshot_id)
        assert row.codec in (CODEC, *DELTAS)
        assert row.base_version_id is None
        assert load(session, row.sha256) == _furniture_changed(page)


def test_prune_keeps_bodies_stored_against_versions_readable(session_factory):
    page = PAGE.read_bytes()
    bodies = [page, _edited(page, 0), _edited(page, 1)]
    results = _store(session_factory, bodies)
    with unit_of_work(session_factory) as session:
        prune_snapshots(session, 1)
    with unit_of_work(session_factory) as session:
        snapshots = [get_row(session, Snapshot, r.snapshot_id) for r in results]
        assert [load_body(session, s) for s in snapshots][-1] == bodies[-1]


def test_a_body_whose_version_is_gone_says_which(session_factory):
    (result,) = _store(session_factory, [PAGE.read_bytes()])
    with unit_of_work(session_factory) as session:
        row = _body_row(session, result.snapshot_id)
        session.execute(text("DELETE FROM changes"))
        session.execute(text("DELETE FROM versions"))
        session.expire_all()
        with pytest.raises(LookupError, match=f"version {row.base_version_id}"):
            load(session, row.sha256)


def test_going_below_0013_stores_those_bodies_alone(db_url, session_factory):
    page = PAGE.read_bytes()
    bodies = [page, _edited(page, 0), _edited(page, 1)]
    _store(session_factory, bodies)
    close_database(session_factory)
    downgrade_database(db_url, "0012")
    engine = make_engine(db_url)
    try:
        with engine.connect() as db:
            found = db.execute(text("SELECT * FROM snapshot_bodies"))
            columns, rows = list(found.keys()), found.all()
    finally:
        engine.dispose()
    assert "base_version_id" not in columns
    assert {row.codec for row in rows} <= {CODEC, DELTA}
    alone = {
        r.sha256: decompress(bytes(r.data), CODEC) for r in rows if r.codec == CODEC
    }
    deltas = [
        decompress(bytes(r.data), DELTA, alone[r.base_sha256])
        for r in rows
        if r.codec == DELTA
    ]
    assert sorted([*alone.values(), *deltas]) == sorted(bodies)
