"""The alert outbox: idempotent enqueue, exclusive claims, backoff, stale claims."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.claims import claim_due, release_stale_claims
from storage.db import unit_of_work
from storage.models import Alert, AlertStatus
from storage.outbox import (
    alert_counts,
    enqueue_alert,
    mark_failed,
    mark_sent,
)
from tests.factories import (
    T0,
    get_row,
    make_change,
    make_document,
    make_ops_event,
    make_version,
)


def _change_ids(session_factory, n):
    with unit_of_work(session_factory) as session:
        ids = []
        for i in range(n):
            record = make_version(session, make_document(i))
            change = make_change(
                session, record.document_id, to_version_id=record.version_id
            )
            ids.append(change.id)
        return ids


def test_enqueue_is_idempotent_per_change_and_channel(session_factory):
    (change_id,) = _change_ids(session_factory, 1)
    with unit_of_work(session_factory) as session:
        first = enqueue_alert(session, channel="desk", now=T0, change_id=change_id)
        again = enqueue_alert(session, channel="desk", now=T0, change_id=change_id)
        other = enqueue_alert(session, channel="team", now=T0, change_id=change_id)
        event = make_ops_event(session)
        ops = enqueue_alert(session, channel="desk", now=T0, ops_event_id=event.id)
        ops_again = enqueue_alert(
            session, channel="desk", now=T0, ops_event_id=event.id
        )
        # the duplicate did not abort the transaction: more writes still work
        make_ops_event(session, kind="silence")
    assert first is not None
    assert other is not None
    assert ops is not None
    assert again is None
    assert ops_again is None
    with unit_of_work(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 3
        alert = get_row(session, Alert, first.id)
        assert (alert.status, alert.attempts, alert.next_attempt_at) == (
            AlertStatus.PENDING,
            0,
            T0,
        )


def test_enqueue_needs_exactly_one_subject(session_factory):
    with (
        unit_of_work(session_factory) as session,
        pytest.raises(ValueError, match="exactly one"),
    ):
        enqueue_alert(session, channel="desk", now=T0)


def test_claim_due_takes_due_alerts_once_and_skips_future_ones(session_factory):
    ids = _change_ids(session_factory, 3)
    with unit_of_work(session_factory) as session:
        a = enqueue_alert(session, channel="c", now=T0, change_id=ids[0])
        b = enqueue_alert(
            session,
            channel="c",
            now=T0,
            change_id=ids[1],
            mode="daily",
            due_at=T0 + timedelta(hours=8),
        )
        c = enqueue_alert(session, channel="c", now=T0, change_id=ids[2])
        assert a is not None
        assert b is not None
        assert c is not None
    assert claim_due(session_factory, T0, worker="w1") == [a.id, c.id]
    assert claim_due(session_factory, T0, worker="w2") == []
    assert claim_due(session_factory, T0 + timedelta(hours=9), worker="w2") == [b.id]
    with unit_of_work(session_factory) as session:
        row = get_row(session, Alert, a.id)
        assert (row.status, row.claimed_by, row.claimed_at) == (
            AlertStatus.SENDING,
            "w1",
            T0,
        )


def test_concurrent_claimers_never_get_the_same_alert(session_factory):
    ids = _change_ids(session_factory, 40)
    with unit_of_work(session_factory) as session:
        for change_id in ids:
            for channel in ("desk", "team"):
                enqueue_alert(session, channel=channel, now=T0, change_id=change_id)
    barrier = threading.Barrier(4)
    claimed: list[list[int]] = [[] for _ in range(4)]

    def worker(n):
        barrier.wait()
        while batch := claim_due(session_factory, T0, worker=f"w{n}", limit=3):
            claimed[n].extend(batch)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = Counter(i for batch in claimed for i in batch)
    assert len(every) == 80
    assert max(every.values()) == 1
    with unit_of_work(session_factory) as session:
        assert alert_counts(session)[AlertStatus.SENDING] == 80


@contextmanager
def _one_queued_alert(session_factory) -> Iterator[tuple[Session, Alert]]:
    """The alert of a new change to channel "c", in a transaction still open."""
    (change_id,) = _change_ids(session_factory, 1)
    with unit_of_work(session_factory) as session:
        alert = enqueue_alert(session, channel="c", now=T0, change_id=change_id)
        assert alert is not None
        yield session, alert


def test_mark_failed_backs_off_exponentially_then_dies(session_factory):
    with _one_queued_alert(session_factory) as (session, alert):
        policy = partial(
            mark_failed, max_attempts=4, backoff_seconds=60, max_backoff_seconds=150
        )
        delays, statuses = [], []
        for _ in range(3):
            statuses.append(policy(session, alert.id, "smtp down", T0))
            delays.append((alert.next_attempt_at - T0).total_seconds())
        statuses.append(policy(session, alert.id, "still down", T0))
        assert delays == [60, 120, 150]
        assert statuses == [AlertStatus.FAILED] * 3 + [AlertStatus.DEAD]
        assert (alert.attempts, alert.last_error) == (4, "still down")


def test_mark_failed_honours_a_longer_retry_after(session_factory):
    with _one_queued_alert(session_factory) as (session, alert):
        too_many = partial(
            mark_failed,
            session,
            alert.id,
            "429",
            T0,
            max_attempts=5,
            backoff_seconds=60,
            max_backoff_seconds=600,
        )
        too_many(retry_after=900)  # first failure: the server's 900 s, not 60
        assert alert.next_attempt_at == T0 + timedelta(seconds=900)
        too_many(retry_after=1)  # second: the backoff's 120 s, not the server's 1
        assert alert.next_attempt_at == T0 + timedelta(seconds=120)
    assert claim_due(session_factory, T0 + timedelta(seconds=119), worker="w") == []
    assert claim_due(session_factory, T0 + timedelta(seconds=120), worker="w") == [
        alert.id
    ]


def test_sent_alerts_are_not_claimed_again_and_counts_add_up(session_factory):
    ids = _change_ids(session_factory, 2)
    with unit_of_work(session_factory) as session:
        for change_id in ids:
            enqueue_alert(session, channel="c", now=T0, change_id=change_id)
    first, _second = claim_due(session_factory, T0, worker="w")
    with unit_of_work(session_factory) as session:
        mark_sent(session, first, T0)
        assert get_row(session, Alert, first).sent_at == T0
    assert claim_due(session_factory, T0 + timedelta(days=1), worker="w") == []
    with unit_of_work(session_factory) as session:
        counts = alert_counts(session)
    assert counts[AlertStatus.SENT] == 1
    assert counts[AlertStatus.SENDING] == 1
    assert counts[AlertStatus.PENDING] == counts[AlertStatus.DEAD] == 0


def test_release_stale_claims_returns_alerts_of_a_dead_dispatcher(session_factory):
    ids = _change_ids(session_factory, 2)
    with unit_of_work(session_factory) as session:
        for change_id in ids:
            enqueue_alert(session, channel="c", now=T0, change_id=change_id)
    old = claim_due(session_factory, T0, worker="dead", limit=1)
    recent = claim_due(session_factory, T0 + timedelta(minutes=9), worker="alive")
    with unit_of_work(session_factory) as session:
        released = release_stale_claims(
            session, T0 + timedelta(minutes=10), timedelta(minutes=5)
        )
    assert released == 1
    assert claim_due(session_factory, T0 + timedelta(minutes=10), worker="w") == old
    assert recent != old
