"""Plain functions that build rows through the storage API, for any package's tests."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from storage.models import Change, ChangeKind, OpsEvent, Snapshot
from storage.snapshots import FetchRecord, store_snapshot
from storage.versions import RecordResult, record_version

_T = TypeVar("_T")

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BASE = "https://www.mofa.go.jp"

_DOCUMENT: dict[str, Any] = {
    "url": f"{BASE}/press/release/pressite_000001_00001.html",
    "doc_id": "pressite_000001_00001",
    "language": "en",
    "kind": "press_release",
    "section": "Press Releases",
    "title": "Visit of Foreign Minister Example to Japan",
    "date": "2026-01-05",
    "body": [
        "1. Foreign Minister Example will visit Japan from January 6 to 8.",
        "2. During the stay, the Minister will hold talks with the Foreign Minister.",
    ],
    "captions": [],
    "provisional_translation": False,
    "placeholder": False,
    "japanese_url": None,
    "english_url": None,
    "topics": [],
    "meeting": None,
    "exchanges": [],
}


def make_document(n: int | None = None, **over: Any) -> dict[str, Any]:
    """A complete Document dict; n picks a distinct URL and doc_id."""
    document = copy.deepcopy(_DOCUMENT)
    if n is not None:
        doc_id = f"pressite_000001_{n:05d}"
        document.update(doc_id=doc_id, url=f"{BASE}/press/release/{doc_id}.html")
    document.update(over)
    return document


def make_version(
    session: Session,
    document: dict[str, Any] | None = None,
    *,
    now: datetime = T0,
    snapshot: Snapshot | None = None,
    extractor_version: str = "test",
) -> RecordResult:
    """Record the Document (default: make_document()) as record_version would."""
    document = document if document is not None else make_document()
    return record_version(
        session, document["url"], document, snapshot, extractor_version, now
    )


def made_version_id(record: RecordResult) -> int:
    """The id of the version a record_version call made (it made one)."""
    assert record.version_id is not None
    return record.version_id


def make_snapshot(
    session: Session,
    url: str = _DOCUMENT["url"],
    *,
    fetched_at: datetime = T0,
    status: int = 200,
    body: bytes | None = b"<html><body><h1>Example</h1></body></html>",
    etag: str | None = None,
    last_modified: str | None = None,
    run_id: int | None = None,
) -> Snapshot:
    fetch = FetchRecord(
        url=url,
        fetched_at=fetched_at,
        status=status,
        body=body,
        etag=etag,
        last_modified=last_modified,
    )
    return store_snapshot(session, fetch, run_id=run_id)


def make_change(
    session: Session,
    document_id: int,
    *,
    kind: ChangeKind = ChangeKind.NEW,
    to_version_id: int | None = None,
    from_version_id: int | None = None,
    detected_at: datetime = T0,
    is_silent: bool = False,
) -> Change:
    change = Change(
        document_id=document_id,
        kind=kind,
        from_version_id=from_version_id,
        to_version_id=to_version_id,
        diff=[],
        is_silent=is_silent,
        detected_at=detected_at,
    )
    session.add(change)
    session.flush()
    return change


def make_ops_event(
    session: Session,
    *,
    kind: str = "blocked",
    subject: str = "site",
    phase: str = "started",
    created_at: datetime = T0,
) -> OpsEvent:
    event = OpsEvent(
        kind=kind, subject=subject, phase=phase, detail={}, created_at=created_at
    )
    session.add(event)
    session.flush()
    return event


def get_row(session: Session, model: type[_T], ident: Any) -> _T:
    """session.get that fails the test when the row is missing."""
    row = session.get(model, ident)
    assert row is not None, f"no {model.__name__} {ident!r}"
    return row
