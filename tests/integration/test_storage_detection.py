"""storage.detection: what detect reads and the changes it records, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from storage.db import unit_of_work
from storage.detection import (
    NewChange,
    claim_undiffed,
    earlier_versions,
    presence_flips,
    record_changes,
    record_presence_change,
    same_body,
    undiffed_version_ids,
    version_facts,
)
from storage.models import Change, Document, Version
from storage.vocabulary import ChangeKind, DocumentState
from tests.factories import (
    T0,
    get_row,
    made_version_id,
    make_change,
    make_document,
    make_snapshot,
    make_version,
)


def _three_versions(session):
    """Two versions of document 1 (created in that order), then one of document 2."""
    first = make_version(session, make_document(1), now=T0)
    second = make_version(
        session, make_document(1, title="Edited"), now=T0 + timedelta(hours=1)
    )
    other = make_version(session, make_document(2), now=T0 + timedelta(hours=2))
    return first, second, other


def test_undiffed_versions_are_claimed_in_the_order_asked(session_factory):
    with unit_of_work(session_factory) as session:
        first, second, other = _three_versions(session)
    ids = [first.version_id, second.version_id, other.version_id]
    with unit_of_work(session_factory) as session:
        assert undiffed_version_ids(session) == ids
        claimed = claim_undiffed(session, [other.version_id, first.version_id])
    assert [(v.id, v.document_id, v.seq) for v in claimed] == [
        (other.version_id, other.document_id, 1),
        (first.version_id, first.document_id, 1),
    ]


def test_earlier_versions_are_those_of_the_same_document_before_it(session_factory):
    with unit_of_work(session_factory) as session:
        first, second, other = _three_versions(session)
        pending = claim_undiffed(
            session, [first.version_id, second.version_id, other.version_id]
        )
        history = earlier_versions(session, pending)
        digest = get_row(session, Version, first.version_id).content_sha256
    assert history == {
        first.version_id: [],
        second.version_id: [(first.version_id, digest)],
        other.version_id: [],
    }


def test_recorded_changes_mark_their_versions_detected(session_factory):
    with unit_of_work(session_factory) as session:
        first, second, other = _three_versions(session)
    changes = [
        NewChange(first.document_id, ChangeKind.NEW, None, first.version_id, [], None),
        NewChange(
            second.document_id,
            ChangeKind.UPDATED,
            first.version_id,
            second.version_id,
            [{"op": "replace", "path": "title"}],
            "flap",
        ),
    ]
    with unit_of_work(session_factory) as session:
        ids = record_changes(session, changes, T0)
    with unit_of_work(session_factory) as session:
        assert undiffed_version_ids(session) == [other.version_id]
        assert claim_undiffed(session, [first.version_id, second.version_id]) == []
        rows = [get_row(session, Change, i) for i in ids]
        assert [(r.kind, r.is_silent, r.reason) for r in rows] == [
            (ChangeKind.NEW, False, None),
            (ChangeKind.UPDATED, True, "flap"),
        ]
        assert rows[1].diff == [{"op": "replace", "path": "title"}]
        assert get_row(session, Version, second.version_id).detected_at == T0


def test_presence_flips_compare_the_state_with_the_newest_change(session_factory):
    with unit_of_work(session_factory) as session:
        gone = make_version(session, make_document(1))
        back = make_version(session, make_document(2))
        steady = make_version(session, make_document(3))
        make_change(session, gone.document_id)
        make_change(session, back.document_id)
        make_change(session, back.document_id, kind=ChangeKind.REMOVED)
        make_change(session, steady.document_id)
        get_row(session, Document, gone.document_id).state = DocumentState.REMOVED
    with unit_of_work(session_factory) as session:
        assert presence_flips(session, DocumentState.REMOVED) == [gone.document_id]
        assert presence_flips(session, DocumentState.LIVE) == [back.document_id]


def test_a_presence_change_shows_the_newest_content_else_the_row(session_factory):
    with unit_of_work(session_factory) as session:
        make_version(session, make_document(1))
        newest = make_version(session, make_document(1, title="Edited"))
        bare = Document(
            url="https://www.mofa.go.jp/press/bare.html",
            doc_id="bare",
            kind="press_release",
            language="en",
            first_seen_at=T0,
            last_seen_at=T0,
        )
        session.add(bare)
        session.flush()
    with unit_of_work(session_factory) as session:
        restored, content = record_presence_change(
            session, newest.document_id, ChangeKind.RESTORED, reason=None, now=T0
        )
        removed, bare_content = record_presence_change(
            session, bare.id, ChangeKind.REMOVED, reason="baseline", now=T0
        )
    assert content["title"] == "Edited"
    assert bare_content["title"] == bare.url
    assert bare_content["body"] == []
    with unit_of_work(session_factory) as session:
        row = get_row(session, Change, restored)
        assert (row.from_version_id, row.to_version_id) == (newest.version_id,) * 2
        assert not row.is_silent
        row = get_row(session, Change, removed)
        assert (row.to_version_id, row.is_silent, row.reason) == (
            None,
            True,
            "baseline",
        )


def test_same_body_by_snapshot_or_by_body_digest(session_factory):
    with unit_of_work(session_factory) as session:
        a = make_snapshot(session, body=b"<html>one</html>")
        a_again = make_snapshot(
            session, body=b"<html>one</html>", fetched_at=T0 + timedelta(days=1)
        )
        b = make_snapshot(session, body=b"<html>two</html>")
        record = make_version(session, snapshot=a, extractor_version="v1")
    with unit_of_work(session_factory) as session:
        assert same_body(session, a.id, a.id)
        assert same_body(session, a.id, a_again.id)
        assert not same_body(session, a.id, b.id)
        facts = version_facts(session, made_version_id(record))
    assert (facts.snapshot_id, facts.extractor_version) == (a.id, "v1")
