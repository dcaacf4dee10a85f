"""Generic JSON webhook and console channels; build_notifiers."""

from __future__ import annotations

import io
import json
import logging
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.headers import parse_retry_after
from monitor.alerts.notifiers import (
    ConsoleNotifier,
    EmailNotifier,
    NotifyError,
    WebhookNotifier,
    build_notifiers,
)
from monitor.alerts.render.cards import render_change
from monitor.config import ChannelSettings, Settings
from monitor.detect.diff import FieldChange, diff_documents
from tests.conftest import fixture_text
from tests.views import change_view

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOKEN_URL_PATH = "/hooks/mofawatch?token=tok-very-secret"


def seed(name="seed_001_page4e_001274"):
    return json.loads(fixture_text(f"documents/{name}.json"))


def update_view():
    old, new = seed(), seed("edit_001_page4e_001274")
    changes = diff_documents(old, new)
    return change_view(
        new,
        NOW,
        alert_id=12,
        change_id=34,
        kind="updated",
        seq=2,
        changes=changes,
        root=3,
    )


def test_webhook_posts_the_change_as_json(http_receiver):
    WebhookNotifier("hook", http_receiver.url + TOKEN_URL_PATH).send(
        render_change(update_view())
    )
    [request] = http_receiver.requests
    assert request.path == TOKEN_URL_PATH
    data = json.loads(request.body)
    assert data["kind"] == "updated"
    assert data["alert_id"] == 12
    assert data["change_id"] == 34
    assert data["detected_at"] == "2026-11-23T12:00:00+00:00"
    assert data["document"]["doc_id"] == "page4e_001274"
    assert (
        data["document"]["url"] == "https://www.mofa.go.jp/na/na1/us/page4e_001274.html"
    )
    assert data["document"]["meeting"]["duration_minutes"] == 55
    assert data["document"]["topics"][:2] == ["Ukraine", "China"]
    changes = [FieldChange.from_dict(c) for c in data["changes"]]
    assert [(c.field, c.op) for c in changes] == [
        ("participants", "added"),
        ("body", "changed"),
    ]


def test_webhook_429_carries_retry_after_and_hides_the_url(http_receiver, caplog):
    caplog.set_level(logging.DEBUG)
    http_receiver.respond_with(429, headers={"Retry-After": "1"}, times=2)
    notifier = WebhookNotifier("hook", http_receiver.url + TOKEN_URL_PATH)
    for _ in range(2):
        with pytest.raises(NotifyError) as info:
            notifier.send(render_change(update_view()))
        assert info.value.retry_after == 1.0
        assert str(info.value) == "webhook of channel hook: rate limited (HTTP 429)"
    notifier.send(render_change(update_view()))
    assert len(http_receiver.requests) == 3
    assert "very-secret" not in caplog.text


def test_retry_after_as_http_date_is_counted_from_now():
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_console_writes_subject_and_text_under_a_separator():
    stream = io.StringIO()
    rendered = render_change(update_view())
    ConsoleNotifier(stream=stream).send(rendered)
    out = stream.getvalue()
    assert out.startswith("=" * 72 + "\nUpdated: Japan-U.S. Foreign Ministers")
    assert "[-importantce-] {+importance+}" in out
    assert out.endswith("\n")


def test_no_channel_configured_means_the_console():
    stream = io.StringIO()
    notifiers = build_notifiers(Settings(), stream=stream)
    assert list(notifiers) == ["console"]
    notifiers["console"].send(render_change(update_view()))
    assert "KITAMURA Aoi" in stream.getvalue()


def test_build_notifiers_keys_every_channel_by_name():
    settings = Settings(
        channels=(
            ChannelSettings(
                name="desk",
                type="email",
                to=("a@example.org",),
                smtp_host="127.0.0.1",
                smtp_port=2525,
                security="none",
            ),
            ChannelSettings(
                name="hook", type="webhook", webhook_url="http://127.0.0.1:9/x"
            ),
            ChannelSettings(name="screen", type="console"),
        )
    )
    notifiers = build_notifiers(settings)
    assert list(notifiers) == ["desk", "hook", "screen"]
    assert isinstance(notifiers["desk"], EmailNotifier)
    assert isinstance(notifiers["hook"], WebhookNotifier)
    assert isinstance(notifiers["screen"], ConsoleNotifier)
    assert all(n.name == key for key, n in notifiers.items())


class _Redirecting:
    """POST /hook answers a redirect to /final; GET /final would answer 200."""

    def __init__(self, status: int) -> None:
        self.seen: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.seen.append(("POST", self.path))
                self.send_response(status)
                self.send_header("Location", "/final")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                outer.seen.append(("GET", self.path))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?t=secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture(params=[301, 302, 303, 307, 308])
def redirecting(request):
    receiver = _Redirecting(request.param)
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(redirecting):
    notifier = WebhookNotifier("hook", redirecting.url)
    with pytest.raises(NotifyError) as info:
        notifier.send(render_change(update_view()))
    assert redirecting.seen == [("POST", "/hook?t=secret")]
    assert "HTTP 30" in str(info.value)
    assert "secret" not in str(info.value)


@pytest.mark.parametrize("status", [202, 204])
def test_any_2xx_is_a_delivery(http_receiver, status):
    http_receiver.respond_with(status)
    WebhookNotifier("hook", http_receiver.url + "/h").send(render_change(update_view()))
    assert len(http_receiver.requests) == 1


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_any_other_status_is_a_failure(http_receiver, status):
    http_receiver.respond_with(status)
    with pytest.raises(NotifyError, match=f"HTTP {status}"):
        WebhookNotifier("hook", http_receiver.url + "/h").send(
            render_change(update_view())
        )
