"""What a queued alert shows: the rows behind a change alert or an ops alert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Alert, Change, Document, OpsEvent, Version


class AlertRowsMissing(LookupError):
    """An alert points at rows that are gone; it cannot be shown."""


@dataclass(frozen=True, slots=True)
class QueuedAlert:
    """An outbox row, as the render layer needs it."""

    id: int
    channel: str
    mode: str
    change_id: int | None
    ops_event_id: int | None


@dataclass(frozen=True, slots=True)
class ChangeContent:
    """A change alert's change, its document and the content it shows."""

    alert_id: int
    change_id: int
    kind: str
    document_url: str
    doc_id: str
    doc_kind: str
    seq: int | None
    content: dict[str, Any]
    diff: tuple[dict[str, Any], ...]
    detected_at: datetime
    thread_root_alert_id: int | None


@dataclass(frozen=True, slots=True)
class OpsContent:
    """An ops alert's event."""

    alert_id: int
    event_id: int
    kind: str
    subject: str
    phase: str
    detail: dict[str, Any]
    created_at: datetime


def queued_alerts(session: Session, alert_ids: Sequence[int]) -> list[QueuedAlert]:
    """The alerts with these ids (those still there), in id order."""
    stmt = select(Alert).where(Alert.id.in_(alert_ids)).order_by(Alert.id)
    return [
        QueuedAlert(a.id, a.channel, a.mode, a.change_id, a.ops_event_id)
        for a in session.scalars(stmt)
    ]


def change_content(session: Session, alert: QueuedAlert) -> ChangeContent:
    """Newest content, diff and thread root of a change alert."""
    change = session.get(Change, alert.change_id) if alert.change_id else None
    if change is None:
        raise AlertRowsMissing(f"alert {alert.id}: change {alert.change_id} not found")
    document = session.get(Document, change.document_id)
    if document is None:
        raise AlertRowsMissing(
            f"alert {alert.id}: document {change.document_id} not found"
        )
    version = _shown_version(session, change)
    return ChangeContent(
        alert_id=alert.id,
        change_id=change.id,
        kind=change.kind.value,
        document_url=document.url,
        doc_id=document.doc_id,
        doc_kind=document.kind,
        seq=version.seq if version else None,
        content=version.content if version else bare_content(document),
        diff=tuple(change.diff or ()),
        detected_at=change.detected_at,
        thread_root_alert_id=_thread_root(session, alert, document.id),
    )


def ops_content(session: Session, alert: QueuedAlert) -> OpsContent:
    """The event of an operational alert."""
    event = session.get(OpsEvent, alert.ops_event_id) if alert.ops_event_id else None
    if event is None:
        raise AlertRowsMissing(
            f"alert {alert.id}: ops event {alert.ops_event_id} not found"
        )
    return OpsContent(
        alert_id=alert.id,
        event_id=event.id,
        kind=event.kind,
        subject=event.subject,
        phase=event.phase,
        detail=dict(event.detail or {}),
        created_at=event.created_at,
    )


def _shown_version(session: Session, change: Change) -> Version | None:
    # A removal has no new version: it shows the last content the page had.
    version_id = change.to_version_id or change.from_version_id
    return session.get(Version, version_id) if version_id else None


def _thread_root(session: Session, alert: QueuedAlert, document_id: int) -> int | None:
    stmt = (
        select(func.min(Alert.id))
        .join(Change, Alert.change_id == Change.id)
        .where(Change.document_id == document_id, Alert.channel == alert.channel)
    )
    root = session.scalar(stmt)
    return None if root is None or root == alert.id else int(root)


def bare_content(document: Document) -> dict[str, Any]:
    """What the documents row knows, shaped like a Document (a page with no version)."""
    return {
        "url": document.url,
        "doc_id": document.doc_id,
        "kind": document.kind,
        "title": document.title or document.url,
        "date": document.date,
        "section": document.section,
        "body": [],
        "meeting": None,
    }
