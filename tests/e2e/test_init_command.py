"""`mofawatch init` and `mofawatch prune` as a user runs them, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import load_settings
from storage.db import current_revision, head_revision, open_database, unit_of_work
from tests.factories import T0, make_document, make_snapshot, make_version

pytestmark = pytest.mark.e2e

DESIGN_KEYS = {
    "site": {
        "base_url",
        "sections",
        "languages",
        "since",
        "user_agent",
        "download_delay",
    },
    "database": {"url"},
    "schedule": {"interval", "jitter_seconds", "timezone"},
    "ops": {"channels", "silence_days"},
}
COMMENTED_KEYS = (
    "cron",
    "to",
    "from",
    "smtp_host",
    "smtp_port",
    "security",
    "username",
    "MOFAWATCH_SMTP_PASSWORD",
    "MOFAWATCH_SLACK_WEBHOOK_URL",
    "webhook_url_env",
    "digest_at",
    "keep_snapshots",
)


def mofawatch(cwd: Path, *args: str, database_url: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    if database_url is not None:
        env["MOFAWATCH_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_init_in_a_fresh_directory_creates_database_and_config(tmp_path):
    result = mofawatch(tmp_path, "init")
    assert result.returncode == 0, result.stderr
    assert "created the database schema" in result.stdout
    assert "wrote" in result.stdout
    assert (tmp_path / "mofawatch.db").is_file()
    assert current_revision(f"sqlite:///{tmp_path / 'mofawatch.db'}") == head_revision()


def test_written_config_has_every_design_key_and_loads(tmp_path, monkeypatch):
    assert mofawatch(tmp_path, "init").returncode == 0
    path = tmp_path / "mofawatch.toml"
    text = path.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    for table, keys in DESIGN_KEYS.items():
        assert keys <= set(raw[table]), table
    assert {"name", "type"} <= set(raw["channels"][0])
    assert {"channels", "events", "meetings_only", "keywords", "mode"} <= set(
        raw["rules"][0]
    )
    for key in COMMENTED_KEYS:
        assert key in text, key
    monkeypatch.chdir(tmp_path)
    settings = load_settings({}, path)
    assert settings.database_url == "sqlite:///mofawatch.db"
    assert [c.name for c in settings.channels] == ["console"]
    assert settings.schedule.interval_seconds == 1800


def test_init_again_keeps_config_and_reports_up_to_date(tmp_path):
    assert mofawatch(tmp_path, "init").returncode == 0
    (tmp_path / "mofawatch.toml").write_text(
        '[database]\nurl = "sqlite:///mofawatch.db"\n', encoding="utf-8"
    )
    again = mofawatch(tmp_path, "init")
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert (
        (tmp_path / "mofawatch.toml")
        .read_text(encoding="utf-8")
        .startswith("[database]")
    )


def test_init_without_config_file_writes_none(tmp_path):
    result = mofawatch(tmp_path, "init", "--no-config-file")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "mofawatch.toml").exists()


@pytest.mark.postgres
def test_init_on_postgresql_creates_and_then_finds_it_up_to_date(
    tmp_path, postgres_url
):
    first = mofawatch(tmp_path, "init", "--no-config-file", database_url=postgres_url)
    second = mofawatch(tmp_path, "init", "--no-config-file", database_url=postgres_url)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr
    assert "created" in first.stdout
    assert "up to date" in second.stdout


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://u:secret@127.0.0.1:1/x",
        "postgres://u:secret@127.0.0.1:1/x",
    ],
)
def test_init_with_unreachable_database_exits_2_with_masked_url(tmp_path, url):
    result = mofawatch(tmp_path, "init", database_url=url)
    assert result.returncode == 2
    assert "cannot reach database postgresql+psycopg://u:***@127.0.0.1:1/x" in (
        result.stderr
    )
    assert "secret" not in result.stdout + result.stderr


def test_init_with_unopenable_sqlite_path_exits_2(tmp_path):
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"
    result = mofawatch(tmp_path, "init", database_url=url)
    assert result.returncode == 2
    assert "cannot reach database" in result.stderr


def test_prune_command_needs_a_number_then_prints_a_summary(tmp_path):
    url = f"sqlite:///{tmp_path / 'mofawatch.db'}"
    assert mofawatch(tmp_path, "init", "--no-config-file").returncode == 0
    with unit_of_work(open_database(url)) as session:
        make_version(session)
        for day in range(3):
            make_snapshot(
                session,
                make_document()["url"],
                body=b"b%d" % day,
                fetched_at=T0 + timedelta(days=day),
            )
    missing = mofawatch(tmp_path, "prune")
    assert missing.returncode == 2
    assert "--keep-snapshots" in missing.stderr
    dry = mofawatch(tmp_path, "prune", "--keep-snapshots", "1", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would drop the bodies of 2 snapshots" in dry.stdout
    real = mofawatch(tmp_path, "prune", "--keep-snapshots", "1")
    assert "dropped the bodies of 2 snapshots" in real.stdout
    (tmp_path / "mofawatch.toml").write_text("[retention]\nkeep_snapshots = 1\n")
    configured = mofawatch(tmp_path, "prune")
    assert configured.returncode == 0, configured.stderr
    assert "dropped the bodies of 0 snapshots" in configured.stdout


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_init_refuses_an_in_memory_database(tmp_path, url):
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "init", "--no-config-file"],
        cwd=tmp_path,
        env={**os.environ, "MOFAWATCH_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "in-memory database" in result.stderr
    assert "Traceback" not in result.stderr
    assert "created the database" not in result.stdout
