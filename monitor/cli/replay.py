"""`replay SOURCE...` and `reextract`: rebuild history from saved responses."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import complain, examples, say
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from monitor.replay.reextract import ReextractReport
    from monitor.replay.replayer import ReplayReport

logger = logging.getLogger(__name__)


@click.command(
    epilog=examples(
        "mofawatch replay crawl.warc.gz",
        "mofawatch replay httpcache/ saved-pages/ --dry-run",
        "mofawatch replay mirror/   # wget --mirror: mirror/www.mofa.go.jp/...",
        "mofawatch replay 2025-*.warc.gz --alerts",
    )
)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be stored and which alerts would fire; write nothing.",
)
@click.option(
    "--alerts",
    "send_alerts",
    is_flag=True,
    help="Send the alerts the replay produces.  [default: record them silently]",
)
@pass_context
def replay(
    ctx: Context, sources: tuple[str, ...], dry_run: bool, send_alerts: bool
) -> int:
    """Replay WARC files, Scrapy HTTP caches, wget mirrors or saved HTML.

    SOURCE is a WARC file, a Scrapy HTTPCACHE_DIR (filesystem or DBM storage),
    a wget --mirror folder (its host folder gives the URLs) or a folder of
    .html files. Every capture goes through the crawl's extract, store and
    detect path, oldest first, so successive captures become a page's history.
    Non-page responses (robots.txt, images, CSS, PDFs) are counted and
    skipped. Changes are recorded silently unless --alerts. Exit 1 if anything
    was skipped as unreadable.
    """
    from monitor.cli.progress import Progress
    from monitor.replay.replayer import check_sources, collect
    from monitor.replay.replayer import replay as replay_captures
    from monitor.replay.sources import SourceError
    from storage.db import require_schema
    from storage.locks import LockHeldError

    try:
        checked = check_sources(sources)
    except SourceError as exc:
        complain("replay", str(exc))
        return ExitCode.USAGE
    settings = ctx.settings()
    require_schema(settings.database_url, upgradable=True)
    collected = collect(checked, settings.site.base_url)
    now = datetime.now(UTC)
    try:
        with (
            _lock(settings.database_url, now, dry_run),
            Progress("replay", len(collected.captures)) as bar,
        ):
            report = replay_captures(
                settings,
                collected,
                now,
                alerts=send_alerts,
                dry_run=dry_run,
                on_progress=bar.advance,
            )
    except LockHeldError as exc:
        complain("replay", str(exc))
        return ExitCode.LOCKED
    return _finish_replay(report, alerts=send_alerts)


def _finish_replay(report: ReplayReport, *, alerts: bool) -> int:
    from monitor.replay.replayer import UNREADABLE

    _print_report(report, alerts=alerts)
    for problem in report.problems:
        complain("replay", f"skipped {problem}")
    unreadable = report.counts.get(UNREADABLE, 0)
    for line in report.lines:
        if line.outcome == UNREADABLE:
            complain("replay", f"skipped {line.error}")
    return ExitCode.FAILED if report.problems or unreadable else ExitCode.OK


def _lock(
    database_url: str, now: datetime, dry_run: bool
) -> AbstractContextManager[object]:
    """The cycle lock: replay never interleaves with a cycle (a dry run only reads)."""
    from storage.locks import cycle_lock

    return nullcontext() if dry_run else cycle_lock(database_url, now)


_LABELS = {
    "new_version": "new versions",
    "already_stored": "already stored",
    "not_modified": "not modified",
    "extract_failed": "extraction failed",
    "suspect": "suspect (lost what the stored version had; no version made)",
    "still_unrecognized": "not modified, still unrecognizable",
    "ignored": "stored as snapshots only (index pages, other statuses)",
    "older_than_stored": "older than what is stored (skipped)",
}


def _print_report(report: ReplayReport, *, alerts: bool) -> None:
    if report.dry_run:
        say("dry run: nothing was written")
        for line in report.lines:
            say(f"  {line.describe()}")
        heading = (
            "alerts that would be sent" if alerts else "alerts --alerts would send"
        )
        say(f"{heading}: {len(report.planned)}")
        for channel, subject in report.planned:
            say(f"  [{channel}] {subject}")
    counts = report.counts
    parts = [f"{n} {_LABELS.get(name, name)}" for name, n in sorted(counts.items())]
    summary = ", ".join(parts) or "nothing"
    say(
        f"replayed {len(report.lines)} responses: {summary}; "
        f"{report.changes} changes, {report.alerts_queued} alerts queued"
        f"{f', {report.sent} sent' if report.sent else ''}; "
        f"{report.ignored} non-page responses ignored; "
        f"{len(report.problems)} skipped"
    )


@click.command(epilog=examples("mofawatch reextract --dry-run", "mofawatch reextract"))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the field-level differences the new extractor makes; write nothing.",
)
@pass_context
def reextract(ctx: Context, dry_run: bool) -> int:
    """Re-run the current extractor over stored pages.

    For after an extractor upgrade: changes due only to the extractor become
    silent versions.
    """
    from monitor.cli.progress import Progress
    from monitor.replay.reextract import reextract as reextract_pages
    from storage.db import opened_database, require_schema
    from storage.locks import LockHeldError

    settings = ctx.settings()
    require_schema(settings.database_url)
    now = datetime.now(UTC)
    try:
        with (
            _lock(settings.database_url, now, dry_run),
            opened_database(settings.database_url) as factory,
            Progress("reextract") as bar,
        ):
            report = reextract_pages(
                factory, settings, now, dry_run=dry_run, on_progress=bar.report
            )
    except LockHeldError as exc:
        complain("reextract", str(exc))
        return ExitCode.LOCKED
    _print_reextract(report, dry_run=dry_run)
    return ExitCode.FAILED if report.failed else ExitCode.OK


def _print_reextract(report: ReextractReport, *, dry_run: bool) -> None:
    from monitor.detect.diff import diff_documents, render_diff_text

    for item in report.items:
        if item.error is not None:
            say(f"{item.url}: failed: {item.error}", err=True)
        elif item.changed and dry_run and item.new is not None:
            say(f"{item.url}: would change")
            text = render_diff_text(diff_documents(item.old, item.new))
            say("\n".join(f"  {line}" for line in text.splitlines()))
    verb = "would change" if dry_run else "changed"
    say(
        f"re-extracted {report.pages} pages with extractor "
        f"{report.extractor_version}: {report.changed} {verb}, {report.failed} failed, "
        f"{report.without_body} without a stored body"
        f"{'' if dry_run else f', {report.alerts_queued} alerts queued'}"
    )
