"""Claims on the outbox: which alerts a dispatcher takes, in which order, and giving
back those of a dispatcher that died."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from storage.db import unit_of_work
from storage.models import Alert, AlertStatus, Change
from storage.outbox import CLAIMABLE

logger = logging.getLogger(__name__)

# Not delivered yet, and still to be: these hold back later alerts of their document.
_UNSENT = (AlertStatus.PENDING, AlertStatus.FAILED, AlertStatus.SENDING)


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
            Alert.status.in_(CLAIMABLE), Alert.next_attempt_at <= now
        )
        if exclude:
            due = due.where(Alert.id.not_in(list(exclude)))
        due = due.order_by(Alert.next_attempt_at, Alert.id).limit(limit)
        ids = set(session.scalars(_locked(due, locking)))
        if not ids:
            return []
        params = {"later_ids": list(ids), "exclude": list(exclude)}
        ids.update(session.scalars(_locked(_EARLIER_CLAIMABLE, locking), params))
        # BEGIN IMMEDIATE serializes SQLite writers; the WHERE re-checks the status.
        stmt = (
            update(Alert)
            .where(Alert.id.in_(ids), Alert.status.in_(CLAIMABLE))
            .values(status=AlertStatus.SENDING, claimed_at=now, claimed_by=worker[:64])
            .returning(Alert.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(session.scalars(stmt))


def _locked(stmt: Select[int], locking: bool) -> Select[int]:
    if not locking:
        return stmt
    return stmt.with_for_update(skip_locked=True, of=Alert)


def _earlier_than(statuses: Sequence[AlertStatus]) -> Select[int]:
    """Alerts in `statuses` about an earlier change of the same document, on the same
    channel, as one of the alerts `later_ids`, leaving out those in `exclude`."""
    later, later_change = aliased(Alert, name="later"), aliased(Change, name="lc")
    return (
        select(Alert.id)
        .join(Change, Alert.change_id == Change.id)
        .join(later_change, later_change.document_id == Change.document_id)
        .join(later, later.change_id == later_change.id)
        .where(
            later.id.in_(bindparam("later_ids", expanding=True)),
            later.channel == Alert.channel,
            Change.id < later_change.id,
            Alert.status.in_(statuses),
            Alert.id.not_in(bindparam("exclude", expanding=True)),
        )
    )


# Built once: statements of a dispatch pass are run for every message.
_EARLIER_CLAIMABLE = _earlier_than(CLAIMABLE)
_FIRST_EARLIER_UNSENT = _earlier_than(_UNSENT).order_by(Alert.id).limit(1)


def waiting_on(session: Session, alert_ids: Collection[int]) -> int | None:
    """An undelivered alert, outside `alert_ids`, about an earlier change of the same
    document on the same channel as one of them (the lowest id); None if none."""
    ids = list(alert_ids)
    params = {"later_ids": ids, "exclude": ids}
    return session.scalars(_FIRST_EARLIER_UNSENT, params).first()


def release_dead_claims(
    factory: sessionmaker[Session],
    now: datetime,
    *,
    older_than: timedelta,
    host: str,
    alive: Callable[[int], bool],
) -> int:
    """Give back claims older than `older_than`, and those of dispatchers on `host`
    whose process is gone (own transaction); the count."""
    with unit_of_work(factory) as session:
        released = release_stale_claims(session, now, older_than)
        return released + release_orphaned_claims(session, host, alive)


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
