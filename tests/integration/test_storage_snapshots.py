"""Snapshots (content-addressed, compressed bodies; validators) and storing a fetch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage.bodies import CODEC, compress, decompress
from storage.db import unit_of_work
from storage.ingest import Extractor, Outcome
from storage.models import Document, DocumentState, Snapshot, SnapshotBody, Version
from storage.snapshots import (
    FetchRecord,
    load_body,
    store_snapshot,
    validators_for,
)
from tests.factories import T0, get_row, make_document, make_snapshot
from tests.integration.ingest_helpers import ingest_one

URL = make_document()["url"]
HTML = (
    b"<html><body><h1>Visit</h1>"
    + b"<p>Example paragraph text.</p>" * 50
    + b"</body></html>"
)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_identical_bodies_are_stored_once_compressed(session_factory):
    with unit_of_work(session_factory) as session:
        first = make_snapshot(session, URL, body=HTML)
        second = make_snapshot(session, URL, body=HTML, fetched_at=T0 + timedelta(1))
        other = make_snapshot(session, URL + "?x", body=HTML + b"!")
    with unit_of_work(session_factory) as session:
        assert first.body_sha256 == second.body_sha256 != other.body_sha256
        assert _count(session, SnapshotBody) == 2
        body = get_row(session, SnapshotBody, first.body_sha256)
        assert body.raw_size == len(HTML)
        assert len(body.data) < len(HTML) * 0.35
        assert body.codec == CODEC
        assert load_body(session, get_row(session, Snapshot, second.id)) == HTML


@pytest.mark.parametrize("codec", ["zlib+mofa1", "zlib", "lzma", "identity"])
def test_every_codec_round_trips_bytes_in_any_encoding(codec):
    japanese = "<p>\u5916\u52d9\u7701\u3001\u5831\u9053\u767a\u8868</p>"
    for body in (HTML, japanese.encode("cp932"), japanese.encode("utf-8"), b""):
        assert decompress(compress(body, codec), codec) == body


def test_snapshot_keeps_the_response_metadata(session_factory):
    fetch = FetchRecord(
        url=URL,
        fetched_at=T0,
        status=200,
        body=HTML,
        etag='"abc"',
        last_modified="Mon, 05 Jan 2026 09:00:00 GMT",
        final_url=URL + "#top",
        charset="utf-8",
        content_type="text/html",
        source="replay",
    )
    with unit_of_work(session_factory) as session:
        snapshot_id = store_snapshot(session, fetch, run_id=None).id
    with unit_of_work(session_factory) as session:
        row = get_row(session, Snapshot, snapshot_id)
        assert (row.url, row.status, row.etag, row.final_url) == (
            URL,
            200,
            '"abc"',
            URL + "#top",
        )
        assert (row.charset, row.content_type, row.source) == (
            "utf-8",
            "text/html",
            "replay",
        )
        assert row.fetched_at == T0


def test_a_snapshot_answered_by_its_own_url_keeps_no_final_url(session_factory):
    fetches = [
        FetchRecord(url=URL, fetched_at=T0, status=200, body=HTML, final_url=URL),
        FetchRecord(url=URL, fetched_at=T0, status=200, body=HTML, final_url=None),
    ]
    with unit_of_work(session_factory) as session:
        ids = [store_snapshot(session, fetch, run_id=None).id for fetch in fetches]
    with unit_of_work(session_factory) as session:
        rows = [get_row(session, Snapshot, i) for i in ids]
        assert [(row.url, row.final_url) for row in rows] == [(URL, None)] * 2


def test_blocked_responses_never_store_their_body(session_factory):
    with unit_of_work(session_factory) as session:
        for status in (403, 429):
            snapshot = make_snapshot(session, URL, status=status, body=b"challenge")
            assert snapshot.body_sha256 is None
        assert _count(session, SnapshotBody) == 0


def test_validators_come_from_the_newest_snapshot_that_had_them(session_factory):
    other = URL.replace("00001", "00002")
    with unit_of_work(session_factory) as session:
        make_snapshot(session, URL, etag='"old"', fetched_at=T0)
        make_snapshot(
            session,
            URL,
            etag='"new"',
            last_modified="lm",
            fetched_at=T0 + timedelta(hours=1),
        )
        make_snapshot(session, URL, status=200, fetched_at=T0 + timedelta(hours=2))
        make_snapshot(
            session, URL, status=500, etag='"err"', fetched_at=T0 + timedelta(hours=3)
        )
        make_snapshot(session, other, status=200)
    with unit_of_work(session_factory) as session:
        assert validators_for(session, [URL, other, "https://nowhere/"]) == {
            URL: ('"new"', "lm")
        }


def _extract(body, url, charset):
    if b"broken" in body:
        raise ValueError(f"{url}: no h1 title")
    return make_document(title=body.decode(charset or "utf-8"))


def _ingest(session, status, body=None, *, at=0, is_detail=True, url=URL):
    fetch = FetchRecord(
        url=url,
        fetched_at=T0 + timedelta(days=at),
        status=status,
        body=body,
        charset="utf-8",
    )
    return ingest_one(session, fetch, Extractor("x1", _extract), is_detail=is_detail)


def test_ingest_200_records_a_version_then_unchanged(session_factory):
    with unit_of_work(session_factory) as session:
        first = _ingest(session, 200, b"Title one")
        second = _ingest(session, 200, b"Title one", at=1)
        third = _ingest(session, 200, b"Title two", at=2)
    assert [first.outcome, second.outcome, third.outcome] == [
        Outcome.NEW_VERSION,
        Outcome.UNCHANGED,
        Outcome.NEW_VERSION,
    ]
    assert first.record is not None
    assert first.record.is_new_document
    with unit_of_work(session_factory) as session:
        version = get_row(session, Version, first.record.version_id)
        assert version.snapshot_id == first.snapshot_id
        assert version.extractor_version == "x1"
        document = get_row(session, Document, first.record.document_id)
        assert (document.last_status, document.last_fetched_at) == (
            200,
            T0 + timedelta(days=2),
        )


def test_ingest_records_an_extract_error_and_no_version(session_factory):
    with unit_of_work(session_factory) as session:
        result = _ingest(session, 200, b"broken page")
    assert result.outcome == Outcome.EXTRACT_FAILED
    assert result.error is not None
    assert "no h1 title" in result.error
    with unit_of_work(session_factory) as session:
        snapshot = get_row(session, Snapshot, result.snapshot_id)
        assert snapshot.extract_error == result.error
        assert load_body(session, snapshot) == b"broken page"
        assert _count(session, Version) == 0


def test_an_extractor_crash_is_the_pages_extract_error_not_a_lost_snapshot(
    session_factory,
):
    def crash(body: bytes, url: str, charset: str | None) -> dict[str, object]:
        raise KeyError("menu")

    fetch = FetchRecord(URL, T0, 200, body=b"odd markup", charset="utf-8")
    with unit_of_work(session_factory) as session:
        result = ingest_one(session, fetch, Extractor("x1", crash))
    assert result.outcome == Outcome.EXTRACT_FAILED
    assert result.error == "extractor crashed: KeyError: 'menu'"
    with unit_of_work(session_factory) as session:
        snapshot = get_row(session, Snapshot, result.snapshot_id)
        assert snapshot.extract_error == result.error
        assert load_body(session, snapshot) == b"odd markup"


def test_the_answer_that_removes_a_document_says_so(session_factory):
    with unit_of_work(session_factory) as session:
        _ingest(session, 200, b"Title")
        removed = [
            _ingest(session, status, None, at=day).removed
            for day, status in enumerate((404, 410, 404), start=1)
        ]
    assert removed == [False, True, False]  # the second miss; a third changes nothing


def test_ingest_removes_only_on_the_second_404_and_restores_on_200(session_factory):
    with unit_of_work(session_factory) as session:
        _ingest(session, 200, b"Title")
        states: list[tuple[DocumentState, int]] = []
        outcomes = []
        for status, body in ((404, b"gone"), (410, None), (200, b"Title")):
            outcomes.append(_ingest(session, status, body, at=len(states) + 1).outcome)
            document = session.scalars(select(Document)).one()
            states.append((document.state, document.missing_count))
    assert states == [
        (DocumentState.LIVE, 1),
        (DocumentState.REMOVED, 2),
        (DocumentState.LIVE, 0),
    ]
    assert outcomes == [Outcome.MISSING, Outcome.MISSING, Outcome.UNCHANGED]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (403, Outcome.BLOCKED),
        (429, Outcome.BLOCKED),
        (500, Outcome.FAILED),
        (503, Outcome.FAILED),
        (304, Outcome.NOT_MODIFIED),
    ],
)
def test_ingest_non_200_statuses_never_make_versions_or_removals(
    session_factory, status, outcome
):
    with unit_of_work(session_factory) as session:
        _ingest(session, 200, b"Title")
        results = [
            _ingest(session, status, b"<html>denied</html>", at=d) for d in (1, 2, 3)
        ]
        assert {r.outcome for r in results} == {outcome}
        assert _count(session, Version) == 1
        assert _count(session, SnapshotBody) == 1
        document = session.scalars(select(Document)).one()
        assert document.state != DocumentState.REMOVED
        assert document.last_status == status


def test_ingest_index_page_is_a_snapshot_only(session_factory):
    index = "https://www.mofa.go.jp/press/release/index.html"
    with unit_of_work(session_factory) as session:
        result = _ingest(
            session, 200, b"<html>index</html>", is_detail=False, url=index
        )
        assert result.outcome == Outcome.IGNORED
        assert result.record is None
        assert _count(session, Document) == 0
        assert load_body(session, get_row(session, Snapshot, result.snapshot_id))
