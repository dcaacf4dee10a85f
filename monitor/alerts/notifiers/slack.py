"""The Slack channel: Block Kit messages through an incoming webhook."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from monitor.alerts.notifiers.webhook import post_json
from monitor.alerts.render.slack import cut, escape

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered

logger = logging.getLogger(__name__)

# Slack shows `text` in notifications and where blocks cannot be drawn.
FALLBACK_MAX = 3000


class SlackNotifier:
    """POSTs {"text", "blocks"}; a 429 raises NotifyError with the Retry-After."""

    def __init__(self, name: str, webhook_url: str, *, timeout: float = 20.0) -> None:
        self.name = name
        self._url = webhook_url
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"SlackNotifier(name={self.name!r})"

    def send(self, message: Rendered) -> None:
        data = {
            "text": escape(cut(message.subject, FALLBACK_MAX)),
            "blocks": message.slack_blocks,
            # The link is in the message already; a page preview would bury it.
            "unfurl_links": False,
            "unfurl_media": False,
        }
        post_json(
            self._url,
            data,
            what=f"slack webhook of channel {self.name}",
            timeout=self._timeout,
        )
