"""The outbox against loopback servers: SMTP outage, Slack 429, a SIGKILLed dispatcher.

What a user can see twice: an alert whose message reached the server but whose
`sent` mark was not yet committed when the dispatcher was killed is sent again on
restart (at-least-once delivery; no transport here can be asked "did you get it?").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.alerts.dispatch import dispatch_due
from monitor.config import AlertSettings, ChannelSettings, Settings
from monitor.detect.changes import detect_changes
from storage.db import opened_database
from storage.models import AlertStatus
from tests.integration.alerting import (
    READOUT,
    alerts,
    document,
    email_channel,
    later,
    store,
)

ROOT = Path(__file__).resolve().parents[2]


def _slack(url: str) -> ChannelSettings:
    return ChannelSettings(
        name="team", type="slack", webhook_url=url, timeout_seconds=3
    )


def test_smtp_down_for_one_cycle_then_back_delivers_exactly_once(
    session_factory, smtp_server
):
    settings = Settings(
        channels=(email_channel(smtp_server.port),),
        alerts=AlertSettings(backoff_seconds=60),
    )
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    smtp_server.stop()
    down = dispatch_due(session_factory, settings, later(2))
    assert (down.sent, down.failed) == (0, 1)
    (alert,) = alerts(session_factory)
    assert alert.status == AlertStatus.FAILED
    assert alert.last_error
    smtp_server.start()
    back = dispatch_due(session_factory, settings, later(32))
    assert back.sent == 1
    dispatch_due(session_factory, settings, later(62))
    assert len(smtp_server.messages) == 1
    assert "Japan-U.S. Foreign Ministers" in smtp_server.messages[0]["Subject"]
    assert alerts(session_factory)[0].status == AlertStatus.SENT


def test_slack_429_with_short_retry_after_is_waited_out_and_posted_once(
    session_factory, http_receiver
):
    settings = Settings(channels=(_slack(http_receiver.url + "/slack"),))
    http_receiver.respond_with(429, headers={"Retry-After": "1"}, body=b"rate_limited")
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    started = time.monotonic()
    result = dispatch_due(session_factory, settings, later(2))
    assert time.monotonic() - started >= 1
    assert result.sent == 1
    assert len(http_receiver.requests) == 2  # the 429, then the post that counted
    second = json.loads(http_receiver.requests[1].body)
    assert "blocks" in second
    dispatch_due(session_factory, settings, later(10))
    assert len(http_receiver.requests) == 2


def test_slack_429_with_long_retry_after_waits_until_the_next_cycle(
    session_factory, http_receiver
):
    settings = Settings(channels=(_slack(http_receiver.url + "/slack"),))
    http_receiver.respond_with(429, headers={"Retry-After": "120"})
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    assert dispatch_due(session_factory, settings, later(2)).failed == 1
    assert dispatch_due(session_factory, settings, later(3)).sent == 0
    assert dispatch_due(session_factory, settings, later(4.1)).sent == 1
    assert len(http_receiver.requests) == 2


class _StallingReceiver:
    """An HTTP endpoint that records each POST and never answers the first one."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.first = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.bodies.append(body)
                if not receiver.first.is_set():
                    receiver.first.set()
                    receiver.release.wait(30)
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def alert_ids(self) -> Counter[int]:
        return Counter(json.loads(body)["alert_id"] for body in self.bodies)


@pytest.fixture
def stalling_receiver():
    receiver = _StallingReceiver()
    receiver.thread.start()
    yield receiver
    receiver.release.set()
    receiver.server.shutdown()
    receiver.server.server_close()


_DISPATCH = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from monitor.config import ChannelSettings, Settings
    from monitor.alerts.dispatch import dispatch_due
    from storage.db import open_database

    settings = Settings(channels=(ChannelSettings(
        name="hook", type="webhook", webhook_url=sys.argv[2], timeout_seconds=60),))
    dispatch_due(open_database(sys.argv[1]), settings, datetime.now(UTC))
    """
)


def test_dispatcher_killed_mid_send_loses_nothing_and_repeats_only_the_one_in_flight(
    db_url, stalling_receiver
):
    with opened_database(db_url, upgrade=True) as factory:
        settings = Settings(
            channels=(
                ChannelSettings(
                    name="hook", type="webhook", webhook_url=stalling_receiver.url
                ),
            )
        )
        now = datetime.now(UTC)
        for n in range(3):
            url = READOUT["url"].replace("00001.html", f"0000{n + 1}.html")
            store(
                factory, document(url=url, doc_id=f"doc{n}", title=f"Meeting {n}"), now
            )
        assert detect_changes(factory, settings, now).alerts == 3
        process = subprocess.Popen(
            [sys.executable, "-c", _DISPATCH, db_url, stalling_receiver.url],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        reached = stalling_receiver.first.wait(30)
        process.send_signal(signal.SIGKILL)
        _out, err = process.communicate(timeout=10)
        assert reached, err.decode()
        assert process.returncode == -signal.SIGKILL
        in_flight = json.loads(stalling_receiver.bodies[0])["alert_id"]
        assert {a.status for a in alerts(factory)} == {AlertStatus.SENDING}
        result = dispatch_due(factory, settings, datetime.now(UTC))
        assert result.sent == 3
        assert all(a.status == AlertStatus.SENT for a in alerts(factory))
        received = stalling_receiver.alert_ids()
        assert set(received) == {a.id for a in alerts(factory)}
        assert received == Counter(
            {in_flight: 2} | {a.id: 1 for a in alerts(factory) if a.id != in_flight}
        )
