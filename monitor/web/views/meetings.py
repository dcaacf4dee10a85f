"""Meetings: every readout in a table, its CSV, and the chart by country."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict

from monitor.web import params
from monitor.web.chart import meetings_chart
from monitor.web.meetings import (
    COLUMNS,
    MeetingQuery,
    MeetingRow,
    meeting_row,
    select_rows,
    to_csv,
)
from monitor.web.security import SVG_POLICY
from monitor.web.state import state

logger = logging.getLogger(__name__)

bp = Blueprint("meetings", __name__)
KNOWN = ("counterpart", "participant", "country", "format", "year", "sort", "dir")
SORTABLE = tuple(c for c in COLUMNS if c not in ("title", "url"))


def meeting_query(args: MultiDict[str, str]) -> MeetingQuery:
    params.check_known(args, KNOWN)
    sort = params.one(args, "sort") or "date"
    if sort not in SORTABLE:
        raise params.BadParameter(f"sort: must be one of {', '.join(SORTABLE)}")
    direction = params.one(args, "dir") or ("desc" if sort == "date" else "asc")
    if direction not in ("asc", "desc"):
        raise params.BadParameter(f"dir: must be asc or desc, got {direction!r}")
    year = params.positive(args, "year")
    if year is not None and not 1900 <= year <= 2999:
        raise params.BadParameter(f"year: must be a year like 2024, got {year}")
    return MeetingQuery(
        counterpart=params.one(args, "counterpart"),
        participant=params.one(args, "participant"),
        country=params.one(args, "country"),
        format=params.one(args, "format"),
        year=year,
        sort=sort,
        descending=direction == "desc",
    )


def _rows() -> list[MeetingRow]:
    return [meeting_row(readout) for readout in state().archive.meetings()]


@bp.get("/meetings")
def meetings_page() -> str:
    query = meeting_query(request.args)
    every = _rows()
    rows = select_rows(every, query)
    return render_template(
        "meetings.html",
        rows=rows,
        total=len(every),
        query=query,
        columns={k: v for k, v in COLUMNS.items() if k in SORTABLE},
        countries=sorted({r.country for r in every if r.country}),
        formats=sorted({r.format for r in every if r.format}),
        years=sorted({r.date[:4] for r in every if r.date[:4].isdigit()}, reverse=True),
        args=request.args,
        query_string=request.query_string.decode("ascii", "replace"),
    )


@bp.get("/meetings.csv")
def meetings_csv() -> Response:
    rows = select_rows(_rows(), meeting_query(request.args))
    response = Response(to_csv(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="meetings.csv"'
    return response


@bp.get("/meetings/chart.svg")
def meetings_svg() -> Response:
    rows = select_rows(_rows(), meeting_query(request.args))
    response = Response(meetings_chart(rows), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response
