"""APScheduler 3 wiring for `mofawatch daemon`: the trigger, the job store, the job.

The job takes no arguments (nothing of the settings, so no secret, is pickled into the
job store); it runs the settings the daemon registered with `set_job_context`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.config import Settings
from monitor.exitcodes import ExitCode
from monitor.runner.cycle import CycleOptions, execute_cycle
from monitor.runner.signals import StopRequest
from monitor.schedule import build_trigger
from storage.cycles import JOBS_TABLE
from storage.db import make_engine

logger = logging.getLogger(__name__)

JOB_ID = "mofawatch-cycle"


@dataclass(frozen=True, slots=True)
class JobContext:
    settings: Settings
    stop: StopRequest


_context: JobContext | None = None
_running = threading.Lock()  # held while a cycle runs


def wait_until_idle() -> None:
    """Block until the cycle in progress (if any) has returned."""
    with _running:
        pass


def set_job_context(settings: Settings, stop: StopRequest) -> None:
    """Register what the scheduled job runs with (called once by the daemon)."""
    global _context
    _context = JobContext(settings, stop)


def _release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc only).

    Without it the daemon's RSS creeps up by fragmentation across hundreds of cycles
    although Python's own allocations stay flat.
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    if name and "libc.so" in name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).malloc_trim(0)


def scheduled_cycle() -> None:
    """The job: one cycle, unless a shutdown was requested; errors are logged."""
    context = _context
    if context is None or context.stop.is_set():
        return
    try:
        with _running:
            if context.stop.is_set():  # the daemon stopped while this job queued
                return
            report = execute_cycle(
                context.settings,
                lambda: datetime.now(UTC),
                options=CycleOptions(kind="daemon", stop=context.stop, upgrade=False),
            )
    except Exception:
        logger.exception("cycle crashed; the next one runs on schedule")
        return
    finally:
        _release_memory()
    for line in report.lines:
        logger.info("%s", line)
    if report.exit_code == ExitCode.LOCKED:
        logger.warning("cycle skipped: %s", report.error)
    elif report.error:
        logger.error("cycle failed: %s", report.error)


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    """A scheduler whose job store lives in the mofawatch database."""
    schedule = settings.schedule
    store = SQLAlchemyJobStore(
        engine=make_engine(settings.database_url), tablename=JOBS_TABLE
    )
    return BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": schedule.misfire_grace_seconds,
        },
        timezone=ZoneInfo(schedule.timezone),
    )


def schedule_cycle(scheduler: BackgroundScheduler, settings: Settings) -> Any:
    """Add the cycle job, keeping a stored one (and its missed run) if unchanged.

    The scheduler must be started (paused) so the job store is readable.
    """
    trigger = build_trigger(settings.schedule)
    stored = scheduler.get_job(JOB_ID)
    if stored is not None and str(stored.trigger) == str(trigger):
        logger.info(
            "schedule kept from the job store; next cycle at %s", stored.next_run_time
        )
        return stored
    job = scheduler.add_job(
        scheduled_cycle,
        trigger,
        id=JOB_ID,
        name="crawl, detect, dispatch",
        replace_existing=True,
        next_run_time=datetime.now(UTC),  # a new schedule starts with a cycle
    )
    logger.info("schedule set: %s", trigger)
    return job
