"""`changes`, `history DOC` and `diff DOC`: read what was detected and stored."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
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


@click.command(
    epilog=examples(
        "mofawatch changes",
        "mofawatch changes --since 2026-11-01",
        "mofawatch changes --json | jq -r .url",
    )
)
@click.option(
    "--since",
    type=ISO_DATE,
    help="Only changes detected on or after this day (UTC).  [default: all]",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_context
def changes(ctx: Context, since: date | None, as_json: bool) -> int:
    """List detected changes, oldest first.

    Changes recorded but never announced are marked
    [silent: baseline|flap|extractor|empty_diff].
    """
    from storage.history import list_changes
    from storage.reading import reading

    start = datetime.combine(since, time.min, UTC) if since else None
    with reading(ctx.settings().database_url) as session:
        rows = list_changes(session, start)
    if as_json:
        for row in rows:
            emit(json.dumps(row.to_dict(), ensure_ascii=False))
    elif rows:
        for line in change_lines(rows):
            say(line)
    else:
        say("no changes" + (f" since {since.isoformat()}" if since else ""))
    return ExitCode.OK


def change_lines(rows: Sequence[ChangeRow]) -> list[str]:
    """One line per change; the kind and doc id columns as wide as their longest."""
    # The minimums keep the layout users (and their scripts) know for ordinary ids.
    kind_width = max(KIND_WIDTH, *(len(row.kind) for row in rows))
    id_width = max(DOC_ID_WIDTH, *(len(row.doc_id) for row in rows))
    lines = []
    for row in rows:
        silent = f"  [silent: {row.reason}]" if row.is_silent else ""
        fields = f" ({', '.join(row.fields)})" if row.fields else ""
        lines.append(
            f"{row.detected_at.isoformat()[:16]}  {row.kind:<{kind_width}}  "
            f"{row.doc_id:<{id_width}}  {row.title or ''}{fields}{silent}"
        )
    return lines


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
