"""The Apprise channel against a real receiver on loopback (Apprise's json:// URL
pointed at a local HTTP server): configuration, delivery, failures, and exactly-once
delivery through the outbox across a receiver outage."""

from __future__ import annotations

import json
import logging
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from monitor.alerts.dispatch import dispatch_due
from monitor.alerts.notifiers import AppriseNotifier, NotifyError, build_notifiers
from monitor.alerts.render.cards import ChangeView, render_change
from monitor.config import AlertSettings, ConfigError, Settings, load_settings
from monitor.detect.changes import detect_changes
from storage.models import AlertStatus
from tests.integration.alerting import T0, alerts, document, later, store
from tests.servers import free_port
from tests.views import change_view

TOKEN = "tok-very-secret"
CHANNEL = "[[channels]]\nname = 'push'\ntype = 'apprise'\ntimeout_seconds = 3\n"


class JsonReceiver:
    """Records the JSON POSTs Apprise makes; answers `status`; can go down and come
    back on the same port (an outage)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.posts: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.status = 200
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/{TOKEN}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.paths.append(self.path)
                receiver.posts.append(json.loads(body))
                self.send_response(receiver.status)
                if 300 <= receiver.status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                receiver.paths.append(f"GET {self.path}")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def receiver() -> Iterator[JsonReceiver]:
    server = JsonReceiver()
    server.start()
    yield server
    server.stop()


def _load(tmp_path, text: str, **environ: str) -> Settings:
    path = tmp_path / "mofawatch.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_settings(environ, path)


def _view() -> ChangeView:
    return change_view(document(), T0, alert_id=7, change_id=8)


def test_the_url_comes_from_the_environment(tmp_path, receiver):
    settings = _load(tmp_path, CHANNEL, MOFAWATCH_APPRISE_URL=receiver.url)
    (channel,) = settings.channels
    assert channel.type == "apprise"
    assert TOKEN not in repr(channel)
    notifier = build_notifiers(settings)["push"]
    assert isinstance(notifier, AppriseNotifier)


def test_the_variable_can_be_named(tmp_path, receiver):
    text = CHANNEL + "url_env = 'TEAMS_URL'\n"
    settings = _load(tmp_path, text, TEAMS_URL=receiver.url)
    assert settings.channels[0].apprise_url is not None


def test_a_missing_variable_names_it(tmp_path):
    with pytest.raises(ConfigError, match="set the variable MOFAWATCH_APPRISE_URL"):
        _load(tmp_path, CHANNEL)


@pytest.mark.parametrize(
    "url", [f"bogus://host/{TOKEN}", f"json:/{TOKEN}", f"{TOKEN}", "   "]
)
def test_an_unusable_url_is_refused_on_load_without_showing_it(tmp_path, url):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, CHANNEL, MOFAWATCH_APPRISE_URL=url)
    assert "[channels.push]" in str(info.value)
    assert "MOFAWATCH_APPRISE_URL" in str(info.value)
    assert TOKEN not in str(info.value)


def test_the_text_rendering_is_delivered(receiver, caplog):
    caplog.set_level(logging.DEBUG)
    rendered = render_change(_view())
    AppriseNotifier("push", receiver.url).send(rendered)
    (post,) = receiver.posts
    assert receiver.paths == [f"/{TOKEN}"]
    assert post["title"] == rendered.subject
    assert post["title"].startswith("New meeting: Japan-U.S. Foreign Ministers")
    assert post["message"] == rendered.text.rstrip("\n")
    assert "TAKEMURA Ichiro" in post["message"]
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(("status", "said"), [(503, "HTTP 503"), (404, "HTTP 404")])
def test_an_error_answer_is_a_notify_error_without_the_url(
    receiver, caplog, status, said
):
    caplog.set_level(logging.DEBUG)
    receiver.status = status
    with pytest.raises(NotifyError) as info:
        AppriseNotifier("push", receiver.url).send(render_change(_view()))
    assert str(info.value) == f"apprise channel push: the service answered {said}"
    assert TOKEN not in caplog.text


def test_a_redirect_is_not_a_delivery(receiver):
    receiver.status = 302
    with pytest.raises(NotifyError):
        AppriseNotifier("push", receiver.url).send(render_change(_view()))
    assert receiver.paths == [f"/{TOKEN}"]  # the redirect was not followed


def test_a_receiver_that_is_down_is_a_connection_failure(receiver):
    receiver.stop()
    with pytest.raises(NotifyError, match="connection failed"):
        AppriseNotifier("push", receiver.url, timeout=2).send(render_change(_view()))


def test_outbox_delivers_exactly_once_across_a_receiver_outage(
    tmp_path, session_factory, receiver
):
    settings = _load(tmp_path, CHANNEL, MOFAWATCH_APPRISE_URL=receiver.url)
    settings = settings.model_copy(update={"alerts": AlertSettings(backoff_seconds=60)})
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    receiver.stop()
    down = dispatch_due(session_factory, settings, later(2))
    assert (down.sent, down.failed) == (0, 1)
    (alert,) = alerts(session_factory)
    assert alert.status == AlertStatus.FAILED
    assert alert.last_error == "apprise channel push: connection failed"
    receiver.start()
    assert dispatch_due(session_factory, settings, later(2.5)).sent == 0  # backoff
    assert dispatch_due(session_factory, settings, later(3.1)).sent == 1
    assert dispatch_due(session_factory, settings, later(60)).sent == 0
    assert len(receiver.posts) == 1
    assert receiver.posts[0]["title"].startswith("New meeting:")
    assert alerts(session_factory)[0].status == AlertStatus.SENT


@pytest.mark.usefixtures("restore_root_logger")
def test_alerts_test_sends_through_apprise_and_never_logs_the_url(
    tmp_path, receiver, monkeypatch, capsys
):
    from monitor.cli.main import main

    path = tmp_path / "mofawatch.toml"
    path.write_text(CHANNEL, encoding="utf-8")
    monkeypatch.setenv("MOFAWATCH_APPRISE_URL", receiver.url)
    assert main(["-v", "--config", str(path), "alerts", "test"]) == 0
    captured = capsys.readouterr()
    assert "push: sent" in captured.out
    (post,) = receiver.posts
    assert "mofawatch test alert" in post["title"]
    receiver.status = 500
    assert main(["-v", "--config", str(path), "alerts", "test"]) == 1
    captured2 = capsys.readouterr()
    assert "push: FAILED: apprise channel push: the service answered HTTP 500" in (
        captured2.out
    )
    for text in (captured.out, captured.err, captured2.out, captured2.err):
        assert TOKEN not in text
