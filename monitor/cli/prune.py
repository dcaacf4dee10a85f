"""`mofawatch prune`: drop raw bodies of old snapshots, keeping every version's own."""

from __future__ import annotations

import logging

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import complain, examples, say
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)


@click.command(
    epilog=examples(
        "mofawatch prune --keep-snapshots 5 --dry-run",
        "mofawatch prune   # with [retention] keep_snapshots set",
    )
)
@click.option(
    "--keep-snapshots",
    type=click.IntRange(min=1),
    metavar="N",
    help="Keep the newest N snapshots per URL.  [default: [retention] keep_snapshots]",
)
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
@pass_context
def prune(ctx: Context, keep_snapshots: int | None, dry_run: bool) -> int:
    """Drop raw bodies of old unchanged snapshots.

    The newest N snapshots of each URL keep their bodies; the body each version
    was extracted from is always kept, so `reextract` still works.
    """
    from storage.db import opened_database, require_schema, unit_of_work
    from storage.prune import prune_snapshots

    settings = ctx.settings()
    keep = keep_snapshots if keep_snapshots is not None else settings.keep_snapshots
    if keep is None:
        complain("prune", "give --keep-snapshots N or set [retention] keep_snapshots")
        return ExitCode.USAGE
    require_schema(settings.database_url)
    with (
        opened_database(settings.database_url) as factory,
        unit_of_work(factory) as session,
    ):
        result = prune_snapshots(session, keep, dry_run=dry_run)
    say(f"prune (keep {keep} per URL): {result.summary()}")
    return ExitCode.OK
