"""The generic webhook channel (the alert payload as JSON), and the JSON POST it shares
with Slack. Target URLs may hold secrets: they are never logged nor put in errors."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from crawler.headers import parse_retry_after
from monitor.alerts.notifiers.base import NotifyError

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Rendered

logger = logging.getLogger(__name__)

USER_AGENT = "mofawatch-notifier/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect answer is the answer: following it would turn the POST into a GET
    that delivers nothing, so the 3xx surfaces as an HTTPError (a failed delivery)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class WebhookNotifier:
    """POSTs Rendered.payload; non-2xx raises NotifyError (429 with Retry-After)."""

    def __init__(self, name: str, url: str, *, timeout: float = 20.0) -> None:
        self.name = name
        self._url = url
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"WebhookNotifier(name={self.name!r})"

    def send(self, message: Rendered) -> None:
        post_json(
            self._url,
            message.payload,
            what=f"webhook of channel {self.name}",
            timeout=self._timeout,
        )


def post_json(url: str, data: Any, *, what: str, timeout: float) -> None:
    """POST `data` as JSON; 2xx is success, anything else (a redirect too) raises
    NotifyError.

    `what` names the target in messages ("slack webhook of channel team"): the URL
    itself may hold a secret, so it is never logged nor put in an error.
    """
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        retry_after = parse_retry_after(exc.headers.get("Retry-After"))
        exc.close()
        if 300 <= exc.code < 400:
            raise NotifyError(
                f"{what}: HTTP {exc.code}; a POST is never redirected, so nothing "
                "was delivered (configure the final URL)"
            ) from None
        if exc.code == 429:
            raise NotifyError(
                f"{what}: rate limited (HTTP 429)", retry_after=retry_after
            ) from None
        raise NotifyError(f"{what}: HTTP {exc.code}", retry_after=retry_after) from None
    except urllib.error.URLError as exc:
        raise NotifyError(f"{what}: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise NotifyError(f"{what}: timed out after {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        raise NotifyError(f"{what}: {type(exc).__name__}") from None
    if not 200 <= status < 300:  # a 1xx or other answer urllib does not raise for
        raise NotifyError(f"{what}: HTTP {status}")
    logger.debug("posted %d bytes to %s", len(body), what)


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return f"connection failed: {reason.strerror}"
    return f"connection failed: {type(reason).__name__}"
