"""[schedule] cron read as crontab reads it, for the daemon's trigger and for status."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.config import ConfigError, ScheduleSettings, load_settings
from monitor.schedule import CrontabTrigger, build_trigger, next_fire_time

TOKYO = ZoneInfo("Asia/Tokyo")
# Sunday 29 November 2026, noon in Tokyo.
SUNDAY_NOON = datetime(2026, 11, 29, 12, 0, tzinfo=TOKYO)


def _cron(expression: str, timezone: str = "Asia/Tokyo") -> ScheduleSettings:
    return ScheduleSettings(cron=expression, timezone=timezone, jitter_seconds=0)


def _fires(expression: str, start: datetime, count: int) -> list[datetime]:
    trigger = build_trigger(_cron(expression))
    fired, previous = [], None
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, start)
        fired.append(previous)
    return fired


def test_weekday_1_is_monday():
    fire = next_fire_time(_cron("0 8 * * 1"), SUNDAY_NOON)
    assert fire == datetime(2026, 11, 30, 8, 0, tzinfo=TOKYO)
    assert fire.strftime("%A") == "Monday"


def test_the_daemon_trigger_agrees_with_next_fire_time():
    trigger = build_trigger(_cron("0 8 * * 1"))
    assert isinstance(trigger, CrontabTrigger)
    first = trigger.get_next_fire_time(None, SUNDAY_NOON)
    assert first == next_fire_time(_cron("0 8 * * 1"), SUNDAY_NOON)
    assert [f.strftime("%a %d %H:%M") for f in _fires("0 8 * * 1", SUNDAY_NOON, 3)] == [
        "Mon 30 08:00",
        "Mon 07 08:00",
        "Mon 14 08:00",
    ]


@pytest.mark.parametrize("expression", ["0 0 * * 0", "0 0 * * 7", "0 0 * * sun"])
def test_0_and_7_and_sun_are_sunday(expression):
    fires = _fires(expression, SUNDAY_NOON, 4)
    assert {f.strftime("%A") for f in fires} == {"Sunday"}
    assert fires[0] == datetime(2026, 12, 6, 0, 0, tzinfo=TOKYO)


def test_steps_ranges_and_day_names():
    fires = _fires("*/15 9-17 * * mon-fri", SUNDAY_NOON, 200)
    assert fires[0] == datetime(2026, 11, 30, 9, 0, tzinfo=TOKYO)
    assert fires[1] == datetime(2026, 11, 30, 9, 15, tzinfo=TOKYO)
    assert {f.strftime("%a") for f in fires} <= {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert {f.hour for f in fires} == set(range(9, 18))
    assert {f.minute for f in fires} == {0, 15, 30, 45}
    friday_last = datetime(2026, 12, 4, 17, 45, tzinfo=TOKYO)
    assert next_fire_time(_cron("*/15 9-17 * * mon-fri"), friday_last) == datetime(
        2026, 12, 7, 9, 0, tzinfo=TOKYO
    )


def test_month_names_and_lists():
    fires = _fires("30 6 1 jan,jul *", SUNDAY_NOON, 3)
    assert [f.date().isoformat() for f in fires] == [
        "2027-01-01",
        "2027-07-01",
        "2028-01-01",
    ]


def test_day_of_month_or_day_of_week_as_in_crontab():
    # Both restricted: either matching is enough (1 December 2026 is a Tuesday).
    fires = _fires("0 0 1 * mon", SUNDAY_NOON, 3)
    assert [f.strftime("%a %d") for f in fires] == ["Mon 30", "Tue 01", "Mon 07"]


def test_times_are_in_the_schedule_time_zone():
    fire = next_fire_time(_cron("0 8 * * *", "UTC"), SUNDAY_NOON)  # 03:00 UTC
    assert fire == datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert fire.utcoffset() == timedelta(0)


def test_a_matching_minute_is_due_at_once_without_a_previous_run():
    trigger = build_trigger(_cron("0 12 * * *"))
    assert trigger.get_next_fire_time(None, SUNDAY_NOON) == SUNDAY_NOON


def test_jitter_delays_by_at_most_jitter_seconds():
    schedule = ScheduleSettings(cron="0 8 * * 1", jitter_seconds=60)
    trigger = build_trigger(schedule)
    exact = next_fire_time(schedule, SUNDAY_NOON)
    for _ in range(20):
        fire = trigger.get_next_fire_time(None, SUNDAY_NOON)
        assert exact <= fire <= exact + timedelta(seconds=60)


def test_the_trigger_survives_the_job_store_pickle():
    trigger = build_trigger(ScheduleSettings(cron="0 8 * * 1", jitter_seconds=30))
    again = pickle.loads(pickle.dumps(trigger))
    assert str(again) == str(trigger) == "crontab[0 8 * * 1, Asia/Tokyo, jitter=30s]"
    again.jitter = None
    assert again.get_next_fire_time(None, SUNDAY_NOON).strftime("%A") == "Monday"


def test_interval_schedules_count_from_the_previous_start():
    schedule = ScheduleSettings(interval_seconds=1800, timezone="UTC")
    now = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert next_fire_time(schedule, now) == now + timedelta(minutes=30)
    started = now - timedelta(minutes=10)
    assert next_fire_time(schedule, now, last_start=started) == now + timedelta(
        minutes=20
    )
    long_ago = now - timedelta(hours=3)
    assert next_fire_time(schedule, now, last_start=long_ago) == now


@pytest.mark.parametrize(
    "expression",
    ["61 * * * *", "* 24 * * *", "* * 32 * *", "* * * 13 *", "* * * * 8", "0 0 30 2 *"],
)
def test_impossible_crontab_lines_are_refused_on_load(tmp_path, expression):
    path = tmp_path / "mofawatch.toml"
    path.write_text(f'[schedule]\ncron = "{expression}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^\[schedule\] cron: bad "):
        load_settings({}, path)


@pytest.mark.parametrize("expression", ["@daily", "* * * * * *", "*/30 * * *", ""])
def test_only_five_fields_are_a_crontab_line(tmp_path, expression):
    path = tmp_path / "mofawatch.toml"
    path.write_text(f'[schedule]\ncron = "{expression}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^\[schedule\] cron: must "):
        load_settings({}, path)
