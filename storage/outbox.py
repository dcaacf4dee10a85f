"""The alert outbox: queue once per (change or ops event, channel), claim, settle."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage.db import unit_of_work
from storage.models import Alert, AlertStatus

logger = logging.getLogger(__name__)

_CLAIMABLE = (AlertStatus.PENDING, AlertStatus.FAILED)


def enqueue_alert(
    session: Session,
    *,
    channel: str,
    now: datetime,
    change_id: int | None = None,
    ops_event_id: int | None = None,
    mode: str = "immediate",
    due_at: datetime | None = None,
) -> Alert | None:
    """Queue one alert; None if this change/event is already queued for the channel."""
    if (change_id is None) == (ops_event_id is None):
        raise ValueError("give exactly one of change_id and ops_event_id")
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Alert)
        .values(
            change_id=change_id,
            ops_event_id=ops_event_id,
            channel=channel,
            mode=mode,
            status=AlertStatus.PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=due_at or now,
        )
        .on_conflict_do_nothing()
        .returning(Alert.id)
    )
    alert_id = session.execute(stmt).scalar()
    return None if alert_id is None else session.get(Alert, alert_id)


def claim_due(
    factory: sessionmaker[Session], now: datetime, *, worker: str, limit: int = 50
) -> list[int]:
    """Mark due PENDING/FAILED alerts SENDING for this worker (own transaction)."""
    with unit_of_work(factory) as session:
        due = (
            select(Alert.id)
            .where(Alert.status.in_(_CLAIMABLE), Alert.next_attempt_at <= now)
            .order_by(Alert.next_attempt_at, Alert.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(due.with_for_update(skip_locked=True)))
            if not ids:
                return []
            condition = Alert.id.in_(ids)
        else:
            # BEGIN IMMEDIATE serializes writers; the outer WHERE re-checks the rule.
            condition = Alert.id.in_(due.scalar_subquery())
        stmt = (
            update(Alert)
            .where(condition, Alert.status.in_(_CLAIMABLE))
            .values(status=AlertStatus.SENDING, claimed_at=now, claimed_by=worker[:64])
            .returning(Alert.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(session.scalars(stmt))


def release_stale_claims(session: Session, now: datetime, older_than: timedelta) -> int:
    """Return alerts left SENDING by a dispatcher that died to PENDING; the count."""
    stmt = (
        update(Alert)
        .where(Alert.status == AlertStatus.SENDING, Alert.claimed_at < now - older_than)
        .values(status=AlertStatus.PENDING, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    count = session.execute(stmt).rowcount  # type: ignore[attr-defined]
    if count:
        logger.warning("released %d alerts claimed before %s", count, now - older_than)
    return int(count)


def _get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"no alert with id {alert_id}")
    return alert


def mark_sent(session: Session, alert_id: int, now: datetime) -> None:
    alert = _get(session, alert_id)
    alert.status = AlertStatus.SENT
    alert.sent_at = now
    alert.last_error = None


def mark_failed(
    session: Session,
    alert_id: int,
    error: str,
    now: datetime,
    *,
    max_attempts: int,
    backoff_seconds: int,
    max_backoff_seconds: int,
    retry_after: float | None = None,
) -> AlertStatus:
    """Count a failed attempt: FAILED with a backed-off next try, or DEAD."""
    alert = _get(session, alert_id)
    alert.attempts += 1
    alert.last_error = error
    alert.claimed_at = None
    alert.claimed_by = None
    if alert.attempts >= max_attempts:
        alert.status = AlertStatus.DEAD
        return alert.status
    delay = min(max_backoff_seconds, backoff_seconds * 2 ** (alert.attempts - 1))
    if retry_after is not None:
        delay = max(delay, retry_after)
    alert.status = AlertStatus.FAILED
    alert.next_attempt_at = now + timedelta(seconds=delay)
    return alert.status


def alert_counts(session: Session) -> dict[AlertStatus, int]:
    """How many alerts are in each status (every status present, zero if none)."""
    counts = dict.fromkeys(AlertStatus, 0)
    stmt = select(Alert.status, func.count()).group_by(Alert.status)
    for status, count in session.execute(stmt):
        counts[AlertStatus(status)] = int(count)
    return counts
