"""`mofawatch daemon`: the cycle on the configured schedule until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import examples
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.runner.signals import StopRequest
    from monitor.web.server import WebServer

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
    overlap, and survive a restart. On SIGTERM or SIGINT the cycle in progress
    stops (its crawl too), then the daemon exits 0. With [web] enabled = true
    the daemon also serves the web view (as `mofawatch serve` would).
    """
    from monitor.runner.signals import StopRequest, stop_on_signals
    from storage.db import require_persistent_url, upgrade_database

    settings = ctx.settings()
    upgrade_database(require_persistent_url(settings.database_url))
    with stop_on_signals(StopRequest()) as stop:
        _serve(settings, stop)
    logger.info("daemon stopped")
    return ExitCode.OK


def _serve(settings: Settings, stop: StopRequest) -> None:
    from monitor.runner.scheduler import (
        build_scheduler,
        schedule_cycle,
        set_job_context,
        wait_until_idle,
    )

    web = _start_web(settings)
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
        if web is not None:
            web.close()


def _start_web(settings: Settings) -> WebServer | None:
    if not settings.web.enabled:
        return None
    from monitor.web.server import serve_in_thread

    return serve_in_thread(settings)
