"""storage.replaying and storage.reextraction, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta

from storage.db import unit_of_work
from storage.models import Version
from storage.outbox import enqueue_alert
from storage.reextraction import (
    StoredPage,
    newest_version_ids,
    record_reextracted,
    stored_page,
)
from storage.replaying import newest_alert_id, stored_snapshot_keys
from tests.factories import (
    T0,
    get_row,
    made_version_id,
    make_change,
    make_document,
    make_snapshot,
    make_version,
)

URL = make_document(1)["url"]
BODY = b"<html><body><h1>Stored</h1></body></html>"


def test_stored_keys_hold_aware_utc_times_and_body_digests(session_factory):
    with unit_of_work(session_factory) as session:
        make_snapshot(session, URL, body=BODY)
        make_snapshot(session, URL, status=404, body=None, fetched_at=T0 + timedelta(1))
        make_snapshot(session, "https://www.mofa.go.jp/other.html", body=BODY)
    with unit_of_work(session_factory) as session:
        keys = stored_snapshot_keys(session, [URL, URL])
    assert keys == {
        (URL, T0, hashlib.sha256(BODY).hexdigest()),
        (URL, T0 + timedelta(1), None),
    }
    assert all(when.tzinfo is UTC for _, when, _ in keys)


def test_newest_alert_id_is_zero_then_the_largest(session_factory):
    with unit_of_work(session_factory) as session:
        assert newest_alert_id(session) == 0
        record = make_version(session, make_document(1))
        change = make_change(session, record.document_id)
        ids = [
            alert.id
            for channel in ("mail", "slack")
            if (
                alert := enqueue_alert(
                    session, channel=channel, now=T0, change_id=change.id
                )
            )
        ]
        assert newest_alert_id(session) == max(ids)


def test_stored_page_reads_its_own_snapshot_else_the_newest_with_a_body(
    session_factory,
):
    with unit_of_work(session_factory) as session:
        own = make_snapshot(session, URL, body=BODY)
        first = make_version(session, make_document(1), snapshot=own)
        newer = make_snapshot(
            session, URL, body=b"<html>newer</html>", fetched_at=T0 + timedelta(1)
        )
        second = make_version(session, make_document(1, title="No snapshot"))
        bodiless = make_version(session, make_document(2))
    with unit_of_work(session_factory) as session:
        assert newest_version_ids(session) == [
            (first.document_id, second.version_id),
            (bodiless.document_id, bodiless.version_id),
        ]
        from_own = stored_page(session, first.document_id, made_version_id(first))
        fallback = stored_page(session, second.document_id, made_version_id(second))
        none = stored_page(session, bodiless.document_id, made_version_id(bodiless))
    assert (from_own.snapshot_id, from_own.body) == (own.id, BODY)
    assert (fallback.snapshot_id, fallback.body) == (newer.id, b"<html>newer</html>")
    assert fallback.content["title"] == "No snapshot"
    assert (none.snapshot_id, none.body, none.charset) == (None, None, None)


def _stored_readout(session_factory) -> StoredPage:
    """Document 1's one version, from a snapshot with a body, read for reextract."""
    with unit_of_work(session_factory) as session:
        snapshot = make_snapshot(session, URL, body=BODY)
        record = make_version(session, make_document(1), snapshot=snapshot)
    with unit_of_work(session_factory) as session:
        return stored_page(session, record.document_id, made_version_id(record))


def _reextracted(session_factory, page: StoredPage) -> int | None:
    with unit_of_work(session_factory) as session:
        better = make_document(1, title="Better")
        return record_reextracted(session, page, better, "v2", T0 + timedelta(1))


def test_a_reextracted_version_points_at_the_page_snapshot(session_factory):
    page = _stored_readout(session_factory)
    assert page.snapshot_id is not None
    assert _reextracted(session_factory, page) == 2
    with unit_of_work(session_factory) as session:
        ((_, newest_id),) = newest_version_ids(session)
        version = get_row(session, Version, newest_id)
        assert (version.seq, version.snapshot_id) == (2, page.snapshot_id)
        assert (version.extractor_version, version.content["title"]) == ("v2", "Better")


def test_a_reextraction_of_a_superseded_version_is_not_stored(session_factory):
    page = _stored_readout(session_factory)
    with unit_of_work(session_factory) as session:  # a crawl, meanwhile
        newer = make_version(session, make_document(1, title="Crawled"))
    assert _reextracted(session_factory, page) is None
    with unit_of_work(session_factory) as session:
        assert newest_version_ids(session) == [
            (newer.document_id, made_version_id(newer))
        ]
