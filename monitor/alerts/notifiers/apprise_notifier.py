"""The Apprise channel: the text rendering of an alert through one Apprise URL
(Microsoft Teams, Telegram, Discord, ntfy, Matrix, a JSON endpoint and many more).

The URL usually holds a token: it is never logged nor put in an error. Apprise's own
log lines may name parts of it, so they are read only for a status code.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from monitor.alerts.notifiers.base import NotifyError
from monitor.config.apprise_url import (
    apprise_log,
    apprise_service,
    load_apprise,
)

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered

logger = logging.getLogger(__name__)

_STATUS = re.compile(r"error=(\d{3})\b")


class AppriseNotifier:
    """Sends subject and text as one notification; any failure is a NotifyError."""

    def __init__(self, name: str, url: str, *, timeout: float = 20.0) -> None:
        self.name = name
        self._url = url
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"AppriseNotifier(name={self.name!r})"

    def send(self, message: Rendered) -> None:
        apprise = load_apprise()
        what = f"apprise channel {self.name}"
        service = apprise_service(self._url)
        if service is None:
            raise NotifyError(f"{what}: the URL is not one Apprise can use")
        self._tune(service)
        client = apprise.Apprise()
        client.add(service)
        with apprise_log() as lines:
            try:
                delivered = client.notify(
                    title=message.subject,
                    body=message.text,
                    body_format=apprise.NotifyFormat.TEXT,
                )
            except Exception as exc:  # its text may quote the URL: the type only
                raise NotifyError(f"{what}: {type(exc).__name__}") from None
        if not delivered:
            raise NotifyError(f"{what}: {_reason(lines)}")
        logger.debug("%s: sent %s", what, message.message_id)

    def _tune(self, service: Any) -> None:
        # A redirect is not a delivery (as for webhooks); time-outs as configured.
        service.redirects = False
        service.socket_connect_timeout = self._timeout
        service.socket_read_timeout = self._timeout


def _reason(log_lines: list[str]) -> str:
    """What went wrong, from Apprise's log, without any part of the URL."""
    log_text = "\n".join(log_lines)
    status = _STATUS.search(log_text)
    if status:
        return f"the service answered HTTP {status.group(1)}"
    if "connection error" in log_text.casefold():
        return "connection failed"
    return "the service did not accept the message"
