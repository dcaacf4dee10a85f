"""`mofawatch status`: a blocked section makes it exit 1, recovery makes it exit 0."""

from __future__ import annotations

import json

import pytest

from tests.e2e.cli_helpers import Installation
from tests.sitesim import Fault

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


@pytest.fixture
def mw(site, tmp_path):
    return Installation(site, tmp_path)


def _status(mw):
    result = mw.run("status", "--json")
    return result.returncode, json.loads(result.stdout)


def test_status_reports_a_blocked_section_then_recovery(mw):
    assert mw.run("run").returncode == 0
    code, report = _status(mw)
    assert code == 0, report["problems"]
    assert report["healthy"] is True
    assert report["documents"]["total"] == report["versions"] > 0

    for prefix in ("/press/*", "/na/*"):
        mw.site.set_fault(prefix, Fault.blocked())
    assert mw.run("run").returncode == 4
    code, report = _status(mw)
    assert code == 1
    blocked = {s["name"] for s in report["sections"] if s["state"] == "blocked"}
    assert "press_releases" in blocked
    assert any("section press_releases blocked since" in p for p in report["problems"])
    assert report["runs"][0]["status"] == "blocked"
    text = mw.run("status")
    assert text.returncode == 1
    assert text.stdout.startswith("mofawatch: UNHEALTHY")

    mw.site.clear_faults()
    assert mw.run("run").returncode == 0
    code, report = _status(mw)
    assert code == 0, report["problems"]
    assert {s["state"] for s in report["sections"]} == {"ok"}
    assert report["runs"][0]["status"] == "ok"


def test_status_before_any_run_is_unhealthy(mw):
    assert mw.run("init", "--no-config-file").returncode == 0
    code, report = _status(mw)
    assert code == 1
    assert "no successful run yet" in report["problems"]


def test_status_exits_2_when_the_database_is_unreachable(mw):
    mw.env["MOFAWATCH_DATABASE_URL"] = "postgresql+psycopg://w:s3cret@127.0.0.1:9/x"
    result = mw.run("status")
    assert result.returncode == 2
    assert "s3cret" not in result.stderr
    assert "***" in result.stderr


def test_dead_alerts_make_status_unhealthy(mw):
    from datetime import UTC, datetime

    from storage.db import opened_database, unit_of_work
    from storage.models import Alert, AlertStatus

    assert mw.run("run").returncode == 0
    with opened_database(mw.db_url) as factory:
        now = datetime.now(UTC)
        with unit_of_work(factory) as session:
            session.add(
                Alert(
                    channel="console",
                    status=AlertStatus.DEAD,
                    created_at=now,
                    next_attempt_at=now,
                    attempts=8,
                    last_error="boom",
                )
            )
    code, report = _status(mw)
    assert code == 1
    assert "1 dead alerts (never delivered)" in report["problems"]


def test_status_shows_the_next_cycle_of_the_configured_schedule(site, tmp_path):
    from datetime import datetime, timedelta

    mw = Installation(
        site, tmp_path, '\n[schedule]\ncron = "0 8 * * 1"\ntimezone = "Asia/Tokyo"\n'
    )
    assert mw.run("run").returncode == 0
    _code, report = _status(mw)
    at = datetime.fromisoformat(report["next_cycle"]["at"])
    assert (at.weekday(), at.hour, at.minute) == (0, 8, 0)  # a Monday, crontab's 1
    assert at.utcoffset() == timedelta(hours=9)
    assert report["next_cycle"]["schedule"] == "cron 0 8 * * 1"
    text = mw.run("status").stdout
    assert f"next cycle: {report['next_cycle']['at']} (cron 0 8 * * 1" in text
