"""Crontab expressions read the way crontab(5) reads them, through cronsim.

APScheduler 3's own CronTrigger counts weekdays from Monday = 0 and requires
day-of-month and day-of-week to match together, so "0 8 * * 1" would fire on Tuesdays
there. cronsim follows cron: 0 and 7 are Sunday, names (mon-fri, jan-dec), ranges, steps
and lists, and a restricted day-of-month OR day-of-week.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cronsim import CronSim, CronSimError

FIELDS = "minute hour day-of-month month day-of-week"
_ANY_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)


def check_crontab(expression: str) -> str:
    """The expression if it is five valid crontab fields, else ValueError saying why."""
    if len(expression.split()) != 5:
        raise ValueError(f'must be five crontab fields ({FIELDS}), like "*/30 * * * *"')
    try:
        CronSim(expression, _ANY_MOMENT)
    except CronSimError as exc:
        raise ValueError(f"{str(exc).lower()} in {expression!r} ({FIELDS})") from None
    return expression


def next_match(expression: str, moment: datetime) -> datetime:
    """The first matching minute strictly after `moment` (aware), in moment's zone."""
    return next(CronSim(expression, moment))
