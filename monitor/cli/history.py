"""`changes`, `history DOC` and `diff DOC`: read what was detected and stored."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import complain, emit, examples, say
from monitor.cli.params import ISO_DATE
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from storage.history import ChangeRow, DocumentHistory, VersionRow

logger = logging.getLogger(__name__)

KIND_WIDTH = 8
DOC_ID_WIDTH = 16


DEFAULT_CHANGES = 100


@click.command(
    epilog=examples(
        "mofawatch changes",
        "mofawatch changes --limit 500",
        "mofawatch changes --since 2026-11-01",
        "mofawatch changes --since 2026-11-01 --limit 20 --json | jq -r .url",
    )
)
@click.option(
    "--since",
    type=ISO_DATE,
    help="Only changes detected on or after this day (UTC).  [default: all]",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    metavar="N",
    help=f"Only the newest N changes; 0: no limit.  [default: {DEFAULT_CHANGES}, "
    "no limit with --since]",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_context
def changes(ctx: Context, since: date | None, limit: int | None, as_json: bool) -> int:
    """List detected changes, oldest first: the newest 100 unless told.

    Changes recorded but never announced are marked
    [silent: baseline|flap|extractor|empty_diff|translated]. Without a limit they
    are read and written a page at a time, so any archive lists in little memory.
    """
    from storage.history import select_changes
    from storage.reading import reading

    start = datetime.combine(since, time.min, UTC) if since else None
    if limit is None:
        limit = 0 if since else DEFAULT_CHANGES
    with reading(ctx.settings().database_url) as session:
        rows, widths = select_changes(session, start, limit)
        shown = _write_changes(rows, widths, as_json)
    if not shown and not as_json:
        say("no changes" + (f" since {since.isoformat()}" if since else ""))
    return ExitCode.OK


def _write_changes(
    rows: Iterable[ChangeRow], widths: tuple[int, int], as_json: bool
) -> int:
    """Write the changes as they are read; how many there were."""
    count = 0
    for row in rows:
        if as_json:
            emit(json.dumps(row.to_dict(), ensure_ascii=False))
        else:
            say(change_line(row, *widths))
        count += 1
    return count


def change_lines(rows: Sequence[ChangeRow]) -> list[str]:
    """One line per change; the kind and doc id columns as wide as their longest."""
    from storage.history import widths_of

    widths = widths_of(rows)
    return [change_line(row, *widths) for row in rows]


def change_line(row: ChangeRow, kind_width: int, id_width: int) -> str:
    """One change; the columns at least as wide as ordinary kinds and doc ids."""
    # The minimums keep the layout users (and their scripts) know for ordinary ids.
    kind_width = max(KIND_WIDTH, kind_width)
    id_width = max(DOC_ID_WIDTH, id_width)
    silent = f"  [silent: {row.reason}]" if row.is_silent else ""
    fields = f" ({', '.join(row.fields)})" if row.fields else ""
    return (
        f"{row.detected_at.isoformat()[:16]}  {row.kind:<{kind_width}}  "
        f"{row.doc_id:<{id_width}}  {row.title or ''}{fields}{silent}"
    )


@click.command(
    epilog=examples(
        "mofawatch history page4e_001274",
        "mofawatch history https://www.mofa.go.jp/na/na1/us/page4e_001274.html",
    )
)
@click.argument("doc", metavar="DOC")
@pass_context
def history(ctx: Context, doc: str) -> int:
    """The versions of one document.

    One line per version: number, time stored, extractor version, extraction
    path (landmarks, structure, or - when not recorded), content hash, date and
    title. DOC is a URL or a doc id such as page4e_001274.
    """
    found = _document(ctx, doc)
    if found is None:
        return _unknown(doc)
    say(f"{found.url}  ({found.doc_id}, {found.kind}, {found.state})")
    if (pair := _counterpart_line(ctx, found.url)) is not None:
        say(pair)
    for version in found.versions:
        say(_version_line(version))
    return ExitCode.OK


@click.command(
    epilog=examples(
        "mofawatch diff page4e_001274",
        "mofawatch diff page4e_001274 --from 1 --to 3",
    )
)
@click.argument("doc", metavar="DOC")
@click.option(
    "--from",
    "from_seq",
    type=int,
    metavar="N",
    help="The older version number.  [default: the one before --to]",
)
@click.option(
    "--to",
    "to_seq",
    type=int,
    metavar="M",
    help="The newer version number.  [default: the newest]",
)
@pass_context
def diff(ctx: Context, doc: str, from_seq: int | None, to_seq: int | None) -> int:
    """Field-level difference between two versions of a document.

    Removed text is shown as [-...-], added text as {+...+}. DOC is a URL or a doc
    id such as page4e_001274.
    """
    from monitor.detect.diff import diff_documents, render_diff_text

    found = _document(ctx, doc)
    if found is None:
        return _unknown(doc)
    by_seq = {v.seq: v for v in found.versions}
    if len(by_seq) < 2 and from_seq is None and to_seq is None:
        say(f"{found.url}: {len(by_seq)} version(s); nothing to compare")
        return ExitCode.OK
    newer = to_seq if to_seq is not None else max(by_seq)
    older = from_seq if from_seq is not None else newer - 1
    for seq in (newer, older):
        if seq not in by_seq:
            complain(
                "diff",
                f"{doc} has no version {seq} (versions 1..{max(by_seq, default=0)})",
            )
            return ExitCode.USAGE
    say(f"{found.url}: version {older} -> {newer}")
    text = render_diff_text(
        diff_documents(by_seq[older].content, by_seq[newer].content)
    )
    say(text.rstrip() if text.strip() else "no difference")
    return ExitCode.OK


def _document(ctx: Context, key: str) -> DocumentHistory | None:
    from storage.history import document_history
    from storage.reading import reading

    with reading(ctx.settings().database_url) as session:
        return document_history(session, key)


def _counterpart_line(ctx: Context, url: str) -> str | None:
    """'English version: URL (link)' / '日本語版: URL (inferred)' of a paired page."""
    from monitor.alerts.render.pairs import COUNTERPART_LABELS
    from storage.pairs import counterpart_by_url
    from storage.reading import reading

    with reading(ctx.settings().database_url) as session:
        other = counterpart_by_url(session, url)
    if other is None:
        return None
    label = COUNTERPART_LABELS.get(other.language, other.language)
    return f"{label}: {other.url} ({other.method})"


def _unknown(key: str) -> int:
    complain("", f"no document {key!r} (give its URL or doc id, e.g. page4e_001274)")
    return ExitCode.USAGE


def _version_line(version: VersionRow) -> str:
    content = version.content
    return (
        f"  {version.seq:>3}  {version.created_at.isoformat()[:16]}  "
        f"extractor {version.extractor_version:<8}  "
        f"{version.extraction_path or '-':<9}  {version.content_sha256[:12]}  "
        f"{content.get('date') or '-':<10}  {content.get('title') or ''}"
    )
