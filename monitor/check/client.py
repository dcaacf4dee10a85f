"""The HTTP client of `check`: the crawl's User-Agent, delay, robots.txt and proxy.

A plain synchronous client (httpx) rather than Scrapy: check asks for a handful of
pages one after the other and prints each answer as it comes, writes nothing to the
database, and must start fast; the crawl's Scrapy stack is built around the database
(its robots.txt cache, its store pipeline) and a reactor that runs once per process.
robots.txt is read with Protego, the parser the crawl uses, and its status means what
it means to the crawl (RFC 9309): 2xx its rules, 4xx allow all, 5xx/429/no answer
nothing may be fetched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from protego import Protego

from monitor.config import Settings

# check prints every request itself; httpx would log each one again at INFO.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

_ALLOW_ALL = Protego.parse("")
_DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /\n")


@dataclass(frozen=True, slots=True)
class Answer:
    """One request's outcome; status 0 when no HTTP answer came."""

    url: str
    status: int
    body: bytes = b""
    charset: str | None = None
    cf_mitigated: bytes | None = None
    location: str | None = None
    error: str | None = None  # why no answer came (time-out, refused, ...)


@dataclass(frozen=True, slots=True)
class RobotsRules:
    answer: Answer
    rules: Protego
    available: bool  # False: robots.txt could not be read, so nothing is fetched

    def allows(self, url: str, user_agent: str) -> bool:
        return self.available and self.rules.can_fetch(url, user_agent)


class PoliteClient:
    """GET with the configured manners: at most one request per `delay` seconds."""

    def __init__(
        self,
        *,
        user_agent: str,
        delay: float,
        timeout: float,
        proxy_url: str | None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user_agent = user_agent
        self.delay = delay
        self.requests = 0
        self._sleep = sleep
        self._last: float | None = None
        self._proxied = proxy_url is not None
        # trust_env=False: the proxy is the one the configuration resolved, no other.
        self._http = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=timeout,
            proxy=proxy_url,
            trust_env=False,
            follow_redirects=False,
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def get(self, url: str) -> Answer:
        self._wait_turn()
        self.requests += 1
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            return Answer(url, 0, error=_reason(exc, proxied=self._proxied))
        finally:
            self._last = time.monotonic()
        return Answer(
            url,
            response.status_code,
            response.content,
            response.charset_encoding,
            response.headers.get("cf-mitigated", "").encode() or None,
            response.headers.get("Location"),
        )

    def robots(self, base_url: str) -> RobotsRules:
        answer = self.get(base_url.rstrip("/") + "/robots.txt")
        if 200 <= answer.status < 300:
            text = answer.body.decode("utf-8", "replace")
            return RobotsRules(answer, Protego.parse(text), True)
        # 407 is the proxy's answer, not the site's: robots.txt was not read.
        if 400 <= answer.status < 500 and answer.status not in (407, 429):
            return RobotsRules(answer, _ALLOW_ALL, True)
        return RobotsRules(answer, _DISALLOW_ALL, False)

    def _wait_turn(self) -> None:
        if self._last is None or self.delay <= 0:
            return
        remaining = self.delay - (time.monotonic() - self._last)
        if remaining > 0:
            self._sleep(remaining)


def _reason(exc: httpx.HTTPError, *, proxied: bool) -> str:
    """One line for a request that got no answer (never the proxy URL itself)."""
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy refused the connection"
    text = str(exc).split("\n")[0] or type(exc).__name__
    if proxied and isinstance(exc, httpx.ConnectError):
        return f"cannot reach the site through the proxy: {text}"
    return text


def client_for(settings: Settings) -> PoliteClient:
    """A client with the manners and the proxy the settings name."""
    site = settings.site
    return PoliteClient(
        user_agent=site.user_agent,
        delay=site.download_delay,
        timeout=site.timeout_seconds,
        proxy_url=settings.proxy_url,
    )
