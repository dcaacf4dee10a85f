"""The daemon's crontab trigger in APScheduler's job store, on both databases."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.config import ScheduleSettings, Settings
from monitor.runner.scheduler import JOB_ID, build_scheduler, schedule_cycle
from monitor.schedule import CrontabTrigger
from storage.db import upgrade_database

SUNDAY_NOON = datetime(2026, 11, 29, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _started(settings: Settings):
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    return scheduler


def _stop(scheduler) -> None:
    scheduler.shutdown(wait=False)
    scheduler._jobstores["default"].engine.dispose()


def test_a_crontab_schedule_is_stored_kept_and_fires_on_monday(db_url):
    upgrade_database(db_url)
    schedule = ScheduleSettings(cron="0 8 * * 1", jitter_seconds=0)
    settings = Settings(database_url=db_url, schedule=schedule)
    first = _started(settings)
    try:
        schedule_cycle(first, settings)
    finally:
        _stop(first)
    second = _started(settings)
    try:
        stored = second.get_job(JOB_ID)
        assert stored is not None
        assert isinstance(stored.trigger, CrontabTrigger)
        assert str(stored.trigger) == "crontab[0 8 * * 1, Asia/Tokyo]"
        kept = schedule_cycle(second, settings)  # the same schedule: not reset
        assert kept.next_run_time == stored.next_run_time
        fire = stored.trigger.get_next_fire_time(None, SUNDAY_NOON)
        assert fire.strftime("%A %H:%M") == "Monday 08:00"
    finally:
        _stop(second)
