"""Outbox rows -> the render layer's views (ChangeView, OpsView) -> messages."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.alerts.render.cards import (
    ChangeView,
    OpsView,
    Rendered,
    render_change,
    render_digest,
    render_ops,
)
from monitor.detect.diff import FieldChange
from storage.alert_content import (
    QueuedAlert,
    change_content,
    ops_content,
    queued_alerts,
)
from storage.db import DbSession, SessionFactory
from storage.pairs import counterpart_by_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Batch:
    """Alerts that go out as one message: a single alert, or one channel's digest."""

    channel: str
    alert_ids: tuple[int, ...]
    message: Rendered | None
    error: str | None = None


def change_view(session: DbSession, alert: QueuedAlert) -> ChangeView:
    """The ChangeView of a change alert: newest content, field changes, thread root."""
    found = change_content(session, alert)
    return ChangeView(
        alert_id=found.alert_id,
        change_id=found.change_id,
        kind=found.kind,
        document_url=found.document_url,
        doc_id=found.doc_id,
        doc_kind=found.doc_kind,
        seq=found.seq,
        content=found.content,
        changes=tuple(FieldChange.from_dict(d) for d in found.diff),
        detected_at=found.detected_at,
        thread_root_alert_id=found.thread_root_alert_id,
        counterpart=_counterpart(session, found.document_url),
    )


def _counterpart(session: DbSession, url: str) -> tuple[str, str, str | None] | None:
    """The other language's version of a paired document: (language, url, title)."""
    other = counterpart_by_url(session, url)
    return None if other is None else (other.language, other.url, other.title)


def ops_view(session: DbSession, alert: QueuedAlert) -> OpsView:
    """The OpsView of an operational alert."""
    found = ops_content(session, alert)
    return OpsView(
        alert_id=found.alert_id,
        event_id=found.event_id,
        kind=found.kind,
        subject=found.subject,
        phase=found.phase,
        detail=found.detail,
        created_at=found.created_at,
    )


def render_batches(factory: SessionFactory, alert_ids: Sequence[int]) -> list[Batch]:
    """Render claimed alerts: one message each, digests grouped per channel."""
    batches: list[Batch] = []
    digests: dict[str, list[QueuedAlert]] = {}
    with factory() as session:
        for alert in queued_alerts(session, alert_ids):
            if alert.change_id is not None and alert.mode != "immediate":
                digests.setdefault(alert.channel, []).append(alert)
                continue
            batches.append(_render_one(session, alert))
        for channel, alerts in digests.items():
            batches.append(_render_digest(session, channel, alerts))
    return batches


def _render_one(session: DbSession, alert: QueuedAlert) -> Batch:
    try:
        if alert.change_id is not None:
            message = render_change(change_view(session, alert))
        else:
            message = render_ops(ops_view(session, alert))
    except Exception as exc:
        logger.error("alert %d: cannot render", alert.id, exc_info=True)
        return Batch(alert.channel, (alert.id,), None, f"render: {exc}")
    return Batch(alert.channel, (alert.id,), message)


def _render_digest(
    session: DbSession, channel: str, alerts: list[QueuedAlert]
) -> Batch:
    ids = tuple(a.id for a in alerts)
    try:
        message = render_digest([change_view(session, a) for a in alerts])
    except Exception as exc:
        logger.error("digest for %s: cannot render", channel, exc_info=True)
        return Batch(channel, ids, None, f"render: {exc}")
    return Batch(channel, ids, message)
