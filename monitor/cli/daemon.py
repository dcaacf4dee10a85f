"""`mofawatch daemon`: the cycle on the configured schedule until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from monitor.cli.context import Context
from monitor.exitcodes import ExitCode
from monitor.runner.scheduler import (
    build_scheduler,
    schedule_cycle,
    set_job_context,
    wait_until_idle,
)
from storage.db import upgrade_database

logger = logging.getLogger(__name__)


def cmd_daemon(args: argparse.Namespace, ctx: Context) -> int:
    """Run until a signal; the step in progress finishes, then exit 0."""
    settings = ctx.settings()
    upgrade_database(settings.database_url)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info(
            "%s received: finishing the step in progress", signal.Signals(signum).name
        )
        stop.set()

    previous = {
        sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    set_job_context(settings, stop)
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    try:
        schedule_cycle(scheduler, settings)
        scheduler.resume()
        logger.info("daemon started")
        while not stop.wait(1.0):
            pass
    finally:
        # Pause, then wait for the cycle in progress ourselves. APScheduler 3's
        # shutdown() sets STOPPED before its thread's last pass over due jobs, which
        # then fails to submit; a paused scheduler in a daemon thread needs no
        # shutdown, and a run left due in the job store is taken up after a restart.
        scheduler.pause()
        wait_until_idle()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    logger.info("daemon stopped")
    return ExitCode.OK
