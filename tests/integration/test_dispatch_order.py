"""Order and retries across an outage: per channel, the alerts about one document go
out in the order of their changes; a channel that accepts again gets its failed alerts
at once; an alert is tried at most once per dispatch pass."""

from __future__ import annotations

from datetime import timedelta

from monitor.alerts.dispatch import DispatchResult, dispatch_due
from monitor.config import AlertSettings, ChannelSettings, Settings
from monitor.detect.changes import detect_changes
from storage.models import AlertStatus
from tests.integration.alerting import (
    EDITED,
    READOUT,
    RecordingNotifier,
    alerts,
    document,
    email_channel,
    later,
    store,
)

OTHER_URL = READOUT["url"].replace("00001.html", "00002.html")


def _settings(port: int, **alerting: int) -> Settings:
    return Settings(
        channels=(email_channel(port),),
        alerts=AlertSettings(backoff_seconds=60, **alerting),
    )


def _subjects(server) -> list[str]:
    return [str(m["Subject"]) for m in server.messages]


def _headlines(server) -> list[str]:
    return [subject.split(":")[0] for subject in _subjects(server)]


def _new_tried_in_an_outage(
    session_factory, smtp_server
) -> tuple[Settings, DispatchResult]:
    """A new document's alert, tried once while the SMTP server is down (it stays
    down): the settings of the channel, and that dispatch pass."""
    settings = _settings(smtp_server.port)
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    smtp_server.stop()
    return settings, dispatch_due(session_factory, settings, later(2))


def test_after_an_outage_new_goes_out_before_its_update(session_factory, smtp_server):
    settings, tried = _new_tried_in_an_outage(session_factory, smtp_server)
    assert tried.failed == 1
    smtp_server.start()
    # The next cycle, seconds later, finds the correction; the "new" is not due yet.
    store(session_factory, EDITED, later(2.1))
    detect_changes(session_factory, settings, later(2.1))
    result = dispatch_due(session_factory, settings, later(2.1))
    assert result.sent == 2
    assert _headlines(smtp_server) == ["New meeting", "Updated"]
    assert all(a.status == AlertStatus.SENT for a in alerts(session_factory))
    dispatch_due(session_factory, settings, later(10))
    assert len(smtp_server.messages) == 2


def test_an_update_is_never_sent_while_its_new_is_undelivered(
    session_factory, smtp_server
):
    settings, _ = _new_tried_in_an_outage(session_factory, smtp_server)
    store(session_factory, EDITED, later(2.1))
    detect_changes(session_factory, settings, later(2.1))
    # Still down: the "new" is tried again (claimed with its update), the update waits.
    result = dispatch_due(session_factory, settings, later(2.2))
    assert (result.sent, result.failed, result.held) == (0, 1, 1)
    first, update = alerts(session_factory)
    assert (first.status, first.attempts) == (AlertStatus.FAILED, 2)
    assert (update.status, update.attempts) == (AlertStatus.PENDING, 0)
    assert update.last_error == f"waits for alert {first.id} (an earlier change)"
    smtp_server.start()
    # Only the update is due now; it brings the "new" along, which goes first.
    assert first.next_attempt_at > later(2.3)
    assert update.next_attempt_at <= later(2.3)
    result = dispatch_due(session_factory, settings, later(2.3))
    assert result.sent == 2
    assert [s.split(":")[0] for s in _subjects(smtp_server)] == [
        "New meeting",
        "Updated",
    ]


def test_a_channel_that_accepts_again_gets_its_failed_alerts_at_once(
    session_factory, smtp_server
):
    settings, _ = _new_tried_in_an_outage(session_factory, smtp_server)
    (failed,) = alerts(session_factory)
    assert failed.next_attempt_at > later(2) + timedelta(seconds=59)
    smtp_server.start()
    other = document(url=OTHER_URL, doc_id="pressite_000001_00002", title="Other talk")
    store(session_factory, other, later(2.2))
    detect_changes(session_factory, settings, later(2.2))
    # The other document's alert is due; once the server takes it, the failed one
    # is due again in the same pass instead of a minute later.
    result = dispatch_due(session_factory, settings, later(2.2))
    assert result.sent == 2
    assert [s.split(":", 1)[1].strip()[:5] for s in _subjects(smtp_server)] == [
        "Other",
        "Japan",
    ]


def test_one_outage_costs_each_alert_one_attempt_per_pass(session_factory, smtp_server):
    # The configuration floors backoff at 10 s; even without a floor (0 s here, as
    # an older file could say) a pass must not re-claim the alerts it just tried.
    alerting = AlertSettings.model_construct(
        compared_versions=3, max_attempts=3, backoff_seconds=0, max_backoff_seconds=0
    )
    settings = Settings(channels=(email_channel(smtp_server.port),), alerts=alerting)
    for n in range(3):
        url = READOUT["url"].replace("00001.html", f"0001{n}.html")
        store(
            session_factory, document(url=url, doc_id=f"d{n}", title=f"M {n}"), later(0)
        )
    detect_changes(session_factory, settings, later(1))
    smtp_server.stop()
    result = dispatch_due(session_factory, settings, later(2))
    assert (result.failed, result.dead) == (3, 0)
    assert [a.attempts for a in alerts(session_factory)] == [1, 1, 1]


def _recording_pass(session_factory):
    settings = Settings(
        channels=(ChannelSettings(name="desk", type="console"),),
        alerts=AlertSettings(backoff_seconds=60),
    )
    for n in range(2):
        url = READOUT["url"].replace("00001.html", f"0002{n}.html")
        store(
            session_factory, document(url=url, doc_id=f"e{n}", title=f"T {n}"), later(0)
        )
    detect_changes(session_factory, settings, later(1))
    desk = RecordingNotifier("desk", fail=1)
    result = dispatch_due(session_factory, settings, later(2), notifiers={"desk": desk})
    return desk, result


def test_a_failed_alert_is_tried_once_even_when_its_channel_recovers(session_factory):
    desk, result = _recording_pass(session_factory)
    assert (result.sent, result.failed) == (1, 1)
    assert desk.attempts == 2
    first, second = alerts(session_factory)
    assert first.status == AlertStatus.FAILED
    assert first.attempts == 1
    assert second.status == AlertStatus.SENT
    # Due again at once for the next pass, because the channel took a message.
    assert first.next_attempt_at == later(2)
