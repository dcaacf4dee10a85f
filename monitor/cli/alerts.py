"""`alerts test [--channel NAME]`: send a synthetic alert through each channel now."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import complain, examples, say
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered

logger = logging.getLogger(__name__)


@click.group(epilog=examples("mofawatch alerts test --channel desk"))
def alerts() -> None:
    """Alert channels: check that each one delivers."""


@alerts.command(
    epilog=examples("mofawatch alerts test", "mofawatch alerts test --channel desk")
)
@click.option(
    "--channel",
    metavar="NAME",
    help="Only this channel.  [default: every configured channel]",
)
@pass_context
def test(ctx: Context, channel: str | None) -> int:
    """Send a test message through each channel now.

    The message is laid out like a real alert, marked as a test, and links to the
    configured [site] base_url. A channel that asks to retry within 30 s (HTTP 429
    with Retry-After) is waited for and tried once more. Exit 1, with the error,
    if a channel fails.
    """
    from monitor.alerts.notifiers import build_notifiers
    from monitor.alerts.notifiers.base import NotifyError, send_waiting_once

    settings = ctx.settings()
    notifiers = build_notifiers(settings)
    names = [channel] if channel else sorted(notifiers)
    unknown = [name for name in names if name not in notifiers]
    if unknown:
        complain(
            "alerts test",
            f"no channel named {unknown[0]!r} (configured: "
            f"{', '.join(sorted(notifiers))})",
        )
        return ExitCode.USAGE
    failed = 0
    link = settings.site.base_url.rstrip("/") + "/"
    for name in names:
        try:
            send_waiting_once(notifiers[name], test_message(datetime.now(UTC), link))
        except NotifyError as exc:
            failed += 1
            wish = exc.retry_after
            later = f" (it asks to retry in {wish:g} s)" if wish is not None else ""
            say(f"{name}: FAILED: {exc}{later}")
        except Exception as exc:  # a channel bug must not hide the other channels
            logger.debug("test alert via %s failed", name, exc_info=True)
            failed += 1
            say(f"{name}: FAILED: {type(exc).__name__}: {exc}")
        else:
            say(f"{name}: sent")
    return ExitCode.FAILED if failed else ExitCode.OK


def test_message(now: datetime, link: str) -> Rendered:
    """A message laid out like a real alert, clearly marked as a test, linking to
    `link` (the watched site)."""
    content: dict[str, Any] = {
        "url": link,
        "doc_id": "test",
        "language": "en",
        "kind": "page",
        "section": "mofawatch",
        "title": "mofawatch test alert",
        "date": now.date().isoformat(),
        "body": [
            "This is a test message from mofawatch. If you can read it, this channel "
            "delivers alerts."
        ],
        "captions": [],
        "topics": [],
        "meeting": None,
        "exchanges": [],
    }
    from email.utils import make_msgid

    from monitor.alerts.render.cards import ChangeView, render_change

    view = ChangeView(
        alert_id=0,
        change_id=0,
        kind="new",
        document_url=link,
        doc_id="test",
        doc_kind="page",
        seq=None,
        content=content,
        changes=(),
        detected_at=now,
        thread_root_alert_id=None,
    )
    rendered = render_change(view)
    # Each test gets its own Message-ID: mail systems drop repeats of one ID.
    return dataclasses.replace(rendered, message_id=make_msgid(domain="mofawatch"))
