"""`export` (documents as JSONL or CSV) and `feed` (an Atom feed of recent changes)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar
from urllib.parse import urlsplit

import click

from crawler.extract.document import DocumentKind
from monitor.cli.context import Context, pass_context
from monitor.cli.output import complain, examples
from monitor.cli.params import ISO_DATE
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from monitor.cli.progress import Progress
    from monitor.config import RuleSettings
    from monitor.export.documents import ExportRow
    from monitor.export.feed import FeedFilter

logger = logging.getLogger(__name__)

T = TypeVar("T")
OUT_HELP = "Write to FILE (atomically, via FILE.part).  [default: standard output]"


# `export` and `feed` select documents by kind alike.
KIND_OPTION = click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([kind.value for kind in DocumentKind]),
    help="Only documents of this kind (repeatable).  [default: every kind]",
)


@click.command(
    epilog=examples(
        "mofawatch export > documents.jsonl",
        "mofawatch export --format csv --kind press_release --out releases.csv",
        "mofawatch export --since 2026-01-01 | head -1",
        "mofawatch export --meetings --format csv --out meetings.csv",
    )
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    help="One JSON object per line, or CSV with a header row.",
)
@KIND_OPTION
@click.option(
    "--since",
    type=ISO_DATE,
    help="Only documents dated on or after this day.  [default: all]",
)
@click.option(
    "--meetings",
    is_flag=True,
    help="The meetings table instead: one row per meeting readout (date, format, "
    "Japan side, counterpart, country, start local/JST, duration, place, title, "
    "link), in date order.  [default: every document's fields]",
)
@click.option("--out", metavar="FILE", help=OUT_HELP)
@pass_context
def export(
    ctx: Context,
    fmt: str,
    kinds: tuple[str, ...],
    since: date | None,
    meetings: bool,
    out: str | None,
) -> int:
    """Documents (the newest version of each) as JSONL or CSV.

    One line per document in URL order: its Document fields, first_seen_at,
    last_seen_at, the number of versions and its state. With --meetings, one
    line per meeting readout with the facts of the meeting.
    """
    from monitor.cli.progress import Progress
    from monitor.export.documents import export_rows
    from storage.reading import reading

    write = _writer(fmt, meetings=meetings)
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
            out,
            lambda fh: logger.info(
                "exported %d %s",
                write(rows, fh),
                "meetings" if meetings else "documents",
            ),
        )


DEFAULT_FEED_ENTRIES = 50


@click.command(
    epilog=examples(
        "mofawatch feed --out mofawatch.atom",
        "mofawatch feed --since 2026-11-01 --out november.atom",
        "mofawatch feed --limit 20",
        "mofawatch feed --kind press_conference --out conferences.atom",
        "mofawatch feed --rule 2 --self-url https://example.org/us-meetings.atom",
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
@KIND_OPTION
@click.option(
    "--rule",
    "rule_number",
    type=click.IntRange(min=1),
    metavar="N",
    help="Only changes the Nth [[rules]] table of the configuration matches "
    "(events, kinds, keywords, people, topics, countries).  [default: all changes]",
)
@click.option(
    "--self-url",
    metavar="URL",
    help="Where readers fetch this feed (its rel=self link).  [default: the feed's id]",
)
@pass_context
def feed(
    ctx: Context,
    out: str | None,
    limit: int | None,
    since: date | None,
    kinds: tuple[str, ...],
    rule_number: int | None,
    self_url: str | None,
) -> int:
    """An Atom feed of recent new and updated documents.

    Atom 1.0, newest first, with the facts and labels the email shows; updates
    due only to a new extractor are left out, and documents recorded without
    an alert (the first crawl's baseline, replays) are marked "Recorded".
    Entry ids are tag: URIs of the page and version, stable across database
    moves.
    """
    from monitor.export.documents import feed_entries
    from monitor.export.feed import render_feed
    from storage.reading import reading

    settings = ctx.settings()
    chosen = _feed_filter(settings.rules, kinds, rule_number)
    if chosen is None or (self_url is not None and not _is_absolute(self_url)):
        if chosen is not None:
            complain("feed", f"--self-url must be an absolute URL, got {self_url!r}")
        return ExitCode.USAGE
    start = datetime.combine(since, time.min, UTC) if since else None
    if limit is None and start is None:
        limit = DEFAULT_FEED_ENTRIES
    with reading(settings.database_url) as session:
        # Entries are read as the feed is written, a page at a time.
        xml = render_feed(
            feed_entries(session, limit, keep=chosen.keeps, since=start),
            base_url=settings.site.base_url,
            now=datetime.now(UTC),
            self_url=self_url,
            feed_filter=chosen,
        )
    return _write_out(out, lambda fh: fh.write(xml))


def _feed_filter(
    rules: Sequence[RuleSettings], kinds: tuple[str, ...], number: int | None
) -> FeedFilter | None:
    """The feed's filter; None (after saying why) when --rule names no rule."""
    from monitor.export.feed import FeedFilter

    if number is None:
        return FeedFilter(kinds=kinds)
    if number > len(rules):
        have = f"only {len(rules)}" if rules else "no"
        complain("feed", f"--rule {number}: the configuration has {have} [[rules]]")
        return None
    return FeedFilter(kinds=kinds, rule=rules[number - 1], rule_number=number)


def _is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and (parts.netloc or parts.scheme in ("tag", "urn")))


def _writer(
    fmt: str, *, meetings: bool
) -> Callable[[Iterator[ExportRow], TextIO], int]:
    from monitor.export import documents
    from monitor.export import meetings as table

    if meetings:
        return table.write_meetings_csv if fmt == "csv" else table.write_meetings_jsonl
    return documents.write_csv if fmt == "csv" else documents.write_jsonl


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
