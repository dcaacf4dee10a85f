"""`export` (documents as JSONL or CSV) and `feed` (an Atom feed of recent changes)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

import click

from crawler.extract.document import DocumentKind
from monitor.cli.context import Context, pass_context
from monitor.cli.output import complain, examples
from monitor.cli.params import ISO_DATE
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from monitor.cli.progress import Progress

logger = logging.getLogger(__name__)

T = TypeVar("T")
OUT_HELP = "Write to FILE (atomically, via FILE.part).  [default: standard output]"


@click.command(
    epilog=examples(
        "mofawatch export > documents.jsonl",
        "mofawatch export --format csv --kind press_release --out releases.csv",
        "mofawatch export --since 2026-01-01 | head -1",
    )
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    help="One JSON object per line, or CSV with a header row.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([kind.value for kind in DocumentKind]),
    help="Only documents of this kind (repeatable).  [default: every kind]",
)
@click.option(
    "--since",
    type=ISO_DATE,
    help="Only documents dated on or after this day.  [default: all]",
)
@click.option("--out", metavar="FILE", help=OUT_HELP)
@pass_context
def export(
    ctx: Context,
    fmt: str,
    kinds: tuple[str, ...],
    since: date | None,
    out: str | None,
) -> int:
    """Documents (the newest version of each) as JSONL or CSV.

    One line per document in URL order: its Document fields, first_seen_at,
    last_seen_at, the number of versions and its state.
    """
    from monitor.cli.progress import Progress
    from monitor.export.documents import export_rows, write_csv, write_jsonl
    from storage.reading import reading

    write = write_csv if fmt == "csv" else write_jsonl
    with (
        reading(ctx.settings().database_url) as session,
        Progress("export", unit="doc") as bar,
    ):
        rows = _advancing(
            export_rows(
                session, kinds=kinds, since=since.isoformat() if since else None
            ),
            bar,
        )
        return _write_out(
            out, lambda fh: logger.info("exported %d documents", write(rows, fh))
        )


DEFAULT_FEED_ENTRIES = 50


@click.command(
    epilog=examples(
        "mofawatch feed --out mofawatch.atom",
        "mofawatch feed --limit 20",
        "mofawatch feed --since 2026-11-01 --out november.atom",
    )
)
@click.option("--out", metavar="FILE", help=OUT_HELP)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help=f"How many of the newest changes the feed carries.  [default: "
    f"{DEFAULT_FEED_ENTRIES}, no limit with --since]",
)
@click.option(
    "--since",
    type=ISO_DATE,
    help="Only changes captured on or after this day (UTC).  [default: all]",
)
@pass_context
def feed(ctx: Context, out: str | None, limit: int | None, since: date | None) -> int:
    """An Atom feed of recent new and updated documents.

    Atom 1.0, newest first; updates due only to a new extractor are left out.
    """
    from monitor.export.documents import feed_entries, render_feed
    from storage.history import first_change_at
    from storage.reading import reading

    settings = ctx.settings()
    start = datetime.combine(since, time.min, UTC) if since else None
    if limit is None and start is None:
        limit = DEFAULT_FEED_ENTRIES
    now = datetime.now(UTC)
    with reading(settings.database_url) as session:
        first = first_change_at(session)
        xml = render_feed(
            feed_entries(session, limit, start),
            base_url=settings.site.base_url,
            now=now,
            created=first or now,
        )
    return _write_out(out, lambda fh: fh.write(xml))


def _advancing(items: Iterable[T], bar: Progress) -> Iterator[T]:
    for item in items:
        yield item
        bar.advance()


def _write_out(path: str | None, write: Callable[[TextIO], object]) -> int:
    """Write to stdout, or to `path` via a .part file renamed into place."""
    if path is None:
        write(sys.stdout)  # a closed pipe ends the command quietly (see main)
        return ExitCode.OK
    try:
        with _partial_file(Path(path)) as fh:
            write(fh)
    except OSError as exc:
        complain("", f"cannot write {path}: {exc.strerror or exc}")
        return ExitCode.USAGE
    return ExitCode.OK


@contextmanager
def _partial_file(target: Path) -> Iterator[TextIO]:
    partial = target.with_name(target.name + ".part")
    # Written beside the target and renamed, so a reader never sees half a file.
    try:
        with partial.open("w", encoding="utf-8", newline="") as fh:
            yield fh
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
