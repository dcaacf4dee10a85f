"""`mofawatch prune`: drop raw bodies of old snapshots, keeping every version's own."""

from __future__ import annotations

import argparse
import logging
import sys

from monitor.cli.context import Context
from monitor.exitcodes import ExitCode
from storage.db import open_database, unit_of_work
from storage.prune import prune_snapshots

logger = logging.getLogger(__name__)


def cmd_prune(args: argparse.Namespace, ctx: Context) -> int:
    """Keep the newest N snapshots per URL (--keep-snapshots or [retention])."""
    settings = ctx.settings()
    keep = (
        args.keep_snapshots
        if args.keep_snapshots is not None
        else (settings.keep_snapshots)
    )
    if keep is None:
        print(
            "mofawatch prune: give --keep-snapshots N "
            "or set [retention] keep_snapshots",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if keep < 1:
        print("mofawatch prune: --keep-snapshots must be at least 1", file=sys.stderr)
        return ExitCode.USAGE
    factory = open_database(settings.database_url)
    with unit_of_work(factory) as session:
        result = prune_snapshots(session, keep, dry_run=args.dry_run)
    print(f"prune (keep {keep} per URL): {result.summary()}")
    return ExitCode.OK
