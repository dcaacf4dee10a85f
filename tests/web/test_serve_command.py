"""`mofawatch serve`: loopback by default, credentials required elsewhere, one-line
errors with exit 2, and `[web] enabled = true` inside the daemon."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import Installation
from tests.web.serving import Served, basic, request

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TOKEN = "t0ken-never-shown"
PASSWORD = "pa55-never-shown"


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "::"])
def test_off_loopback_without_credentials_it_refuses_to_start(filled, host):
    result = filled.installation.run("serve", "--host", host, "--port", "0")
    line = _one_line_error(result)
    assert "MOFAWATCH_WEB_TOKEN" in line
    assert host in line
    assert result.stdout == ""


def test_the_configured_host_is_held_to_the_same_rule(filled, tmp_path):
    installation = filled.installation
    config = tmp_path / "mofawatch.toml"
    config.write_text('[web]\nhost = "0.0.0.0"\n', encoding="utf-8")
    env = {**installation.env, "MOFAWATCH_CONFIG": str(config)}
    result = Installation.run(_with_env(installation, env), "serve", "--port", "0")
    assert "not loopback" in _one_line_error(result)


def test_a_user_without_a_password_is_a_configuration_error(filled):
    env = {**filled.installation.env, "MOFAWATCH_WEB_USER": "reader"}
    result = _with_env(filled.installation, env).run("serve", "--port", "0")
    assert "MOFAWATCH_WEB_PASSWORD" in _one_line_error(result)


def test_a_database_never_initialised_is_one_line(filled, tmp_path):
    env = {
        **filled.installation.env,
        "MOFAWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    result = _with_env(filled.installation, env).run("serve", "--port", "0")
    assert "mofawatch init" in _one_line_error(result)


def test_a_port_in_use_is_one_line(filled):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = filled.installation.run("serve", "--port", port)
    assert f"cannot listen on 127.0.0.1:{port}" in _one_line_error(result)


def test_a_token_is_asked_for_and_never_shown(filled):
    served = Served(filled.installation, env={"MOFAWATCH_WEB_TOKEN": TOKEN})
    try:
        assert served.get("/changes").status == 401
        assert served.get("/static/style.css").status == 401
        wrong = {"Authorization": "Bearer nope"}
        assert served.get("/changes", headers=wrong).status == 401
        right = {"Authorization": f"Bearer {TOKEN}"}
        assert served.get("/changes", headers=right).status == 200
        assert served.get("/changes.atom", headers=right).status == 200
    finally:
        served.stop()
    assert TOKEN not in served.first_line + served.output


def test_basic_auth_off_loopback(filled):
    env = {"MOFAWATCH_WEB_USER": "reader", "MOFAWATCH_WEB_PASSWORD": PASSWORD}
    served = Served(filled.installation, "--host", "0.0.0.0", env=env)
    try:
        port = served.url.rsplit(":", 1)[1].strip("/")
        local = f"http://127.0.0.1:{port}/"
        refused = request(local + "changes")
        assert refused.status == 401
        assert refused.headers["WWW-Authenticate"].startswith("Basic")
        assert request(local + "changes", headers=basic("reader", "x")).status == 401
        answer = request(local + "changes", headers=basic("reader", PASSWORD))
        assert answer.status == 200
        assert PASSWORD not in answer.text
    finally:
        served.stop()


def test_sigterm_stops_it_with_exit_0(filled):
    served = Served(filled.installation, env={})
    assert served.get("/health").status == 200
    assert served.stop() == 0


def test_the_daemon_serves_the_web_view_when_enabled(filled, tmp_path):
    installation = filled.installation
    config = tmp_path / "mofawatch.toml"
    base = (installation.folder / "mofawatch.toml").read_text(encoding="utf-8")
    config.write_text(
        base + '\n[schedule]\ninterval = "1h"\njitter_seconds = 0\n'
        "\n[web]\nenabled = true\nport = 0\n",
        encoding="utf-8",
    )
    env = {**installation.env, "MOFAWATCH_CONFIG": str(config)}
    daemon = _with_env(installation, env)
    err = tmp_path / "daemon.err"
    with err.open("w") as stderr:
        proc = daemon.popen("daemon", stdout=stderr, stderr=stderr)
    try:
        url = _wait_for_line(err, "web view at ", proc)
        assert request(url + "health").status == 200
        assert "Changes" in request(url + "changes").text
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    assert code == 0, err.read_text()


def test_the_daemon_with_its_web_port_taken_is_one_line(filled, tmp_path):
    installation = filled.installation
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "mofawatch.toml"
        base = (installation.folder / "mofawatch.toml").read_text(encoding="utf-8")
        config.write_text(base + f"\n[web]\nenabled = true\nport = {port}\n")
        env = {**installation.env, "MOFAWATCH_CONFIG": str(config)}
        result = _with_env(installation, env).run("daemon", timeout=120)
    line = _one_line_error(result)
    assert f"[web] host, port: cannot listen on 127.0.0.1:{port}" in line


def _wait_for_line(
    path: Path, marker: str, proc: subprocess.Popen[str], timeout: float = 120.0
) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in path.read_text(encoding="utf-8").splitlines():
            if marker in line:
                return line.split(marker, 1)[1].split()[0]
        assert proc.poll() is None, path.read_text()
        time.sleep(0.2)
    raise AssertionError(f"no {marker!r} line: {path.read_text()}")


def _with_env(installation: Installation, env: dict[str, str]) -> Installation:
    copy = Installation.__new__(Installation)
    copy.__dict__.update(installation.__dict__)
    copy.env = env
    return copy
