"""`mofawatch daemon`: the cycle on the configured schedule until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import examples
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)


@click.command(
    epilog=examples(
        "mofawatch daemon",
        "mofawatch --log-format json daemon   # under systemd or in a container",
    )
)
@pass_context
def daemon(ctx: Context) -> int:
    """The cycle on the configured schedule, until SIGTERM or SIGINT.

    Cycles follow [schedule] (cron or interval, jitter_seconds, timezone), never
    overlap, and survive a restart. On SIGTERM or SIGINT the step in progress
    finishes, then the daemon exits 0.
    """
    from monitor.runner.scheduler import (
        build_scheduler,
        schedule_cycle,
        set_job_context,
        wait_until_idle,
    )
    from storage.db import upgrade_database

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
