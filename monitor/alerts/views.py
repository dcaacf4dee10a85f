"""Outbox rows -> the render layer's views (ChangeView, OpsView) -> messages."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.render.cards import (
    ChangeView,
    OpsView,
    Rendered,
    render_change,
    render_digest,
    render_ops,
)
from monitor.detect.diff import FieldChange
from storage.models import Alert, Change, Document, OpsEvent, Version
from storage.pairs import counterpart_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Batch:
    """Alerts that go out as one message: a single alert, or one channel's digest."""

    channel: str
    alert_ids: tuple[int, ...]
    message: Rendered | None
    error: str | None = None


class ViewError(LookupError):
    """An alert points at rows that are gone; it cannot be rendered."""


def change_view(session: Session, alert: Alert) -> ChangeView:
    """The ChangeView of a change alert: newest content, field changes, thread root."""
    change = session.get(Change, alert.change_id) if alert.change_id else None
    if change is None:
        raise ViewError(f"alert {alert.id}: change {alert.change_id} not found")
    document = session.get(Document, change.document_id)
    if document is None:
        raise ViewError(f"alert {alert.id}: document {change.document_id} not found")
    version = _shown_version(session, change)
    return ChangeView(
        alert_id=alert.id,
        change_id=change.id,
        kind=change.kind.value,
        document_url=document.url,
        doc_id=document.doc_id,
        doc_kind=document.kind,
        seq=version.seq if version else None,
        content=version.content if version else bare_content(document),
        changes=tuple(FieldChange.from_dict(d) for d in change.diff or ()),
        detected_at=change.detected_at,
        thread_root_alert_id=_thread_root(session, alert, document.id),
        counterpart=_counterpart(session, document.id),
    )


def _counterpart(
    session: Session, document_id: int
) -> tuple[str, str, str | None] | None:
    other = counterpart_of(session, document_id)
    return None if other is None else (other.language, other.url, other.title)


def ops_view(session: Session, alert: Alert) -> OpsView:
    """The OpsView of an operational alert."""
    event = session.get(OpsEvent, alert.ops_event_id) if alert.ops_event_id else None
    if event is None:
        raise ViewError(f"alert {alert.id}: ops event {alert.ops_event_id} not found")
    return OpsView(
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


def _thread_root(session: Session, alert: Alert, document_id: int) -> int | None:
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


def render_batches(
    factory: sessionmaker[Session], alert_ids: Sequence[int]
) -> list[Batch]:
    """Render claimed alerts: one message each, digests grouped per channel."""
    batches: list[Batch] = []
    digests: dict[str, list[int]] = {}
    with factory() as session:
        alerts = session.scalars(select(Alert).where(Alert.id.in_(alert_ids))).all()
        for alert in sorted(alerts, key=lambda a: a.id):
            if alert.change_id is not None and alert.mode != "immediate":
                digests.setdefault(alert.channel, []).append(alert.id)
                continue
            batches.append(_render_one(session, alert))
        for channel, ids in digests.items():
            batches.append(_render_digest(session, channel, ids))
    return batches


def _render_one(session: Session, alert: Alert) -> Batch:
    try:
        if alert.change_id is not None:
            message = render_change(change_view(session, alert))
        else:
            message = render_ops(ops_view(session, alert))
    except Exception as exc:
        logger.error("alert %d: cannot render", alert.id, exc_info=True)
        return Batch(alert.channel, (alert.id,), None, f"render: {exc}")
    return Batch(alert.channel, (alert.id,), message)


def _render_digest(session: Session, channel: str, ids: list[int]) -> Batch:
    try:
        views = [change_view(session, a) for a in _load(session, ids)]
        message = render_digest(views)
    except Exception as exc:
        logger.error("digest for %s: cannot render", channel, exc_info=True)
        return Batch(channel, tuple(ids), None, f"render: {exc}")
    return Batch(channel, tuple(ids), message)


def _load(session: Session, ids: Sequence[int]) -> list[Alert]:
    return list(
        session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id))
    )
