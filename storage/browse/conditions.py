"""The operational conditions in force now (blocked, failing, drift, silence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OpsCondition


@dataclass(frozen=True, slots=True)
class OpenCondition:
    kind: str
    subject: str
    since: datetime | None
    streak: int


def open_conditions(session: Session) -> list[OpenCondition]:
    """Every active condition, the oldest first."""
    stmt = (
        select(OpsCondition)
        .where(OpsCondition.is_active.is_(True))
        .order_by(OpsCondition.since, OpsCondition.id)
    )
    return [
        OpenCondition(c.kind, c.subject, c.since, c.streak or 0)
        for c in session.scalars(stmt)
    ]
