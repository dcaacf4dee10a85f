"""Who may read the web view, and the headers every answer carries."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from flask import Flask, Response, request

from monitor.config import ConfigError, WebSettings
from monitor.config.web import PASSWORD_ENV, TOKEN_ENV, USER_ENV

logger = logging.getLogger(__name__)

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The chart is an SVG document with its own <style>, and never any script.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
REALM = 'Basic realm="mofawatch", charset="UTF-8"'


def is_loopback(host: str) -> bool:
    """True for localhost and the loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_protection(web: WebSettings, host: str) -> None:
    """ConfigError when the view would be open to a network without credentials."""
    if is_loopback(host) or web.has_credentials:
        return
    raise ConfigError(
        f"serve: bound to {host}, which is not loopback: set {TOKEN_ENV}, or "
        f"{USER_ENV} and {PASSWORD_ENV}, first (or bind to 127.0.0.1)"
    )


def install(app: Flask, web: WebSettings) -> None:
    """Ask for the credentials (when configured) and add the security headers."""

    @app.before_request
    def _authorize() -> Response | None:
        if not web.has_credentials or _authorized(web):
            return None
        answer = Response("credentials required\n", 401, mimetype="text/plain")
        if web.password is not None:
            answer.headers["WWW-Authenticate"] = REALM
        return answer

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response


def _authorized(web: WebSettings) -> bool:
    header = request.headers.get("Authorization", "")
    if web.token is not None and header.startswith("Bearer "):
        return _same(
            header.removeprefix("Bearer ").strip(), web.token.get_secret_value()
        )
    auth = request.authorization
    if web.password is None or auth is None or auth.type != "basic":
        return False
    return _same(auth.username or "", web.user or "") & _same(
        auth.password or "", web.password.get_secret_value()
    )


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
