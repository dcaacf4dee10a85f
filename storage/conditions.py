"""Operational conditions as stored: each one's state, and an event when it moves."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OpsCondition, OpsEvent

logger = logging.getLogger(__name__)


def condition_for(
    session: Session, kind: str, subject: str, now: datetime
) -> OpsCondition:
    """The condition's row, added (inactive) when it was never seen."""
    condition = session.scalar(
        select(OpsCondition).where(
            OpsCondition.kind == kind, OpsCondition.subject == subject
        )
    )
    if condition is None:
        condition = OpsCondition(
            kind=kind, subject=subject, is_active=False, streak=0, updated_at=now
        )
        session.add(condition)
    return condition


def move_condition(
    session: Session,
    kind: str,
    subject: str,
    active: bool | None,
    now: datetime,
    detail: Mapping[str, Any],
) -> list[OpsEvent]:
    """Move the condition to `active` (None: unknown, keep); an event on transitions."""
    if active is None:
        return []
    condition = condition_for(session, kind, subject, now)
    condition.updated_at = now
    if active == condition.is_active:
        return []
    event_detail = dict(detail)
    if not active and condition.since is not None:
        event_detail["since"] = _aware(condition.since).isoformat()
    condition.is_active = active
    condition.since = now
    event = OpsEvent(
        kind=kind,
        subject=subject,
        phase="started" if active else "ended",
        detail=event_detail,
        created_at=now,
    )
    session.add(event)
    return [event]


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
