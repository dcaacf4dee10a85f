"""The file `mofawatch init` writes means what no file means, and its examples load."""

from __future__ import annotations

import re

import pytest

from monitor.config import (
    AlertSettings,
    ChannelSettings,
    OpsSettings,
    RuleSettings,
    ScheduleSettings,
    Settings,
    SiteSettings,
    load_settings,
)
from monitor.config.template import EXAMPLE_CHANNEL, default_config_text


@pytest.fixture
def written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "mofawatch.toml"
    path.write_text(default_config_text(), encoding="utf-8")
    return path


def test_every_value_written_is_the_default(written):
    settings = load_settings({}, written)
    defaults = Settings()
    assert settings.site == defaults.site == SiteSettings()
    assert settings.schedule == ScheduleSettings()
    assert settings.alerts == AlertSettings()
    assert settings.database_url == defaults.database_url
    assert settings.keep_snapshots is None
    # The one deliberate difference: an example channel, so that alerts are seen.
    assert settings.channels == (
        ChannelSettings(name=EXAMPLE_CHANNEL, type=EXAMPLE_CHANNEL),
    )
    assert settings.rules == (RuleSettings(channels=(EXAMPLE_CHANNEL,)),)
    assert settings.ops == OpsSettings(channels=(EXAMPLE_CHANNEL,))


def test_the_written_user_agent_is_the_crawls_default(written):
    text = written.read_text(encoding="utf-8")
    assert f'user_agent = "{SiteSettings().user_agent}"' in text


def _uncomment(text: str, first_line: str) -> str:
    """The text with the commented block starting at first_line made live."""
    lines = text.splitlines()
    start = lines.index(first_line)
    end = start
    while end < len(lines) and lines[end].startswith("# "):
        lines[end] = lines[end][2:]
        end += 1
    return "\n".join(lines) + "\n"


def test_the_commented_channel_examples_load_once_uncommented(written):
    text = written.read_text(encoding="utf-8")
    for block in ("# [[channels]]", "# [[channels]]"):
        text = _uncomment(text, block)
    written.write_text(text, encoding="utf-8")
    env = {
        "MOFAWATCH_SMTP_PASSWORD": "pw",
        "NAME": "https://hooks.slack.com/services/T/B/x",
    }
    settings = load_settings(env, written)
    desk, team = settings.channel("desk"), settings.channel("team")
    assert (desk.type, desk.smtp_port, desk.username) == ("email", 587, "mofawatch")
    assert team.type == "slack"
    assert team.webhook_url is not None


def test_the_commented_cron_line_replaces_the_interval(written):
    text = written.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^interval = .*$", "", text)
    text = re.sub(r"(?m)^# (cron = .*)$", r"\1", text)
    written.write_text(text, encoding="utf-8")
    schedule = load_settings({}, written).schedule
    assert (schedule.cron, schedule.interval_seconds) == ("*/30 * * * *", None)


def test_the_commented_retention_example_loads(written):
    text = written.read_text(encoding="utf-8")
    written.write_text(_uncomment(text, "# [retention]"), encoding="utf-8")
    assert load_settings({}, written).keep_snapshots == 5
