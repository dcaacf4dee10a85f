"""`export` (documents as JSONL or CSV) and `feed` (an Atom feed of recent changes)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from monitor.cli.context import Context
from monitor.exitcodes import ExitCode
from monitor.export.documents import (
    export_rows,
    feed_entries,
    render_feed,
    write_csv,
    write_jsonl,
)
from storage.db import mask_url, open_database
from storage.models import Change

logger = logging.getLogger(__name__)


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    """One line per document (newest version) as JSONL or CSV."""
    if args.since:
        try:
            date.fromisoformat(args.since)
        except ValueError:
            print(
                f"mofawatch export: --since must be YYYY-MM-DD, got {args.since!r}",
                file=sys.stderr,
            )
            return ExitCode.USAGE
    write = write_csv if args.format == "csv" else write_jsonl

    def action(session: Session, out: TextIO) -> int:
        rows = export_rows(session, kinds=args.kind or (), since=args.since)
        count = write(rows, out)
        logger.info("exported %d documents", count)
        return ExitCode.OK

    return _with_database(ctx, args.out, action)


def cmd_feed(args: argparse.Namespace, ctx: Context) -> int:
    """An Atom 1.0 feed of the newest new and updated documents."""
    if args.limit < 1:
        print("mofawatch feed: --limit must be at least 1", file=sys.stderr)
        return ExitCode.USAGE
    base_url = ctx.settings().site.base_url

    def action(session: Session, out: TextIO) -> int:
        entries = feed_entries(session, args.limit)
        first = session.scalar(select(func.min(Change.detected_at)))
        now = datetime.now(UTC)
        out.write(
            render_feed(entries, base_url=base_url, now=now, created=first or now)
        )
        return ExitCode.OK

    return _with_database(ctx, args.out, action)


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    # Written beside the target and renamed, so a reader never sees half a file.
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            yield fh
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def _with_database(
    ctx: Context, out_path: str | None, action: Callable[[Session, TextIO], int]
) -> int:
    url = ctx.settings().database_url
    factory = open_database(url)
    try:
        with factory() as session, _output(out_path) as out:
            return action(session, out)
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(
            f"mofawatch: cannot read database {mask_url(url)} ({reason}); has "
            "`mofawatch init` been run?",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    except OSError as exc:
        print(f"mofawatch: cannot write {out_path}: {exc.strerror}", file=sys.stderr)
        return ExitCode.USAGE
