"""The alert outbox: queue once per (change or ops event, channel), claim, settle."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, sessionmaker

from storage.db import unit_of_work
from storage.models import Alert, AlertStatus, Change

logger = logging.getLogger(__name__)

_CLAIMABLE = (AlertStatus.PENDING, AlertStatus.FAILED)
# Not delivered yet, and still to be: these hold back later alerts of their document.
_UNSENT = (AlertStatus.PENDING, AlertStatus.FAILED, AlertStatus.SENDING)


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
    factory: sessionmaker[Session],
    now: datetime,
    *,
    worker: str,
    limit: int = 50,
    exclude: Collection[int] = (),
) -> list[int]:
    """Mark due PENDING/FAILED alerts SENDING for this worker (own transaction).

    An earlier unsent alert about the same document on the same channel is claimed
    with a due one even if its own retry is not due yet: it must go out first.
    Alerts in `exclude` (already tried by this dispatch pass) are never claimed.
    """
    with unit_of_work(factory) as session:
        locking = session.get_bind().dialect.name == "postgresql"
        due = select(Alert.id).where(
            Alert.status.in_(_CLAIMABLE), Alert.next_attempt_at <= now
        )
        if exclude:
            due = due.where(Alert.id.not_in(list(exclude)))
        due = due.order_by(Alert.next_attempt_at, Alert.id).limit(limit)
        ids = set(session.scalars(_locked(due, locking)))
        if not ids:
            return []
        earlier = _earlier_than(ids, _CLAIMABLE)
        if exclude:
            earlier = earlier.where(Alert.id.not_in(list(exclude)))
        ids.update(session.scalars(_locked(earlier, locking)))
        # BEGIN IMMEDIATE serializes SQLite writers; the WHERE re-checks the status.
        stmt = (
            update(Alert)
            .where(Alert.id.in_(ids), Alert.status.in_(_CLAIMABLE))
            .values(status=AlertStatus.SENDING, claimed_at=now, claimed_by=worker[:64])
            .returning(Alert.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(session.scalars(stmt))


def _locked(stmt: Select[int], locking: bool) -> Select[int]:
    if not locking:
        return stmt
    return stmt.with_for_update(skip_locked=True, of=Alert)


def _earlier_than(
    alert_ids: Collection[int], statuses: Sequence[AlertStatus]
) -> Select[int]:
    """Alerts in `statuses` about an earlier change of the same document, on the same
    channel, as one of `alert_ids`."""
    later, later_change = aliased(Alert), aliased(Change)
    return (
        select(Alert.id)
        .join(Change, Alert.change_id == Change.id)
        .join(later_change, later_change.document_id == Change.document_id)
        .join(later, later.change_id == later_change.id)
        .where(
            later.id.in_(list(alert_ids)),
            later.channel == Alert.channel,
            Change.id < later_change.id,
            Alert.status.in_(statuses),
        )
    )


def waiting_on(session: Session, alert_ids: Collection[int]) -> int | None:
    """An undelivered alert, outside `alert_ids`, about an earlier change of the same
    document on the same channel as one of them (the lowest id); None if none."""
    earlier = _earlier_than(alert_ids, _UNSENT).where(Alert.id.not_in(list(alert_ids)))
    return session.scalars(earlier.order_by(Alert.id).limit(1)).first()


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
        .where(Alert.status.in_(_CLAIMABLE), Alert.next_attempt_at <= now)
        .order_by(Alert.id)
    )
    return list(session.scalars(stmt))


def release_orphaned_claims(
    session: Session, host: str, alive: Callable[[int], bool]
) -> int:
    """Claims of a dispatcher on `host` whose process is gone (killed mid-send):
    unclaimed again; the count. Claims are named "host:pid"."""
    stmt = select(Alert).where(
        Alert.status == AlertStatus.SENDING, Alert.claimed_by.like(f"{host}:%")
    )
    released = 0
    for alert in session.scalars(stmt):
        pid_text = (alert.claimed_by or "").rpartition(":")[2]
        if pid_text.isdigit() and not alive(int(pid_text)):
            alert.status = (
                AlertStatus.PENDING if alert.attempts == 0 else AlertStatus.FAILED
            )
            alert.claimed_at = None
            alert.claimed_by = None
            released += 1
    return released


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
