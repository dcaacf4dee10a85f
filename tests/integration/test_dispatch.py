"""dispatch_due: claim, render, send outside the transaction, settle (fake channels)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from monitor.alerts.dispatch import dispatch_due
from monitor.config import AlertSettings, ChannelSettings, RuleSettings, Settings
from monitor.detect.changes import detect_changes
from storage.db import unit_of_work
from storage.models import Alert, AlertStatus
from tests.integration.alerting import (
    EDITED,
    READOUT,
    RecordingNotifier,
    alerts,
    document,
    later,
    store,
)

SETTINGS = Settings(
    channels=(
        ChannelSettings(name="desk", type="console"),
        ChannelSettings(name="team", type="console"),
    ),
    alerts=AlertSettings(max_attempts=3, backoff_seconds=60, max_backoff_seconds=600),
)


def _queue_new(factory, settings=SETTINGS, at=0):
    store(factory, document(), later(at))
    detect_changes(factory, settings, later(at + 1))


def _no_sleep(_seconds):
    raise AssertionError("dispatch slept")


def test_due_alerts_are_sent_once_and_marked_sent(session_factory):
    _queue_new(session_factory)
    desk, team = RecordingNotifier("desk"), RecordingNotifier("team")
    channels = {"desk": desk, "team": team}
    result = dispatch_due(session_factory, SETTINGS, later(2), notifiers=channels)
    assert (result.sent, result.failed, result.dead) == (2, 0, 0)
    assert desk.subjects == team.subjects
    assert "New" in desk.subjects[0]
    assert all(a.status == AlertStatus.SENT for a in alerts(session_factory))
    again = dispatch_due(session_factory, SETTINGS, later(3), notifiers=channels)
    assert again.sent == 0
    assert len(desk.sent) == 1


def test_failed_send_is_retried_after_backoff_and_delivered_once(session_factory):
    _queue_new(session_factory)
    desk, team = RecordingNotifier("desk", fail=1), RecordingNotifier("team")
    channels = {"desk": desk, "team": team}
    first = dispatch_due(session_factory, SETTINGS, later(2), notifiers=channels)
    assert (first.sent, first.failed) == (1, 1)
    failed = next(a for a in alerts(session_factory) if a.channel == "desk")
    assert failed.status == AlertStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error == "server said no"
    early = dispatch_due(session_factory, SETTINGS, later(2.5), notifiers=channels)
    assert early.sent == 0
    dispatch_due(session_factory, SETTINGS, later(3.1), notifiers=channels)
    assert len(desk.sent) == 1
    assert len(team.sent) == 1
    assert all(a.status == AlertStatus.SENT for a in alerts(session_factory))


def test_long_retry_after_sets_the_next_attempt(session_factory):
    _queue_new(session_factory)
    desk = RecordingNotifier("desk", fail=1, retry_after=900)
    channels = {"desk": desk, "team": RecordingNotifier("team")}
    dispatch_due(
        session_factory, SETTINGS, later(2), notifiers=channels, sleep=_no_sleep
    )
    failed = next(a for a in alerts(session_factory) if a.channel == "desk")
    assert failed.next_attempt_at.replace(tzinfo=None) >= (
        later(2) + timedelta(seconds=900)
    ).replace(tzinfo=None)


def test_short_retry_after_is_waited_out_and_sent_in_the_same_pass(session_factory):
    _queue_new(session_factory)
    waits: list[float] = []
    desk = RecordingNotifier("desk", fail=1, retry_after=2)
    channels = {"desk": desk, "team": RecordingNotifier("team")}
    result = dispatch_due(
        session_factory, SETTINGS, later(2), notifiers=channels, sleep=waits.append
    )
    assert waits == [2]
    assert result.sent == 2
    assert len(desk.sent) == 1
    assert desk.attempts == 2


def test_alert_is_dead_after_the_last_attempt(session_factory):
    _queue_new(session_factory)
    desk = RecordingNotifier("desk", fail=99)
    channels = {"desk": desk, "team": RecordingNotifier("team")}
    results = [
        dispatch_due(session_factory, SETTINGS, later(2 + 30 * i), notifiers=channels)
        for i in range(4)
    ]
    assert [r.dead for r in results] == [0, 0, 1, 0]
    dead = next(a for a in alerts(session_factory) if a.channel == "desk")
    assert dead.status == AlertStatus.DEAD
    assert dead.attempts == 3
    assert desk.attempts == 3


def test_unexpected_channel_error_fails_only_that_alert(session_factory):
    _queue_new(session_factory)
    desk = RecordingNotifier("desk", fail=1, error=ValueError)
    team = RecordingNotifier("team")
    result = dispatch_due(
        session_factory, SETTINGS, later(2), notifiers={"desk": desk, "team": team}
    )
    assert (result.sent, result.failed) == (1, 1)
    failed = next(a for a in alerts(session_factory) if a.channel == "desk")
    assert failed.last_error == "ValueError: boom"
    assert len(team.sent) == 1


def test_dry_run_lists_messages_and_changes_nothing(session_factory):
    _queue_new(session_factory)
    desk, team = RecordingNotifier("desk"), RecordingNotifier("team")
    result = dispatch_due(
        session_factory,
        SETTINGS,
        later(2),
        dry_run=True,
        notifiers={"desk": desk, "team": team},
    )
    assert sorted(p.channel for p in result.planned) == ["desk", "team"]
    assert all("New" in p.subject for p in result.planned)
    assert desk.sent == []
    assert team.sent == []
    assert all(a.status == AlertStatus.PENDING for a in alerts(session_factory))
    assert all(a.claimed_by is None for a in alerts(session_factory))


def _claim_all(session_factory, owner: str) -> None:
    """Every alert claimed at minute 1 by `owner` ("host:pid"), as a dispatcher
    that died sending them leaves them."""
    with unit_of_work(session_factory) as session:
        session.execute(
            update(Alert).values(
                status=AlertStatus.SENDING, claimed_at=later(1), claimed_by=owner
            )
        )


def test_claim_left_by_a_dead_dispatcher_is_released_and_sent(session_factory):
    _queue_new(session_factory)
    _claim_all(session_factory, "elsewhere:1234")
    desk, team = RecordingNotifier("desk"), RecordingNotifier("team")
    channels = {"desk": desk, "team": team}
    assert (
        dispatch_due(session_factory, SETTINGS, later(5), notifiers=channels).sent == 0
    )
    assert (
        dispatch_due(session_factory, SETTINGS, later(12), notifiers=channels).sent == 2
    )


def test_alert_for_a_channel_no_longer_configured_is_skipped(session_factory):
    _queue_new(session_factory)
    team = RecordingNotifier("team")
    result = dispatch_due(session_factory, SETTINGS, later(2), notifiers={"team": team})
    assert (result.sent, result.skipped) == (1, 1)
    desk = next(a for a in alerts(session_factory) if a.channel == "desk")
    assert desk.status == AlertStatus.FAILED
    assert "not configured" in (desk.last_error or "")


def test_update_is_threaded_under_the_first_alert_of_the_document(session_factory):
    _queue_new(session_factory)
    desk, team = RecordingNotifier("desk"), RecordingNotifier("team")
    channels = {"desk": desk, "team": team}
    dispatch_due(session_factory, SETTINGS, later(2), notifiers=channels)
    store(session_factory, EDITED, later(30))
    detect_changes(session_factory, SETTINGS, later(31))
    dispatch_due(session_factory, SETTINGS, later(32), notifiers=channels)
    first, update_message = desk.sent
    assert "Updated" in update_message.subject
    assert update_message.in_reply_to == first.message_id
    assert first.in_reply_to is None
    assert team.sent[1].in_reply_to == team.sent[0].message_id != first.message_id


def test_digest_alerts_wait_for_their_time_and_go_as_one_message(session_factory):
    settings = Settings(
        channels=SETTINGS.channels,
        rules=(RuleSettings(channels=("desk",), mode="hourly"),),
    )
    store(session_factory, document(), later(0))
    other = document(
        url=READOUT["url"].replace("00001.html", "00002.html"),
        doc_id="pressite_000001_00002",
        title="Another meeting",
    )
    store(session_factory, other, later(0))
    detect_changes(session_factory, settings, later(1))
    desk = RecordingNotifier("desk")
    early = dispatch_due(session_factory, settings, later(2), notifiers={"desk": desk})
    assert early.sent == 0
    result = dispatch_due(
        session_factory, settings, later(61), notifiers={"desk": desk}
    )
    assert result.sent == 2
    (digest,) = desk.sent
    assert "Digest" in digest.subject


def test_claim_of_a_dead_process_on_this_host_is_released_at_once(session_factory):
    import socket
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    _queue_new(session_factory)
    _claim_all(session_factory, f"{socket.gethostname()}:{gone.stdout.strip()}")
    channels = {"desk": RecordingNotifier("desk"), "team": RecordingNotifier("team")}
    assert (
        dispatch_due(session_factory, SETTINGS, later(2), notifiers=channels).sent == 2
    )


def test_without_channels_alerts_are_printed_on_the_console(session_factory, capsys):
    _queue_new(session_factory, settings=Settings())
    result = dispatch_due(session_factory, Settings(), later(2))
    assert result.sent == 1
    assert "Japan-U.S. Foreign Ministers" in capsys.readouterr().out


def test_two_dispatchers_at_once_send_each_alert_once(session_factory):
    import threading
    import time

    for n in range(6):
        url = READOUT["url"].replace("00001.html", f"1000{n}.html")
        store(session_factory, document(url=url, doc_id=f"d{n}"), later(0))
    detect_changes(session_factory, SETTINGS, later(1))

    class Slow(RecordingNotifier):
        def send(self, message):
            time.sleep(0.05)
            super().send(message)

    desk, team = Slow("desk"), Slow("team")
    channels = {"desk": desk, "team": team}
    workers = [
        threading.Thread(
            target=dispatch_due,
            args=(session_factory, SETTINGS, later(2)),
            kwargs={"notifiers": channels},
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    sent_ids = sorted(m.message_id for m in desk.sent + team.sent)
    assert len(sent_ids) == 12
    assert len(set(sent_ids)) == 12
    assert all(a.status == AlertStatus.SENT for a in alerts(session_factory))
