"""`mofawatch run`: one full cycle (crawl, store, detect, dispatch), for cron."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import examples, say


def _now() -> datetime:
    return datetime.now(UTC)


@click.command(
    epilog=examples(
        "mofawatch run",
        "mofawatch run --since 2024-01 --warc backfill.warc.gz",
        "mofawatch run --dry-run",
    )
)
@click.option(
    "--since",
    metavar="YYYY-MM",
    help="Also crawl the monthly archives back to this month (a backfill, "
    "recorded silently).  [default: [site] since, on the first run only]",
)
@click.option(
    "--no-alerts", is_flag=True, help="Detect and queue changes, but send nothing."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Crawl nothing and write nothing: print the messages the outbox would "
    "send now.",
)
@click.option(
    "--warc",
    metavar="FILE",
    help="Also write every response to this WARC file (gzip).  [default: none]",
)
@pass_context
def run(
    ctx: Context, since: str | None, no_alerts: bool, dry_run: bool, warc: str | None
) -> int:
    """One full cycle: crawl, store, detect, dispatch (for cron).

    The first run on an empty database, and a --since backfill, record a silent
    baseline. SIGTERM, SIGINT or SIGHUP stop the cycle and its crawl; the exit code
    is then 128 + the signal number.

    Exit 1, with a `problem:` line each, when a fetch gave no content (failed,
    blocked, a page past [crawl] max_response_bytes (default 8 MiB), a redirect or
    meta refresh to another host, a redirect loop) or a section had no index page
    to read (robots.txt forbids it, every list page answers "not found"); exit 4
    when the site blocked every index page (403, 429, a challenge or block page).
    """
    from monitor.runner.cycle import CycleOptions, execute_cycle
    from monitor.runner.progress import crawl_progress
    from monitor.runner.signals import StopRequest, stop_on_signals

    settings = ctx.settings()
    with stop_on_signals(StopRequest()) as stop, crawl_progress() as progress:
        report = execute_cycle(
            settings,
            _now,
            dry_run=dry_run,
            options=CycleOptions(
                since=since,
                no_alerts=no_alerts,
                warc_path=warc,
                stop=stop,
                on_progress=progress,
            ),
        )
    for line in report.lines:
        say(line)
    if report.error:
        say(f"mofawatch: {report.error}", err=True)
    return report.exit_code
