"""The `mofawatch` command line: the root group, its global options, and the one
place where an error becomes a sentence and an exit code.

Each command module imports only click at the top; what a command needs (the
database, the extractor, Scrapy's parent) is imported when it runs, so
`mofawatch --help` and `mofawatch extract` stay fast.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from monitor.cli import (
    alerts,
    check,
    daemon,
    export,
    extract,
    history,
    init,
    pairs,
    prune,
    replay,
    run,
    serve,
    status,
)
from monitor.cli.context import Context
from monitor.cli.logs import configure_logging
from monitor.cli.output import say
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)

EPILOG = """\b
Exit codes: 0 ok; 1 the cycle ran but something failed; 2 bad usage or
configuration, or a database that cannot serve; 3 another cycle holds the lock;
4 the site blocked us on every index page; 128+N `run` stopped by signal N
(143 SIGTERM, 130 SIGINT).

\b
Configuration: mofawatch.toml (--config or MOFAWATCH_CONFIG); environment
overrides: MOFAWATCH_DATABASE_URL, MOFAWATCH_BASE_URL, MOFAWATCH_SMTP_PASSWORD,
MOFAWATCH_SLACK_WEBHOOK_URL, MOFAWATCH_PROXY_URL (or https_proxy/http_proxy).

\b
Examples:
  mofawatch init
  mofawatch check
  mofawatch run
  mofawatch changes --since 2026-11-01
  mofawatch COMMAND --help
"""


class _Root(click.Group):
    """The root group: turns the errors a user can cause into one line and a code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()
            return ExitCode.OK
        except KeyboardInterrupt:
            say("mofawatch: interrupted", err=True)
            return ExitCode.FAILED
        except Exception as exc:
            sentence = _sentence(exc, ctx.invoked_subcommand or "")
            if sentence is None:
                raise
            say(sentence[1], err=True)
            return sentence[0]


def _sentence(exc: Exception, command: str) -> tuple[int, str] | None:
    """Exit code and line for an error a user can cause; None for a bug."""
    # Imported here so that commands without a database never load SQLAlchemy.
    from monitor.config import ConfigError

    if isinstance(exc, ConfigError):
        return ExitCode.USAGE, f"mofawatch: configuration error: {exc}"
    # A database error can only come from a loaded storage.db; importing it for
    # any other error would load SQLAlchemy for nothing.
    if "storage.db" in sys.modules:
        from storage.db import DatabaseUnreachableError

        if isinstance(exc, DatabaseUnreachableError):
            return ExitCode.USAGE, f"mofawatch {command}: {exc}"
    return None


def _silence_stdout() -> None:
    # The reader left (`mofawatch changes | head`): what is still buffered cannot
    # be written, and Python would complain about it at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file (a test's capture): nothing to flush at exit
    finally:
        os.close(devnull)


@click.group(
    cls=_Root,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
)
@click.option(
    "--config",
    metavar="FILE",
    help="Path of mofawatch.toml (default: $MOFAWATCH_CONFIG, then ./mofawatch.toml, "
    "then built-in defaults).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.option("-q", "--quiet", is_flag=True, help="Log warnings and errors only.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="One line per event on stderr, as text or JSON.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config: str | None,
    verbose: bool,
    quiet: bool,
    log_format: str,
) -> None:
    """Watch www.mofa.go.jp for new and edited press releases, meeting readouts and
    press conferences; keep every version; alert by email, Slack, webhook or on the
    console."""
    if verbose and quiet:
        raise click.UsageError("-v/--verbose and -q/--quiet exclude each other")
    configure_logging(verbose=verbose, quiet=quiet, fmt=log_format)
    ctx.obj = Context(config_path=config)


for _command in (
    init.init,
    run.run,
    daemon.daemon,
    replay.replay,
    replay.reextract,
    extract.extract,
    history.changes,
    history.history,
    history.diff,
    export.export,
    export.feed,
    alerts.alerts,
    status.status,
    check.check,
    pairs.pairs,
    prune.prune,
    serve.serve,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mofawatch` console script; returns the exit code."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="mofawatch",
            standalone_mode=False,
        )
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        say("mofawatch: interrupted", err=True)
        return ExitCode.FAILED
    return int(code or 0)
