"""`mofawatch status` shows when the daemon's schedule starts the next cycle."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.cli.status import build_status, text_report
from monitor.config import ScheduleSettings, Settings
from storage.status import RunFigures, StatusFigures

# A Wednesday.
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def _figures(*runs: RunFigures) -> StatusFigures:
    return StatusFigures(
        runs=runs,
        sections=(),
        documents={"live": 0},
        versions=0,
        alerts={},
        last_ok_at=NOW,
    )


def _run(kind: str, started_at: datetime) -> RunFigures:
    return RunFigures(1, kind, "ok", 0, None, started_at, started_at, {})


def test_weekly_cron_is_next_monday_in_its_time_zone():
    settings = Settings(
        schedule=ScheduleSettings(cron="0 8 * * 1", timezone="Asia/Tokyo")
    )
    report = build_status(_figures(), settings, NOW)
    assert report["next_cycle"] == {
        "at": "2026-12-07T08:00:00+09:00",
        "schedule": "cron 0 8 * * 1",
        "timezone": "Asia/Tokyo",
        "jitter_seconds": 60,
    }
    assert (
        "next cycle: 2026-12-07T08:00:00+09:00 (cron 0 8 * * 1, Asia/Tokyo, "
        "up to 60 s later)"
    ) in text_report(report).splitlines()


def test_sunday_as_7_and_as_0_is_the_same_day():
    for day in ("0", "7", "sun"):
        schedule = ScheduleSettings(cron=f"30 6 * * {day}", timezone="UTC")
        report = build_status(_figures(), Settings(schedule=schedule), NOW)
        assert report["next_cycle"]["at"] == "2026-12-06T06:30:00+00:00"


def test_interval_counts_from_the_last_daemon_cycle():
    schedule = ScheduleSettings.model_validate(
        {"interval": 3600, "timezone": "UTC", "jitter_seconds": 0}
    )
    settings = Settings(schedule=schedule)
    runs = (
        _run("run", datetime(2026, 12, 2, 0, 50, tzinfo=UTC)),  # by hand: not counted
        _run("daemon", datetime(2026, 12, 2, 0, 30, tzinfo=UTC)),
    )
    report = build_status(_figures(*runs), settings, NOW)
    assert report["next_cycle"]["at"] == "2026-12-02T01:30:00+00:00"
    assert report["next_cycle"]["schedule"] == "every 3600 s"
    assert "next cycle: 2026-12-02T01:30:00+00:00 (every 3600 s, UTC)" in text_report(
        report
    )


def test_interval_without_a_daemon_cycle_is_one_interval_from_now():
    schedule = ScheduleSettings.model_validate({"interval": 1800, "timezone": "UTC"})
    report = build_status(_figures(), Settings(schedule=schedule), NOW)
    assert report["next_cycle"]["at"] == "2026-12-02T01:30:00+00:00"
