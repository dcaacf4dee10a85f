"""The alert outbox: queue once per (change or ops event, channel), settle each try.

Claims (who is sending what, and in which order) are in storage.claims.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.bulk import insert_ignoring
from storage.db import unit_of_work
from storage.models import Alert, AlertStatus

logger = logging.getLogger(__name__)

# Alerts a dispatcher may take: never tried, or failed and to be tried again.
CLAIMABLE = (AlertStatus.PENDING, AlertStatus.FAILED)


@dataclass(frozen=True, slots=True)
class Backoff:
    """How a failed alert is tried again: doubling delays up to a cap, then dead."""

    max_attempts: int
    backoff_seconds: int
    max_backoff_seconds: int


@dataclass(frozen=True, slots=True)
class Failure:
    """Why one send failed, and what the channel asked for the next try."""

    error: str
    retry_after: float | None = None  # seconds the channel asked to wait
    undelivered: tuple[str, ...] | None = None  # recipients the send missed


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
    stmt = (
        insert_ignoring(dialect, Alert)
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
        .returning(Alert.id)
    )
    alert_id = session.execute(stmt).scalar()
    return None if alert_id is None else session.get(Alert, alert_id)


def _get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"no alert with id {alert_id}")
    return alert


def hold(session: Session, alert_id: int, blocker_id: int) -> None:
    """Return a claimed alert unsent and untried: an earlier one must go first."""
    alert = _get(session, alert_id)
    alert.status = AlertStatus.PENDING if alert.attempts == 0 else AlertStatus.FAILED
    alert.claimed_at = None
    alert.claimed_by = None
    alert.last_error = f"waits for alert {blocker_id} (an earlier change)"


def retry_channel_now(
    session: Session, channel: str, now: datetime, exclude: Collection[int] = ()
) -> int:
    """Make the channel's failed alerts due at once (it accepts messages again)."""
    stmt = update(Alert).where(
        Alert.channel == channel,
        Alert.status == AlertStatus.FAILED,
        Alert.next_attempt_at > now,
    )
    if exclude:
        stmt = stmt.where(Alert.id.not_in(list(exclude)))
    result = session.execute(
        stmt.values(next_attempt_at=now).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def due_alert_ids(session: Session, now: datetime) -> list[int]:
    """Ids of the alerts a dispatch at `now` would claim, oldest first (a dry run)."""
    stmt = (
        select(Alert.id)
        .where(Alert.status.in_(CLAIMABLE), Alert.next_attempt_at <= now)
        .order_by(Alert.id)
    )
    return list(session.scalars(stmt))


def mark_sent(session: Session, alert_id: int, now: datetime) -> None:
    alert = _get(session, alert_id)
    alert.status = AlertStatus.SENT
    alert.sent_at = now
    alert.last_error = None
    alert.undelivered_to = None


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
    undelivered: Sequence[str] | None = None,
) -> AlertStatus:
    """Count a failed attempt: FAILED with a backed-off next try, or DEAD.

    `undelivered`: the attempt reached all recipients but these; the next one goes
    to these only.
    """
    alert = _get(session, alert_id)
    alert.attempts += 1
    alert.last_error = error
    if undelivered is not None:
        alert.undelivered_to = sorted(undelivered)
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


def undelivered_recipients(
    session: Session, alert_ids: Collection[int]
) -> tuple[str, ...] | None:
    """The recipients these alerts still have to reach, when each was delivered in
    part before; None when one of them still goes to every recipient."""
    stmt = select(Alert.undelivered_to).where(Alert.id.in_(list(alert_ids)))
    remaining: set[str] = set()
    for undelivered in session.scalars(stmt):
        if undelivered is None:
            return None
        remaining.update(undelivered)
    return tuple(sorted(remaining))


def alert_counts(session: Session) -> dict[AlertStatus, int]:
    """How many alerts are in each status (every status present, zero if none)."""
    counts = dict.fromkeys(AlertStatus, 0)
    stmt = select(Alert.status, func.count()).group_by(Alert.status)
    for status, count in session.execute(stmt):
        counts[AlertStatus(status)] = int(count)
    return counts


def settle_sent(
    factory: sessionmaker[Session],
    alert_ids: Collection[int],
    now: datetime,
    *,
    reopen_channel: str | None = None,
) -> int:
    """Mark the alerts sent (own transaction). With `reopen_channel`, that channel's
    failed alerts are made due at once as well (it accepts messages again); how many
    were (0 without it)."""
    with unit_of_work(factory) as session:
        for alert_id in alert_ids:
            mark_sent(session, alert_id, now)
        if reopen_channel is None:
            return 0
        return retry_channel_now(session, reopen_channel, now)


def settle_failed(
    factory: sessionmaker[Session],
    alert_ids: Collection[int],
    failure: Failure,
    now: datetime,
    backoff: Backoff,
) -> list[AlertStatus]:
    """Count a failed attempt on each alert (own transaction); their new statuses,
    FAILED or DEAD, in the order of `alert_ids`."""
    with unit_of_work(factory) as session:
        return [
            mark_failed(
                session,
                alert_id,
                failure.error,
                now,
                max_attempts=backoff.max_attempts,
                backoff_seconds=backoff.backoff_seconds,
                max_backoff_seconds=backoff.max_backoff_seconds,
                retry_after=failure.retry_after,
                undelivered=failure.undelivered,
            )
            for alert_id in alert_ids
        ]
