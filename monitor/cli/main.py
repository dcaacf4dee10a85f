"""The `mofawatch` command line: argument parsing and dispatch to the command modules.

Each command's code lives in its own module and is imported only when that command
runs, so `mofawatch --help` and `mofawatch extract` stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from monitor.cli.context import Context
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

EPILOG = """\
exit codes: 0 ok; 1 the cycle ran but something failed; 2 bad usage or configuration,
or a database that cannot serve; 3 another cycle holds the lock; 4 the site blocked us
on every index page; 128+N `run` stopped by signal N (143 SIGTERM, 130 SIGINT).

configuration: mofawatch.toml (--config or MOFAWATCH_CONFIG); environment overrides:
MOFAWATCH_DATABASE_URL, MOFAWATCH_BASE_URL, MOFAWATCH_SMTP_PASSWORD,
MOFAWATCH_SLACK_WEBHOOK_URL.
"""


Handler = Callable[[argparse.Namespace, Context], int]

# command name -> "module:function" under monitor.cli
COMMANDS: dict[str, str] = {
    "init": "init:cmd_init",
    "run": "run:cmd_run",
    "daemon": "daemon:cmd_daemon",
    "replay": "replay:cmd_replay",
    "reextract": "replay:cmd_reextract",
    "extract": "extract:cmd_extract",
    "changes": "history:cmd_changes",
    "history": "history:cmd_history",
    "diff": "history:cmd_diff",
    "export": "export:cmd_export",
    "feed": "export:cmd_feed",
    "alerts": "alerts:cmd_alerts",
    "status": "status:cmd_status",
    "prune": "prune:cmd_prune",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mofawatch",
        description="Watch www.mofa.go.jp for new and edited press releases, meeting "
        "readouts and press conferences; keep every version; alert by email or Slack.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="path of mofawatch.toml (default: $MOFAWATCH_CONFIG, "
        "then ./mofawatch.toml, then built-in defaults)",
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-v", "--verbose", action="store_true", help="log debug detail"
    )
    verbosity.add_argument(
        "-q", "--quiet", action="store_true", help="log warnings and errors only"
    )
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="one line per event as text (default) or JSON",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_commands(sub)
    return parser


def _add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init",
        help="create or upgrade the database; write a "
        "commented mofawatch.toml if none exists",
    )
    p.add_argument(
        "--no-config-file", action="store_true", help="do not write mofawatch.toml"
    )

    p = sub.add_parser(
        "run", help="one full cycle: crawl, store, detect, dispatch (for cron)"
    )
    p.add_argument(
        "--since",
        metavar="YYYY-MM",
        help="also crawl monthly archives back to this month (backfill; "
        "recorded silently)",
    )
    p.add_argument(
        "--no-alerts",
        action="store_true",
        help="detect and queue changes but do not send alerts",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the messages the outbox would send now; no crawl, nothing written",
    )
    p.add_argument(
        "--warc",
        metavar="FILE",
        help="also write every response to this WARC file (gzip)",
    )

    sub.add_parser(
        "daemon", help="run the cycle on the configured schedule until SIGTERM/SIGINT"
    )

    p = sub.add_parser(
        "replay",
        help="replay WARC files, a Scrapy HTTP-cache folder "
        "or a folder of saved .html files through extract, store, detect",
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be stored and which alerts would fire; write nothing",
    )
    p.add_argument(
        "--alerts",
        action="store_true",
        help="send the alerts the replay produces (default: record only)",
    )

    p = sub.add_parser(
        "reextract", help="re-run the current extractor over stored snapshots"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the field-level differences; write nothing",
    )

    p = sub.add_parser(
        "extract", help="print the Document of one page as JSON (no database needed)"
    )
    p.add_argument(
        "target",
        metavar="FILE_OR_URL",
        help="a saved HTML file, '-' for standard input, or an http(s) URL",
    )
    p.add_argument(
        "--url", help="the page's address when reading a file (its kind depends on it)"
    )
    p.add_argument("--charset", help="the HTTP charset, when known")

    p = sub.add_parser("changes", help="list detected changes")
    p.add_argument(
        "--since",
        metavar="DATE",
        help="only changes detected on or after DATE (YYYY-MM-DD)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")

    p = sub.add_parser("history", help="the versions of one document")
    p.add_argument("doc", metavar="DOC", help="a URL or a doc id like page4e_001274")

    p = sub.add_parser("diff", help="field-level difference between two versions")
    p.add_argument("doc", metavar="DOC", help="a URL or a doc id")
    p.add_argument(
        "--from",
        dest="from_seq",
        type=int,
        metavar="N",
        help="older version number (default: the one before --to)",
    )
    p.add_argument(
        "--to",
        dest="to_seq",
        type=int,
        metavar="M",
        help="newer version number (default: the newest)",
    )

    p = sub.add_parser("export", help="documents (newest version each) as JSONL or CSV")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument(
        "--kind",
        action="append",
        metavar="KIND",
        help="only this document kind (repeatable)",
    )
    p.add_argument(
        "--since",
        metavar="DATE",
        help="only documents dated on or after DATE (YYYY-MM-DD)",
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")

    p = sub.add_parser("feed", help="an Atom feed of recent new and updated documents")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--limit", type=int, default=50, help="entries (default 50)")

    p = sub.add_parser("alerts", help="alert channels")
    alerts_sub = p.add_subparsers(
        dest="alerts_command", metavar="ACTION", required=True
    )
    t = alerts_sub.add_parser("test", help="send a test alert")
    t.add_argument("--channel", metavar="NAME", help="only this channel")

    p = sub.add_parser(
        "status", help="health: last runs, sections, alerts (exit 1 when unhealthy)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("prune", help="drop raw bodies of old unchanged snapshots")
    p.add_argument(
        "--keep-snapshots",
        type=int,
        metavar="N",
        help="keep the newest N snapshots per URL (default: "
        "[retention] keep_snapshots)",
    )
    p.add_argument("--dry-run", action="store_true", help="count only")


def _handler(command: str) -> Handler:
    module_name, func_name = COMMANDS[command].split(":")
    module = importlib.import_module(f"monitor.cli.{module_name}")
    handler: Handler = getattr(module, func_name)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mofawatch` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from monitor.cli.logs import configure_logging
    from monitor.config import ConfigError

    configure_logging(verbose=args.verbose, quiet=args.quiet, fmt=args.log_format)
    ctx = Context(config_path=args.config)
    try:
        return int(_handler(args.command)(args, ctx))
    except ConfigError as exc:
        print(f"mofawatch: configuration error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("mofawatch: interrupted", file=sys.stderr)
        return ExitCode.FAILED
    except Exception as exc:
        # Imported here so that commands without a database (extract, --help) never
        # load SQLAlchemy.
        from storage.db import DatabaseUnreachableError

        if isinstance(exc, DatabaseUnreachableError):
            print(f"mofawatch {args.command}: {exc}", file=sys.stderr)
            return ExitCode.USAGE
        raise
