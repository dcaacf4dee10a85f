"""Queue the alerts a recorded change calls for, one per channel its rules name."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from monitor.alerts.rules import route_change
from monitor.config import Settings
from storage.db import DbSession
from storage.outbox import enqueue_alert
from storage.vocabulary import ChangeKind

__all__ = ["queue_alerts"]


def queue_alerts(
    session: DbSession,
    settings: Settings,
    now: datetime,
    change_id: int,
    kind: ChangeKind,
    content: Mapping[str, Any],
) -> int:
    """Enqueue the change's alerts in the outbox; how many were queued."""
    queued = 0
    for route in route_change(kind.value, content, settings, now):
        alert = enqueue_alert(
            session,
            channel=route.channel,
            now=now,
            change_id=change_id,
            mode=route.mode,
            due_at=route.due_at,
        )
        queued += alert is not None
    return queued
