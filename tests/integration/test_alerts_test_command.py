"""`mofawatch alerts test`: Slack's Retry-After, and a link to the watched site."""

from __future__ import annotations

import json

import pytest

from monitor.cli.main import main

pytestmark = pytest.mark.usefixtures("restore_root_logger")


def _config(tmp_path, hook_url: str, base_url: str = "https://www.mofa.go.jp") -> str:
    path = tmp_path / "mofawatch.toml"
    path.write_text(
        f"""
[site]
base_url = "{base_url}"

[[channels]]
name = "team"
type = "slack"
timeout_seconds = 3

[[channels]]
name = "hook"
type = "webhook"
url = "{hook_url}"
timeout_seconds = 3
""",
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture
def slack_env(monkeypatch, http_receiver):
    monkeypatch.setenv("MOFAWATCH_SLACK_WEBHOOK_URL", http_receiver.url + "/slack")


@pytest.mark.usefixtures("slack_env")
def test_a_short_retry_after_is_waited_out_and_the_test_sent(
    tmp_path, http_receiver, capsys
):
    config = _config(tmp_path, http_receiver.url + "/hook")
    http_receiver.respond_with(429, headers={"Retry-After": "1"}, body=b"rate_limited")
    assert main(["--config", config, "alerts", "test", "--channel", "team"]) == 0
    assert "team: sent" in capsys.readouterr().out
    assert [r.path for r in http_receiver.requests] == ["/slack", "/slack"]
    assert "blocks" in json.loads(http_receiver.requests[1].body)


@pytest.mark.usefixtures("slack_env")
def test_a_long_retry_after_is_reported_not_waited(tmp_path, http_receiver, capsys):
    config = _config(tmp_path, http_receiver.url + "/hook")
    http_receiver.respond_with(429, headers={"Retry-After": "120"})
    assert main(["--config", config, "alerts", "test", "--channel", "team"]) == 1
    out = capsys.readouterr().out
    assert "team: FAILED: slack webhook of channel team: rate limited (HTTP 429)" in out
    assert "asks to retry in 120 s" in out
    assert "/slack" not in out  # the webhook URL is a secret
    assert len(http_receiver.requests) == 1


@pytest.mark.usefixtures("slack_env")
def test_the_test_links_to_the_configured_site(tmp_path, http_receiver, capsys):
    site = "http://127.0.0.1:8099/mirror"
    config = _config(tmp_path, http_receiver.url + "/hook", base_url=site)
    assert main(["--config", config, "alerts", "test"]) == 0
    by_path = {r.path: json.loads(r.body) for r in http_receiver.requests}
    assert by_path["/hook"]["document"]["url"] == site + "/"
    slack_text = json.dumps(by_path["/slack"]["blocks"])
    assert site + "/" in slack_text
    assert "www.mofa.go.jp" not in slack_text
