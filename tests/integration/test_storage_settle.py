"""Settling dispatch outcomes, holding alerts back, the robots.txt snapshot and the
removed state, through storage's named functions (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from storage.claims import claim_due, hold_if_waiting
from storage.db import unit_of_work
from storage.models import Alert, AlertStatus
from storage.outbox import Backoff, Failure, enqueue_alert, settle_failed, settle_sent
from storage.robots import keep_robots, newest_robots
from storage.snapshots import FetchRecord
from tests.factories import T0, get_row, make_change, make_document, make_version

ROBOTS = "https://www.mofa.go.jp/robots.txt"
LATER = T0 + timedelta(hours=1)


def _alerts(session_factory, channels, *, same_document=False):
    """One alert per channel, each about its own change (of one document if asked)."""
    ids = []
    with unit_of_work(session_factory) as session:
        first = make_version(session, make_document(0))
        for n, channel in enumerate(channels):
            record = first if same_document else make_version(session, make_document(n))
            change = make_change(session, record.document_id)
            alert = enqueue_alert(session, channel=channel, now=T0, change_id=change.id)
            assert alert is not None
            ids.append(alert.id)
    return ids


def test_settle_failed_backs_off_then_kills(session_factory):
    ids = _alerts(session_factory, ["c", "c"])
    backoff = Backoff(max_attempts=2, backoff_seconds=60, max_backoff_seconds=600)
    failure = Failure("down", retry_after=90, undelivered=("b@x", "a@x"))
    assert settle_failed(session_factory, ids, failure, T0, backoff) == [
        AlertStatus.FAILED,
        AlertStatus.FAILED,
    ]
    with unit_of_work(session_factory) as session:
        alert = get_row(session, Alert, ids[0])
        assert alert.next_attempt_at == T0 + timedelta(seconds=90)
        assert (alert.last_error, alert.undelivered_to) == ("down", ["a@x", "b@x"])
    statuses = settle_failed(session_factory, ids[:1], Failure("x"), T0, backoff)
    assert statuses == [AlertStatus.DEAD]


def test_settle_sent_reopens_only_the_named_channel(session_factory):
    sent, failed_here, failed_there = _alerts(session_factory, ["c", "c", "d"])
    backoff = Backoff(max_attempts=5, backoff_seconds=600, max_backoff_seconds=600)
    settle_failed(
        session_factory, [failed_here, failed_there], Failure("down"), T0, backoff
    )
    soon = T0 + timedelta(minutes=5)  # before the failed ones' backoff ends
    assert settle_sent(session_factory, [sent], soon) == 0
    assert claim_due(session_factory, soon, worker="w") == []
    assert settle_sent(session_factory, [sent], soon, reopen_channel="c") == 1
    with unit_of_work(session_factory) as session:
        row = get_row(session, Alert, sent)
        assert (row.status, row.sent_at) == (AlertStatus.SENT, soon)
    assert claim_due(session_factory, soon, worker="w") == [failed_here]


def test_hold_if_waiting_returns_the_later_alert_untried(session_factory):
    earlier, later = _alerts(session_factory, ["c", "c"], same_document=True)
    assert hold_if_waiting(session_factory, [earlier, later]) is None
    with unit_of_work(session_factory) as session:
        get_row(session, Alert, earlier).status = AlertStatus.SENDING
        get_row(session, Alert, later).status = AlertStatus.SENDING
    assert hold_if_waiting(session_factory, [later]) == earlier
    with unit_of_work(session_factory) as session:
        row = get_row(session, Alert, later)
        assert (row.status, row.attempts, row.claimed_by) == (
            AlertStatus.PENDING,
            0,
            None,
        )
        assert row.last_error == f"waits for alert {earlier} (an earlier change)"


def _robots(status, body, fetched_at, etag=None):
    return FetchRecord(
        url=ROBOTS, fetched_at=fetched_at, status=status, body=body, etag=etag
    )


def test_newest_robots_is_the_latest_good_answer(session_factory):
    with unit_of_work(session_factory) as session:
        assert newest_robots(session, ROBOTS) is None
        keep_robots(session, _robots(200, b"Disallow: /old/", T0, etag='"1"'))
        keep_robots(session, _robots(200, b"Disallow: /new/", LATER, etag='"2"'))
        keep_robots(session, _robots(503, b"busy", LATER + timedelta(hours=1)))
    with session_factory() as session:
        stored = newest_robots(session, ROBOTS)
    assert stored is not None
    assert (stored.text, stored.etag, stored.last_modified) == (
        "Disallow: /new/",
        '"2"',
        None,
    )
