"""`mofawatch serve [--host H] [--port P]`: the read-only web view of the archive."""

from __future__ import annotations

import logging
import signal
from types import FrameType

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import complain, examples, say
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)


@click.command(
    epilog=examples(
        "mofawatch serve                      # http://127.0.0.1:8080/",
        "mofawatch serve --port 9000",
        "MOFAWATCH_WEB_TOKEN=$(openssl rand -hex 16) mofawatch serve --host 0.0.0.0",
    )
)
@click.option(
    "--host",
    metavar="ADDRESS",
    help="Address to listen on  [default: [web] host, 127.0.0.1]. Any address but "
    "loopback needs MOFAWATCH_WEB_TOKEN, or MOFAWATCH_WEB_USER and "
    "MOFAWATCH_WEB_PASSWORD.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one  [default: [web] port, 8080].",
)
@pass_context
def serve(ctx: Context, host: str | None, port: int | None) -> int:
    """The read-only web view: changes, documents and their versions, meetings,
    health and Atom feeds, over the configured database.

    Prints the address it answers on, then serves until Ctrl-C or SIGTERM (exit
    0). Exit 2 when the database cannot serve, the address cannot be bound, or
    the address is not loopback and no credentials are set.
    """
    from monitor.web.server import bind_server

    settings = ctx.settings()
    host = host or settings.web.host
    port = settings.web.port if port is None else port
    try:
        web = bind_server(settings, host, port)
    except OSError as exc:
        complain("serve", f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        return ExitCode.USAGE
    say(f"mofawatch: serving the archive at {web.url} (Ctrl-C stops)")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        web.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    logger.info("web view stopped")
    return ExitCode.OK


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
