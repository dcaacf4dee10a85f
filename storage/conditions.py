"""Operational conditions as stored: each one's state, and an event when it moves."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Document, OpsCondition, OpsEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConditionEvent:
    """A stored OpsEvent: a condition started or ended."""

    id: int
    kind: str
    subject: str
    phase: str


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


def count_streak(
    session: Session, kind: str, subject: str, now: datetime, *, bad: bool
) -> int:
    """One more cycle in the condition's streak when `bad`, else back to 0."""
    condition = condition_for(session, kind, subject, now)
    condition.streak = condition.streak + 1 if bad else 0
    return condition.streak


def move_condition(
    session: Session,
    kind: str,
    subject: str,
    active: bool | None,
    now: datetime,
    detail: Mapping[str, Any],
) -> list[ConditionEvent]:
    """Move the condition to `active` (None: unknown, keep); an event on transitions."""
    if active is None:
        return []
    condition = condition_for(session, kind, subject, now)
    condition.updated_at = now
    if active == condition.is_active:
        return []
    event_detail = dict(detail)
    if not active and condition.since is not None:
        event_detail["since"] = condition.since.isoformat()
    condition.is_active = active
    condition.since = now
    phase = "started" if active else "ended"
    event = OpsEvent(
        kind=kind, subject=subject, phase=phase, detail=event_detail, created_at=now
    )
    session.add(event)
    session.flush()  # transitions are rare: one flush each gives the event its id
    return [ConditionEvent(event.id, kind, subject, phase)]


def newest_first_seen(session: Session) -> datetime | None:
    """When the most recently discovered document was first seen (None: none yet)."""
    return session.scalar(select(func.max(Document.first_seen_at)))
