"""Email channel against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC, datetime

import pytest

from monitor.alerts.notifiers import EmailNotifier, NotifyError
from monitor.alerts.render.cards import render_change
from monitor.config import ChannelSettings
from monitor.detect.diff import diff_documents
from tests.conftest import fixture_text
from tests.servers import free_port
from tests.views import change_view

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SECRET = "s3cret-pa55word"


def seed(name="seed_001_page4e_001274"):
    return json.loads(fixture_text(f"documents/{name}.json"))


def view(content, *, alert_id=1, kind="new", root=None, **over):
    """An alert of `content` (an update is its second version) that starts its
    own thread unless `root` is given."""
    seq = 1 if kind == "new" else 2
    thread = alert_id if root is None else root
    ids = {"alert_id": alert_id, "change_id": alert_id + 100}
    return change_view(content, NOW, **ids, kind=kind, seq=seq, root=thread, **over)


def channel(server, **over):
    settings = {
        "name": "desk",
        "type": "email",
        "to": ("desk@example.org", "b@example.org"),
        "sender": "mofawatch@example.org",
        "smtp_host": server.host,
        "smtp_port": server.port,
        "security": "none",
        "timeout_seconds": 5.0,
    }
    settings.update(over)
    return ChannelSettings(**settings)


def parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_new_meeting_arrives_as_multipart_with_facts_and_headers(smtp_server):
    rendered = render_change(view(seed(), alert_id=7))
    EmailNotifier(channel(smtp_server)).send(rendered)

    [message] = smtp_server.messages
    assert message["Subject"] == (
        "New meeting: Japan-U.S. Foreign Ministers\u2019 Meeting (29 July 2022)"
    )
    assert message["From"] == "mofawatch@example.org"
    assert message["To"] == "desk@example.org, b@example.org"
    assert (
        message["Message-ID"] == "<alert-7.page4e_001274@example.org>"
    )  # From's domain
    assert message["In-Reply-To"] is None
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    assert message["X-Mofawatch-Event"] == "new"
    assert message["X-Mofawatch-Document"] == "page4e_001274"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = parts(message)
    assert "HAYASHI Yoshimasa, Minister for Foreign Affairs of Japan" in text
    assert "13:43 local time (02:43 Japan time)" in text
    assert "https://www.mofa.go.jp/na/na1/us/page4e_001274.html" in html
    assert smtp_server.envelopes[0].rcpt_tos == ["desk@example.org", "b@example.org"]


def test_script_in_page_text_arrives_escaped_in_the_html_part(smtp_server):
    content = seed()
    content["title"] = "<script>alert(1)</script> & more"
    content["body"][0] = 'A "quoted" <b>bold</b> claim <img src=x onerror=alert(2)>.'
    EmailNotifier(channel(smtp_server)).send(render_change(view(content)))

    [message] = smtp_server.messages
    text, html = parts(message)
    assert "<script>" not in html
    assert "<img" not in html
    assert "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script>alert(1)</script> & more" in text  # plain text stays as written


def test_update_is_threaded_under_the_first_alert_of_the_document(smtp_server):
    old, new = seed(), seed("edit_001_page4e_001274")
    notifier = EmailNotifier(channel(smtp_server))
    notifier.send(render_change(view(old, alert_id=3)))
    changes = diff_documents(old, new)
    notifier.send(
        render_change(view(new, alert_id=9, kind="updated", changes=changes, root=3))
    )

    first, update = smtp_server.messages
    assert update["Subject"].startswith("Updated: Japan-U.S. Foreign Ministers")
    assert (
        update["In-Reply-To"]
        == first["Message-ID"]
        == "<alert-3.page4e_001274@example.org>"
    )
    assert update["References"] == first["Message-ID"]
    assert update["Message-ID"] == "<alert-9.page4e_001274@example.org>"
    text, html = parts(update)
    assert "[-importantce-] {+importance+}" in text
    assert '<del style="' in html
    assert ">importantce</del>" in html
    assert ">importance</ins>" in html
    assert "Participant added" in text
    assert "KITAMURA Aoi" in html


def test_login_uses_the_configured_user_and_password(smtp_server):
    settings = channel(smtp_server, username="mofawatch", password=SECRET)
    EmailNotifier(settings).send(render_change(view(seed())))
    assert smtp_server.logins == [("mofawatch", SECRET)]
    assert len(smtp_server.messages) == 1


def test_refused_login_is_a_notify_error_without_the_password(smtp_server):
    settings = channel(smtp_server, username="mofawatch", password="wrong")
    with pytest.raises(NotifyError) as info:
        EmailNotifier(settings).send(render_change(view(seed())))
    assert "login refused" in str(info.value)
    assert "wrong" not in str(info.value)
    assert smtp_server.messages == []


def test_unreachable_server_fails_fast_without_the_password(caplog):
    settings = ChannelSettings(
        name="desk",
        type="email",
        to=("a@example.org",),
        sender="m@example.org",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        security="starttls",
        username="mofawatch",
        password=SECRET,
        timeout_seconds=30.0,
    )
    started = time.monotonic()
    with pytest.raises(NotifyError) as info:
        EmailNotifier(settings).send(render_change(view(seed())))
    # A refused connection fails at once, long before the channel's time-out.
    assert time.monotonic() - started < 10.0
    message = str(info.value)
    assert message.startswith("email channel desk:")
    assert "Connection refused" in message or "ConnectionRefused" in message
    assert SECRET not in message
    assert SECRET not in repr(settings)
    assert SECRET not in caplog.text
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_starttls_delivers_over_an_encrypted_session(smtp_server_starttls):
    server = smtp_server_starttls
    settings = channel(server, security="starttls", username="u", password=SECRET)
    EmailNotifier(settings, ssl_context=server.client_context).send(
        render_change(view(seed()))
    )
    assert server.logins == [("u", SECRET)]
    assert len(server.messages) == 1


def test_starttls_against_an_untrusted_certificate_is_a_notify_error(
    smtp_server_starttls,
):
    settings = channel(smtp_server_starttls, security="starttls")
    with pytest.raises(NotifyError, match="email channel desk"):
        EmailNotifier(settings).send(render_change(view(seed())))
    assert smtp_server_starttls.messages == []


def test_non_ascii_and_long_subjects_survive_header_encoding(smtp_server):
    content = copy.deepcopy(seed())
    content["title"] = "日米外相会談 \u2013 " + "very long title " * 8
    EmailNotifier(channel(smtp_server)).send(render_change(view(content)))
    [message] = smtp_server.messages
    assert message["Subject"].startswith(
        "New meeting: 日米外相会談 \u2013 very long title"
    )
    assert message["Subject"].endswith("(29 July 2022)")


def test_ssl_delivers_over_tls_from_the_first_byte(smtp_server_ssl):
    server = smtp_server_ssl
    settings = channel(server, security="ssl", username="u", password=SECRET)
    EmailNotifier(settings, ssl_context=server.client_context).send(
        render_change(view(seed()))
    )
    assert server.logins == [("u", SECRET)]
    assert len(server.messages) == 1


def test_server_outage_is_a_notify_error_and_the_resend_arrives_once(smtp_server):
    notifier = EmailNotifier(channel(smtp_server, timeout_seconds=2.0))
    rendered = render_change(view(seed(), alert_id=4))
    smtp_server.stop()
    with pytest.raises(NotifyError, match="email channel desk"):
        notifier.send(rendered)
    smtp_server.start()
    notifier.send(rendered)
    [message] = smtp_server.messages
    assert message["Message-ID"] == rendered.message_id.replace(
        "@mofawatch>", "@example.org>"
    )


def test_outbox_sends_new_then_threaded_update_through_real_smtp(
    session_factory, smtp_server
):
    from monitor.alerts.dispatch import dispatch_due
    from monitor.config import Settings
    from monitor.detect.changes import detect_changes
    from tests.integration.alerting import later, store

    settings = Settings(channels=(channel(smtp_server),))
    store(session_factory, seed(), later(0))
    detect_changes(session_factory, settings, later(1))
    assert dispatch_due(session_factory, settings, later(2)).sent == 1
    store(session_factory, seed("edit_001_page4e_001274"), later(10))
    detect_changes(session_factory, settings, later(11))
    assert dispatch_due(session_factory, settings, later(12)).sent == 1
    assert dispatch_due(session_factory, settings, later(13)).sent == 0

    first, update = smtp_server.messages
    assert first["Subject"].startswith("New meeting: Japan-U.S. Foreign Ministers")
    assert update["Subject"].startswith("Updated: Japan-U.S. Foreign Ministers")
    assert update["In-Reply-To"] == first["Message-ID"]
    assert update["References"] == first["Message-ID"]
    assert update["Message-ID"] != first["Message-ID"]
    text, _html = parts(update)
    assert "[-importantce-] {+importance+}" in text
