"""`replay SOURCE...` and `reextract`: rebuild history from saved responses."""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import TextIO

from monitor.cli.context import Context
from monitor.exitcodes import ExitCode
from monitor.replay.replayer import (
    UNREADABLE,
    ReplayReport,
    check_sources,
    collect,
    replay,
)
from monitor.replay.sources import SourceError
from storage.locks import LockHeldError, cycle_lock

logger = logging.getLogger(__name__)


def cmd_replay(args: argparse.Namespace, ctx: Context) -> int:
    """Replay WARC files, HTTP-cache folders and HTML folders; exit 1 if any skipped."""
    try:
        sources = check_sources(args.sources)
    except SourceError as exc:
        print(f"mofawatch replay: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    settings = ctx.settings()
    collected = collect(sources, settings.site.base_url)
    from monitor.cli.progress import Progress

    now = datetime.now(UTC)
    try:
        with (
            _lock(settings.database_url, now, args.dry_run),
            Progress(len(collected.captures), "replay") as bar,
        ):
            report = replay(
                settings,
                collected,
                now,
                alerts=args.alerts,
                dry_run=args.dry_run,
                on_progress=bar.update,
            )
    except LockHeldError as exc:
        print(f"mofawatch replay: {exc}", file=sys.stderr)
        return ExitCode.LOCKED
    _print_report(report, alerts=args.alerts, out=sys.stdout)
    for problem in report.problems:
        print(f"mofawatch replay: skipped {problem}", file=sys.stderr)
    unreadable = report.counts.get(UNREADABLE, 0)
    for line in report.lines:
        if line.outcome == UNREADABLE:
            print(f"mofawatch replay: skipped {line.error}", file=sys.stderr)
    return ExitCode.FAILED if report.problems or unreadable else ExitCode.OK


def _lock(
    database_url: str, now: datetime, dry_run: bool
) -> AbstractContextManager[object]:
    """The cycle lock: replay never interleaves with a cycle (a dry run only reads)."""
    return nullcontext() if dry_run else cycle_lock(database_url, now)


_LABELS = {
    "new_version": "new versions",
    "already_stored": "already stored",
    "not_modified": "not modified",
    "extract_failed": "extraction failed",
    "ignored": "stored as snapshots only (index pages, other statuses)",
    "older_than_stored": "older than what is stored (skipped)",
}


def _print_report(report: ReplayReport, *, alerts: bool, out: TextIO) -> None:
    if report.dry_run:
        out.write("dry run: nothing was written\n")
        for line in report.lines:
            out.write(f"  {line.describe()}\n")
        heading = (
            "alerts that would be sent" if alerts else "alerts --alerts would send"
        )
        out.write(f"{heading}: {len(report.planned)}\n")
        for channel, subject in report.planned:
            out.write(f"  [{channel}] {subject}\n")
    counts = report.counts
    parts = [f"{n} {_LABELS.get(name, name)}" for name, n in sorted(counts.items())]
    summary = ", ".join(parts) or "nothing"
    out.write(
        f"replayed {len(report.lines)} responses: {summary}; "
        f"{report.changes} changes, {report.alerts_queued} alerts queued"
        f"{f', {report.sent} sent' if report.sent else ''}; "
        f"{report.ignored} non-page responses ignored; "
        f"{len(report.problems)} skipped\n"
    )


def cmd_reextract(args: argparse.Namespace, ctx: Context) -> int:
    """Re-run the current extractor over stored snapshots (silently)."""
    from monitor.detect.diff import diff_documents, render_diff_text
    from monitor.replay.reextract import reextract
    from storage.db import open_database

    settings = ctx.settings()
    factory = open_database(settings.database_url)
    now = datetime.now(UTC)
    try:
        with _lock(settings.database_url, now, args.dry_run):
            report = reextract(factory, settings, now, dry_run=args.dry_run)
    except LockHeldError as exc:
        print(f"mofawatch reextract: {exc}", file=sys.stderr)
        return ExitCode.LOCKED
    for item in report.items:
        if item.error is not None:
            print(f"{item.url}: failed: {item.error}", file=sys.stderr)
        elif item.changed and args.dry_run and item.new is not None:
            print(f"{item.url}: would change")
            text = render_diff_text(diff_documents(item.old, item.new))
            print("\n".join(f"  {line}" for line in text.splitlines()))
    verb = "would change" if args.dry_run else "changed"
    print(
        f"re-extracted {report.pages} pages with extractor "
        f"{report.extractor_version}: {report.changed} {verb}, {report.failed} failed, "
        f"{report.without_body} without a stored body"
        f"{'' if args.dry_run else f', {report.alerts_queued} alerts queued'}"
    )
    return ExitCode.FAILED if report.failed else ExitCode.OK
