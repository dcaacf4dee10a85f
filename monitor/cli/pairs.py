"""`pairs`: Japanese and English versions of the same page, and where they differ."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import emit, examples, say
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from storage.pairs import PairRow, Unpaired

logger = logging.getLogger(__name__)


@click.command(
    epilog=examples(
        "mofawatch pairs",
        "mofawatch pairs --missing-english",
        "mofawatch pairs --discrepancies --json | jq -r .english.url",
    )
)
@click.option(
    "--missing-english",
    is_flag=True,
    help="Japanese documents with no English page yet, with their age in days.",
)
@click.option(
    "--discrepancies",
    is_flag=True,
    help="Only pairs whose meeting facts disagree now (both values shown).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_context
def pairs(
    ctx: Context, missing_english: bool, discrepancies: bool, as_json: bool
) -> int:
    """List Japanese documents and their English versions.

    A pair is made by the page's own language link ("link") or, without one, by
    the same date, meeting format and number of participants ("inferred"). Without
    options: every pair, newest first. Japanese pages are crawled when [site]
    languages includes "ja" (default: ["en"]).
    """
    from storage.pairs import list_pairs
    from storage.pairs import missing_english as unpaired
    from storage.reading import reading

    now = datetime.now(UTC)
    with reading(ctx.settings().database_url) as session:
        if missing_english:
            waiting = unpaired(session)
        else:
            rows = list_pairs(session, discrepancies_only=discrepancies)
    if missing_english:
        _show_missing(waiting, now, as_json)
    else:
        _show_pairs(rows, as_json, discrepancies)
    return ExitCode.OK


def _show_missing(waiting: list[Unpaired], now: datetime, as_json: bool) -> None:
    if as_json:
        for item in waiting:
            emit(json.dumps(item.to_dict(now), ensure_ascii=False))
        return
    if not waiting:
        say("every Japanese document has its English version")
    for item in waiting:
        age = (now - item.first_seen_at).days
        say(f"{age:>4} days  {item.date or '-':<10}  {item.title or ''}  {item.url}")


def _show_pairs(rows: list[PairRow], as_json: bool, discrepancies: bool) -> None:
    if as_json:
        for row in rows:
            emit(json.dumps(row.to_dict(), ensure_ascii=False))
        return
    if not rows:
        say("no open discrepancies" if discrepancies else "no pairs")
    for row in rows:
        lag = f"{row.lag_days}d" if row.lag_days is not None else "-"
        say(
            f"{row.date or '-':<10}  {row.method:<8}  lag {lag:<4}  "
            f"{row.japanese_title or ''} / {row.english_title or ''}"
        )
        say(f"    日本語版 {row.japanese_url}")
        say(f"    English  {row.english_url}")
        for item in row.discrepancy:
            say(f"    {item['field']}: 日本語 {item['old']} / English {item['new']}")
