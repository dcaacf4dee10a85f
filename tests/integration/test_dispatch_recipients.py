"""An SMTP server refusing one of two recipients: the alert is not "sent"; it is
retried for the refused recipient only, and the one who got it gets it once."""

from __future__ import annotations

import pytest

from monitor.alerts.dispatch import dispatch_due
from monitor.alerts.notifiers import EmailNotifier
from monitor.alerts.notifiers.base import PartialDelivery
from monitor.config import AlertSettings, Settings
from monitor.detect.changes import detect_changes
from storage.models import AlertStatus
from tests.integration.alerting import alerts, document, email_channel, later, store

DESK, BOSS = "desk@example.org", "boss@example.org"


def _settings(port: int) -> Settings:
    return Settings(
        channels=(email_channel(port, to=(DESK, BOSS)),),
        alerts=AlertSettings(max_attempts=3, backoff_seconds=60),
    )


def _rendered():
    from monitor.cli.alerts import test_message
    from tests.integration.alerting import T0

    return test_message(T0, "https://www.mofa.go.jp/")


def test_a_refused_recipient_is_a_partial_delivery_naming_it(smtp_server):
    smtp_server.refuse = {BOSS}
    notifier = EmailNotifier(_settings(smtp_server.port).channels[0])
    with pytest.raises(PartialDelivery) as info:
        notifier.send(_rendered())
    assert info.value.undelivered == (BOSS,)
    assert f"refused {BOSS} (550 5.1.1 no such user)" in str(info.value)
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[DESK]]


def test_the_refused_recipient_is_retried_alone_until_it_gets_it(
    session_factory, smtp_server
):
    settings = _settings(smtp_server.port)
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    smtp_server.refuse = {BOSS}
    first = dispatch_due(session_factory, settings, later(2))
    assert (first.sent, first.failed) == (0, 1)
    (alert,) = alerts(session_factory)
    assert alert.status == AlertStatus.FAILED
    assert alert.undelivered_to == [BOSS]
    assert BOSS in (alert.last_error or "")
    smtp_server.refuse = set()
    again = dispatch_due(session_factory, settings, later(3.1))
    assert again.sent == 1
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[DESK], [BOSS]]
    (alert,) = alerts(session_factory)
    assert (alert.status, alert.undelivered_to) == (AlertStatus.SENT, None)


def test_a_recipient_refused_for_good_ends_dead_and_reported(
    session_factory, smtp_server
):
    settings = _settings(smtp_server.port)
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    smtp_server.refuse = {BOSS}
    results = [
        dispatch_due(session_factory, settings, later(2 + 10 * n)) for n in range(3)
    ]
    assert [r.dead for r in results] == [0, 0, 1]
    (alert,) = alerts(session_factory)
    assert alert.status == AlertStatus.DEAD
    assert f"refused {BOSS}" in (alert.last_error or "")
    # The recipient who got it got it once; only the refused one was tried again.
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[DESK]]
    assert len(smtp_server.messages) == 1


def test_a_refused_recipient_since_removed_from_the_channel_is_not_sent_it(
    session_factory, smtp_server
):
    settings = _settings(smtp_server.port)
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    smtp_server.refuse = {BOSS}
    dispatch_due(session_factory, settings, later(2))
    (channel,) = settings.channels
    fewer = settings.model_copy(
        update={"channels": (channel.model_copy(update={"to": (DESK,)}),)}
    )
    assert dispatch_due(session_factory, fewer, later(3.1)).sent == 1
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [[DESK]]
    assert alerts(session_factory)[0].status == AlertStatus.SENT
