"""`mofawatch run`: one full cycle (crawl, store, detect, dispatch), for cron."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from monitor.cli.context import Context
from monitor.runner.cycle import execute_cycle


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_run(args: argparse.Namespace, ctx: Context) -> int:
    """Run one cycle; print its summary; exit with the cycle's exit code.

    --dry-run crawls nothing and writes nothing: it prints the messages that a
    dispatch would send now from the outbox.
    """
    report = execute_cycle(
        ctx.settings(),
        _now,
        since=args.since,
        no_alerts=args.no_alerts,
        dry_run=args.dry_run,
        warc_path=args.warc,
    )
    for line in report.lines:
        print(line)
    if report.error:
        print(f"mofawatch: {report.error}", file=sys.stderr)
    return report.exit_code
