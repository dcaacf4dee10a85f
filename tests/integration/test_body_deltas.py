"""Bodies stored against the earlier body of their URL (storage/bodies.py): they read
back byte for byte, an edit costs about itself, prune re-encodes what it would orphan,
and 0010 stores them alone again going down."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from storage.bodies import CODEC, DELTAS, decompress
from storage.db import close_database, downgrade_database, make_engine, unit_of_work
from storage.models import Snapshot, SnapshotBody
from storage.prune import prune_snapshots
from storage.snapshots import load_body
from tests.factories import T0, get_row, make_snapshot

SITE = Path(__file__).parent.parent / "fixtures" / "site"
PAGE = SITE / "press" / "release" / "press4e_003170.html"
URL = "https://www.mofa.go.jp/press/release/pressite_000001_00001.html"


def _page() -> bytes:
    return PAGE.read_bytes()


def _edited(page: bytes, k: int) -> bytes:
    sentence = b" The two sides agreed to meet again, edit %d.</p>" % k
    return page.replace(b"</p>", sentence, k + 1)


def _fetches(session_factory, bodies: list[bytes]) -> list[int]:
    with unit_of_work(session_factory) as session:
        return [
            make_snapshot(session, URL, body=body, fetched_at=T0 + timedelta(days=i)).id
            for i, body in enumerate(bodies)
        ]


def _rows(session) -> dict[str, SnapshotBody]:
    return {row.sha256: row for row in session.scalars(select(SnapshotBody))}


def test_an_edited_page_is_a_small_delta_on_the_body_stored_alone(session_factory):
    page = _page()
    bodies = [page, _edited(page, 0), _edited(page, 1)]
    ids = _fetches(session_factory, bodies)
    with unit_of_work(session_factory) as session:
        snapshots = [get_row(session, Snapshot, i) for i in ids]
        assert [load_body(session, s) for s in snapshots] == bodies
        rows = _rows(session)
        first, *later = (rows[str(s.body_sha256)] for s in snapshots)
        alone = len(first.data)
    assert (first.codec, first.base_sha256) == (CODEC, None)
    assert all(r.codec in DELTAS for r in later), [r.codec for r in later]
    assert [r.base_sha256 for r in later] == [first.sha256] * 2
    assert all(len(r.data) < 120 for r in later), [len(r.data) for r in later]
    assert alone > 4 * 120


def test_a_body_unlike_its_predecessor_is_stored_alone(session_factory):
    _fetches(session_factory, [_page(), b"<html><p>Moved elsewhere.</p></html>"])
    with unit_of_work(session_factory) as session:
        codecs = sorted((r.codec, r.base_sha256) for r in _rows(session).values())
    assert codecs == [(CODEC, None), (CODEC, None)]


def test_prune_stores_alone_the_bodies_on_a_base_it_deletes(session_factory):
    page = _page()
    bodies = [page, _edited(page, 0), _edited(page, 1)]
    ids = _fetches(session_factory, bodies)
    with unit_of_work(session_factory) as session:
        result = prune_snapshots(session, 2)  # the first body, the base, goes
    assert (result.snapshots_pruned, result.bodies_deleted) == (1, 1)
    with unit_of_work(session_factory) as session:
        snapshots = [get_row(session, Snapshot, i) for i in ids]
        assert [load_body(session, s) for s in snapshots] == [None, *bodies[1:]]
        rows = _rows(session).values()
        assert sorted((r.codec, r.base_sha256) for r in rows) == [(CODEC, None)] * 2


def test_going_below_0010_stores_every_delta_alone(db_url, session_factory):
    page = _page()
    bodies = [page, _edited(page, 0)]
    _fetches(session_factory, bodies)
    close_database(session_factory)
    downgrade_database(db_url, "0009")
    engine = make_engine(db_url)
    try:
        with engine.connect() as db:
            rows = db.execute(text("SELECT codec, data FROM snapshot_bodies")).all()
    finally:
        engine.dispose()
    assert {codec for codec, _ in rows} == {CODEC}
    assert sorted(decompress(bytes(data), CODEC) for _, data in rows) == sorted(bodies)
