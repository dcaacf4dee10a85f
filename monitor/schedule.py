"""When cycles run: the APScheduler trigger for [schedule], and the next fire time that
the daemon and `mofawatch status` agree on.

A cron schedule is read as crontab(5) reads it (monitor.config.cron), not as
APScheduler's CronTrigger would (weekdays from Monday = 0).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import ScheduleSettings
from monitor.config.cron import next_match

_JUST_BEFORE = timedelta(microseconds=1)


class CrontabTrigger(BaseTrigger):  # type: ignore[misc]  # apscheduler is untyped
    """Fires at every minute a crontab expression matches, in its time zone, plus up to
    `jitter` seconds."""

    __slots__ = ("expression", "jitter", "timezone")

    def __init__(
        self, expression: str, timezone: ZoneInfo, jitter: int | None = None
    ) -> None:
        self.expression = expression
        self.timezone = timezone
        self.jitter = jitter

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime:
        # Without a previous run the first match may be `now` itself. A valid crontab
        # line always matches again (cronsim refuses one that never would).
        after = previous_fire_time or now - _JUST_BEFORE
        fire = next_match(self.expression, after.astimezone(self.timezone))
        result: datetime = self._apply_jitter(fire, self.jitter, now)
        return result

    def __getstate__(self) -> dict[str, object]:
        return {
            "expression": self.expression,
            "timezone": self.timezone.key,
            "jitter": self.jitter,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.expression = str(state["expression"])
        self.timezone = ZoneInfo(str(state["timezone"]))
        jitter = state.get("jitter")
        self.jitter = jitter if isinstance(jitter, int) else None

    def __str__(self) -> str:
        jitter = f", jitter={self.jitter}s" if self.jitter else ""
        return f"crontab[{self.expression}, {self.timezone.key}{jitter}]"

    def __repr__(self) -> str:
        return f"<CrontabTrigger ({self})>"


def build_trigger(schedule: ScheduleSettings) -> CrontabTrigger | IntervalTrigger:
    """The daemon's trigger: the crontab line, or the interval, with the jitter."""
    tz = ZoneInfo(schedule.timezone)
    jitter = schedule.jitter_seconds or None
    if schedule.cron is not None:
        return CrontabTrigger(schedule.cron, tz, jitter)
    return IntervalTrigger(seconds=_interval(schedule), timezone=tz, jitter=jitter)


def next_fire_time(
    schedule: ScheduleSettings, now: datetime, *, last_start: datetime | None = None
) -> datetime:
    """When the next scheduled cycle is due after `now` (aware), in the schedule's time
    zone, before jitter (it may start up to jitter_seconds later).

    A cron schedule: the first matching minute after `now`. An interval: `interval`
    after `last_start` (the previous cycle's start), or `now` when that is already past;
    without `last_start`, one interval from `now`.
    """
    tz = ZoneInfo(schedule.timezone)
    if schedule.cron is not None:
        return next_match(schedule.cron, now.astimezone(tz))
    every = timedelta(seconds=_interval(schedule))
    due = now + every if last_start is None else max(last_start + every, now)
    return due.astimezone(tz)


def _interval(schedule: ScheduleSettings) -> int:
    if schedule.interval_seconds is None:  # ScheduleSettings holds cron or interval
        raise ValueError("a schedule without cron has an interval")
    return schedule.interval_seconds
