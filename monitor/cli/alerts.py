"""`alerts test [--channel NAME]`: send a synthetic alert through each channel now."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from datetime import UTC, datetime
from email.utils import make_msgid
from typing import Any

from monitor.alerts.notifiers import build_notifiers
from monitor.alerts.notifiers.base import NotifyError
from monitor.alerts.render.cards import ChangeView, Rendered, render_change
from monitor.cli.context import Context
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)

TEST_URL = "https://www.mofa.go.jp/"


def cmd_alerts(args: argparse.Namespace, ctx: Context) -> int:
    """Dispatch the `alerts` sub-commands (only `test` today)."""
    if args.alerts_command != "test":
        print(
            f"mofawatch alerts: unknown action {args.alerts_command!r}", file=sys.stderr
        )
        return ExitCode.USAGE
    notifiers = build_notifiers(ctx.settings())
    names = [args.channel] if args.channel else sorted(notifiers)
    unknown = [name for name in names if name not in notifiers]
    if unknown:
        print(
            f"mofawatch alerts test: no channel named {unknown[0]!r} (configured: "
            f"{', '.join(sorted(notifiers))})",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    failed = 0
    for name in names:
        try:
            notifiers[name].send(test_message(datetime.now(UTC)))
        except NotifyError as exc:
            failed += 1
            print(f"{name}: FAILED: {exc}")
        except Exception as exc:  # a channel bug must not hide the other channels
            logger.debug("test alert via %s failed", name, exc_info=True)
            failed += 1
            print(f"{name}: FAILED: {type(exc).__name__}: {exc}")
        else:
            print(f"{name}: sent")
    return ExitCode.FAILED if failed else ExitCode.OK


def test_message(now: datetime) -> Rendered:
    """A message laid out like a real alert, clearly marked as a test."""
    content: dict[str, Any] = {
        "url": TEST_URL,
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
    view = ChangeView(
        alert_id=0,
        change_id=0,
        kind="new",
        document_url=TEST_URL,
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
