"""`mofawatch run`: one full cycle (crawl, store, detect, dispatch), for cron."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from monitor.cli.context import Context
from monitor.runner.cycle import CycleOptions, execute_cycle
from monitor.runner.progress import crawl_progress
from monitor.runner.signals import StopRequest, stop_on_signals


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_run(args: argparse.Namespace, ctx: Context) -> int:
    """Run one cycle; print its summary; exit with the cycle's exit code.

    --dry-run crawls nothing and writes nothing: it prints the messages that a
    dispatch would send now from the outbox. SIGTERM, SIGINT or SIGHUP stop the
    cycle (its crawl too); the exit code is then 128 + the signal number.
    """
    settings = ctx.settings()
    with stop_on_signals(StopRequest()) as stop, crawl_progress() as progress:
        report = execute_cycle(
            settings,
            _now,
            dry_run=args.dry_run,
            options=CycleOptions(
                since=args.since,
                no_alerts=args.no_alerts,
                warc_path=args.warc,
                stop=stop,
                on_progress=progress,
            ),
        )
    for line in report.lines:
        print(line)
    if report.error:
        print(f"mofawatch: {report.error}", file=sys.stderr)
    return report.exit_code
