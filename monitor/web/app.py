"""create_app: the Flask application of the web view, its pages and error pages."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, redirect, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from monitor.config import Settings
from monitor.web import security
from monitor.web.state import EXTENSION, WebState
from monitor.web.views import changes, documents, health, meetings
from storage.browse import Archive

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


def create_app(archive: Archive, settings: Settings) -> Flask:
    """The application over `archive`; nothing in it writes."""
    app = Flask(
        __name__,
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
    )
    app.extensions[EXTENSION] = WebState(archive, settings)
    app.add_template_filter(web_link, "web_link")
    app.config["MAX_CONTENT_LENGTH"] = 0  # no request carries a body worth reading
    security.install(app, settings.web)
    for blueprint in (changes.bp, documents.bp, meetings.bp, health.bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/", "home", _home)
    app.add_url_rule("/favicon.ico", "favicon", _no_icon)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)
    return app


def web_link(url: object) -> str | None:
    """`url` if it is an http(s) address, else None: a page's link to elsewhere
    (javascript:, data:) is never made clickable."""
    text = str(url or "").strip()
    scheme = urlsplit(text).scheme.lower()
    return text if scheme in ("http", "https") else None


def _home() -> Response:
    return redirect("/changes", code=302)


def _no_icon() -> Response:
    return Response(status=204)


def _http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template(
        "error.html", code=code, name=error.name, message=error.description
    ), code


def _crash(error: Exception) -> tuple[str, int]:
    logger.error("web view: request failed", exc_info=error)
    message = "Something went wrong on our side; the error is in the server's log."
    return render_template(
        "error.html", code=500, name="Internal error", message=message
    ), 500
