"""`changes`, `history DOC` and `diff DOC`: read what was detected and stored."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, aliased

from monitor.cli.context import Context
from monitor.detect.diff import diff_documents, render_diff_text
from monitor.exitcodes import ExitCode
from storage.db import mask_url, open_database
from storage.models import Change, Document, Version
from storage.versions import find_document, versions_of

logger = logging.getLogger(__name__)


def cmd_changes(args: argparse.Namespace, ctx: Context) -> int:
    """List detected changes, oldest first; --json gives one object per line."""
    since: datetime | None = None
    if args.since:
        try:
            since = datetime.combine(date.fromisoformat(args.since), time.min, UTC)
        except ValueError:
            print(
                f"mofawatch changes: --since must be YYYY-MM-DD, got {args.since!r}",
                file=sys.stderr,
            )
            return ExitCode.USAGE
    return _with_database(ctx, lambda session: _show_changes(session, args, since))


def cmd_history(args: argparse.Namespace, ctx: Context) -> int:
    """The versions of one document (DOC: URL or doc id)."""
    return _with_database(ctx, lambda session: _show_history(session, args.doc))


def cmd_diff(args: argparse.Namespace, ctx: Context) -> int:
    """Field-level difference between two versions (default: newest vs previous)."""
    return _with_database(ctx, lambda session: _show_diff(session, args))


def _show_changes(
    session: Session, args: argparse.Namespace, since: datetime | None
) -> int:
    rows = _changes(session, since)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else _change_line(row))
    if not rows and not args.json:
        print("no changes" + (f" since {args.since}" if args.since else ""))
    return ExitCode.OK


def _show_history(session: Session, key: str) -> int:
    document = find_document(session, key)
    if document is None:
        return _unknown(key)
    print(
        f"{document.url}  ({document.doc_id}, {document.kind}, {document.state.value})"
    )
    for version in versions_of(session, document.id):
        print(_version_line(version))
    return ExitCode.OK


def _show_diff(session: Session, args: argparse.Namespace) -> int:
    document = find_document(session, args.doc)
    if document is None:
        return _unknown(args.doc)
    by_seq = {v.seq: v for v in versions_of(session, document.id)}
    if len(by_seq) < 2 and args.from_seq is None and args.to_seq is None:
        print(f"{document.url}: {len(by_seq)} version(s); nothing to compare")
        return ExitCode.OK
    to_seq = args.to_seq if args.to_seq is not None else max(by_seq)
    from_seq = args.from_seq if args.from_seq is not None else to_seq - 1
    for seq in (to_seq, from_seq):
        if seq not in by_seq:
            print(
                f"mofawatch diff: {args.doc} has no version {seq} "
                f"(versions 1..{max(by_seq, default=0)})",
                file=sys.stderr,
            )
            return ExitCode.USAGE
    old, new = by_seq[from_seq], by_seq[to_seq]
    print(f"{document.url}: version {from_seq} -> {to_seq}")
    text = render_diff_text(diff_documents(old.content, new.content))
    print(text.rstrip() if text.strip() else "no difference")
    return ExitCode.OK


def _with_database(ctx: Context, action: Callable[[Session], int]) -> int:
    """Open the configured database and run `action`; exit 2 when it cannot be used."""
    url = ctx.settings().database_url
    factory = open_database(url)
    try:
        with factory() as session:
            return action(session)
    except (OperationalError, ProgrammingError) as exc:
        reason = (
            str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        )
        print(
            f"mofawatch: cannot read database {mask_url(url)} ({reason}); has "
            "`mofawatch init` been run?",
            file=sys.stderr,
        )
        return ExitCode.USAGE


def _unknown(key: str) -> int:
    print(
        f"mofawatch: no document {key!r} (give its URL or doc id, e.g. page4e_001274)",
        file=sys.stderr,
    )
    return ExitCode.USAGE


def _changes(session: Session, since: datetime | None) -> list[dict[str, Any]]:
    to_version = aliased(Version)
    from_version = aliased(Version)
    stmt = (
        select(Change, Document, to_version, from_version)
        .join(Document, Document.id == Change.document_id)
        .outerjoin(to_version, to_version.id == Change.to_version_id)
        .outerjoin(from_version, from_version.id == Change.from_version_id)
        .order_by(Change.detected_at, Change.id)
    )
    if since is not None:
        stmt = stmt.where(Change.detected_at >= since)
    rows = []
    for change, document, new, old in session.execute(stmt):
        content = (new or old).content if (new or old) else {}
        rows.append(
            {
                "id": change.id,
                "detected_at": _iso(change.detected_at),
                "kind": change.kind.value,
                "doc_id": document.doc_id,
                "url": document.url,
                "title": content.get("title") or document.title,
                "date": content.get("date") or document.date,
                "from_seq": old.seq if old else None,
                "to_seq": new.seq if new else None,
                "fields": sorted(
                    {str(d["field"]) for d in change.diff or () if d.get("field")}
                ),
                "is_silent": change.is_silent,
                "reason": change.reason,
            }
        )
    return rows


def _change_line(row: dict[str, Any]) -> str:
    silent = f"  [silent: {row['reason']}]" if row["is_silent"] else ""
    fields = f" ({', '.join(row['fields'])})" if row["fields"] else ""
    return (
        f"{row['detected_at'][:16]}  {row['kind']:<8}  {row['doc_id']:<16}  "
        f"{row['title'] or ''}{fields}{silent}"
    )


def _version_line(version: Version) -> str:
    content = version.content or {}
    return (
        f"  {version.seq:>3}  {_iso(version.created_at)[:16]}  "
        f"extractor {version.extractor_version:<8}  {version.content_sha256[:12]}  "
        f"{content.get('date') or '-':<10}  {content.get('title') or ''}"
    )


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()
