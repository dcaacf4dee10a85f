"""Health: what `mofawatch status` prints, and the open operational conditions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, render_template, request

from monitor.health import RUNS_SHOWN, build_status
from monitor.web import params
from monitor.web.state import state
from storage.browse.conditions import open_conditions
from storage.status import status_figures

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
RUNS_ON_PAGE = max(RUNS_SHOWN, 10)


@bp.get("/health")
def health_page() -> tuple[str, int]:
    params.check_known(request.args, ())
    web = state()
    figures = web.archive.read(status_figures, RUNS_ON_PAGE)
    report = build_status(figures, web.settings, datetime.now(UTC))
    conditions = web.archive.read(open_conditions)
    page = render_template("health.html", report=report, conditions=conditions)
    return page, 200
