"""Drain the alert outbox into the notifiers: claim, render, send, mark sent or failed.

Sending happens outside any transaction. An alert sent but not yet marked sent when
the process dies is sent again later: delivery is at-least-once, never at-most-once.

Order: on each channel, the alerts about one document go out in the order of their
changes. An alert whose document has an earlier undelivered alert on the channel
waits for it (the earlier one is claimed along and sent first); it is never sent
alone. When a channel accepts a message, its other failed alerts are due again at
once. Each alert is tried at most once per pass, whatever the backoff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.claims import STALE_CLAIM, process_alive, this_host, worker_name
from monitor.alerts.notifiers import build_notifiers
from monitor.alerts.notifiers.base import (
    AddressedNotifier,
    Notifier,
    NotifyError,
    PartialDelivery,
    send_waiting_once,
)
from monitor.alerts.render.cards import Rendered
from monitor.alerts.views import Batch, render_batches
from monitor.config import Settings
from storage.claims import claim_due, release_dead_claims, waiting_on
from storage.db import unit_of_work
from storage.models import AlertStatus
from storage.outbox import (
    due_alert_ids,
    hold,
    mark_failed,
    mark_sent,
    retry_channel_now,
    undelivered_recipients,
)

logger = logging.getLogger(__name__)

CLAIM_BATCH = 50
MAX_ROUNDS = 20


@dataclass(frozen=True, slots=True)
class Planned:
    """One message dispatch would send (dry run)."""

    channel: str
    subject: str
    alert_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """Counts of one dispatch pass; `planned` is filled by a dry run only."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    planned: tuple[Planned, ...] = field(default_factory=tuple)
    held: int = 0  # not tried: an earlier alert about the document is undelivered


@dataclass(frozen=True, slots=True)
class _Outcome:
    """How one send went: no error, or the error and what the channel asked."""

    error: str | None = None
    retry_after: float | None = None
    undelivered: tuple[str, ...] | None = None


@dataclass
class _Tally:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    held: int = 0
    # Every alert claimed in this pass: none is claimed twice.
    tried: set[int] = field(default_factory=set)
    # Channels whose failed alerts were made due since their last failure.
    recovered: set[str] = field(default_factory=set)


def dispatch_due(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    notifiers: Mapping[str, Notifier] | None = None,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> DispatchResult:
    """Send every due alert once; failures are retried later with backoff."""
    channels = dict(notifiers) if notifiers is not None else build_notifiers(settings)
    if dry_run:
        return DispatchResult(planned=tuple(_plan(factory, now)))
    _release_dead_claims(factory, now)
    tally = _Tally()
    worker = worker_name()
    for _ in range(MAX_ROUNDS):
        alert_ids = claim_due(
            factory, now, worker=worker, limit=CLAIM_BATCH, exclude=tally.tried
        )
        if not alert_ids:
            break
        tally.tried.update(alert_ids)
        batches = render_batches(factory, alert_ids)
        # Oldest first: an earlier change's alert goes before a later one's.
        for batch in sorted(batches, key=lambda b: min(b.alert_ids)):
            _deliver(factory, settings, now, batch, channels, tally, sleep)
    result = DispatchResult(
        tally.sent, tally.failed, tally.dead, tally.skipped, held=tally.held
    )
    if result != DispatchResult():
        logger.info(
            "dispatch: %d sent, %d failed, %d dead, %d skipped, %d held back",
            result.sent,
            result.failed,
            result.dead,
            result.skipped,
            result.held,
        )
    return result


def _release_dead_claims(factory: sessionmaker[Session], now: datetime) -> None:
    released = release_dead_claims(
        factory, now, older_than=STALE_CLAIM, host=this_host(), alive=process_alive
    )
    if released:
        logger.warning(
            "dispatch: %d alerts claimed by a dispatcher that died are due again",
            released,
        )


def _deliver(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    batch: Batch,
    channels: Mapping[str, Notifier],
    tally: _Tally,
    sleep: Callable[[float], None],
) -> None:
    if _held_back(factory, batch, tally):
        return
    notifier = channels.get(batch.channel)
    outcome = _Outcome(error=batch.error)
    if notifier is None:
        outcome = _Outcome(error=f"channel {batch.channel!r} is not configured")
        tally.skipped += len(batch.alert_ids)
    elif batch.message is not None:
        outcome = _send(factory, notifier, batch.message, batch, sleep)
    with unit_of_work(factory) as session:
        if outcome.error is None:
            for alert_id in batch.alert_ids:
                mark_sent(session, alert_id, now)
            tally.sent += len(batch.alert_ids)
            _channel_is_back(session, batch.channel, now, tally)
            return
        for alert_id in batch.alert_ids:
            status = mark_failed(
                session,
                alert_id,
                outcome.error,
                now,
                max_attempts=settings.alerts.max_attempts,
                backoff_seconds=settings.alerts.backoff_seconds,
                max_backoff_seconds=settings.alerts.max_backoff_seconds,
                retry_after=outcome.retry_after,
                undelivered=outcome.undelivered,
            )
            if status == AlertStatus.DEAD:
                tally.dead += 1
            elif notifier is not None:
                tally.failed += 1
        tally.recovered.discard(batch.channel)


def _held_back(factory: sessionmaker[Session], batch: Batch, tally: _Tally) -> bool:
    """True (and the batch returned untried) when an earlier alert about one of its
    documents is still undelivered on the channel."""
    with factory() as session:
        blocker = waiting_on(session, batch.alert_ids)
    if blocker is None:
        return False
    with unit_of_work(factory) as session:
        for alert_id in batch.alert_ids:
            hold(session, alert_id, blocker)
    tally.held += len(batch.alert_ids)
    logger.info(
        "alerts %s via %s wait for alert %d (an earlier change of the document)",
        batch.alert_ids,
        batch.channel,
        blocker,
    )
    return True


def _channel_is_back(
    session: Session, channel: str, now: datetime, tally: _Tally
) -> None:
    """The channel accepted a message: its failed alerts are due again at once."""
    if channel in tally.recovered:
        return  # done, and nothing failed on it since
    due = retry_channel_now(session, channel, now)
    tally.recovered.add(channel)
    if due:
        logger.info("channel %s delivers again: %d failed alerts due now", channel, due)


def _send(
    factory: sessionmaker[Session],
    notifier: Notifier,
    message: Rendered,
    batch: Batch,
    sleep: Callable[[float], None],
) -> _Outcome:
    """Send (again after a short Retry-After), to the recipients still missing it."""
    recipients = None
    if isinstance(notifier, AddressedNotifier):  # only these can send to some
        with factory() as session:
            recipients = undelivered_recipients(session, batch.alert_ids)
    try:
        send_waiting_once(notifier, message, recipients=recipients, sleep=sleep)
    except NotifyError as exc:
        logger.warning(
            "alerts %s via %s failed: %s", batch.alert_ids, batch.channel, exc
        )
        undelivered = exc.undelivered if isinstance(exc, PartialDelivery) else None
        return _Outcome(str(exc) or type(exc).__name__, exc.retry_after, undelivered)
    except Exception as exc:
        logger.error(
            "alerts %s via %s failed unexpectedly",
            batch.alert_ids,
            batch.channel,
            exc_info=True,
        )
        return _Outcome(f"{type(exc).__name__}: {exc}")
    logger.info("alerts %s sent via %s", batch.alert_ids, batch.channel)
    return _Outcome()


def _plan(factory: sessionmaker[Session], now: datetime) -> list[Planned]:
    """What would be sent now, without claiming or changing anything."""
    with factory() as session:
        ids = due_alert_ids(session, now)
    planned = []
    for batch in render_batches(factory, ids):
        subject = batch.message.subject if batch.message else f"({batch.error})"
        planned.append(Planned(batch.channel, subject, batch.alert_ids))
        logger.info("dry run: would send %r to %s", subject, batch.channel)
    return planned
