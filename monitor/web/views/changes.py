"""Changes: newest first, filtered, paged by keyset; the same view as an Atom feed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from werkzeug.datastructures import MultiDict

from monitor.config import DocumentKind, Language
from monitor.export.documents import FeedEntry, feed_entries, render_feed
from monitor.web import params
from monitor.web.state import state
from storage.browse import ChangeFilter
from storage.db import DbSession
from storage.history import first_change_at
from storage.vocabulary import ChangeKind

logger = logging.getLogger(__name__)

bp = Blueprint("changes", __name__)
KNOWN = ("event", "kind", "section", "language", "from", "to", "q", "before")


def change_filter(args: MultiDict[str, str], page_size: int) -> ChangeFilter:
    """The filter the query string asks for (BadParameter if it cannot be used)."""
    params.check_known(args, KNOWN)
    since, until = params.day(args, "from"), params.day(args, "to", end=True)
    if since and until and since >= until:
        raise params.BadParameter("from: must not be after to")
    return ChangeFilter(
        events=params.choices(args, "event", ChangeKind),
        kinds=tuple(str(k) for k in params.choices(args, "kind", DocumentKind)),
        sections=params.values(args, "section"),
        languages=tuple(str(k) for k in params.choices(args, "language", Language)),
        since=since,
        until=until,
        text=params.one(args, "q"),
        before=params.positive(args, "before"),
        limit=page_size,
    )


@bp.get("/changes")
def changes_page() -> str:
    web = state()
    wanted = change_filter(request.args, web.settings.web.page_size)
    page = web.archive.changes(wanted)
    return render_template(
        "changes.html",
        page=page,
        args=request.args,
        events=list(ChangeKind),
        kinds=list(DocumentKind),
        languages=list(Language),
        sections=web.sections(),
        older=_query(request.args, before=page.next_before),
        feed=_query(request.args, before=None),
    )


@bp.get("/changes.atom")
def changes_feed() -> Response:
    web = state()
    wanted = change_filter(request.args, web.settings.web.page_size)
    ids = [item.id for item in web.archive.changes(wanted).items]
    entries = web.archive.read(_feed_entries, ids) if ids else []
    now = datetime.now(UTC)
    xml = render_feed(
        entries,
        base_url=web.settings.site.base_url,
        now=now,
        created=web.archive.read(first_change_at) or now,
    )
    return Response(xml, mimetype="application/atom+xml")


def _query(args: MultiDict[str, str], *, before: int | None) -> str:
    """The query string of this view with `before` replaced (None: dropped)."""
    pairs = [(k, v) for k, v in args.items(multi=True) if k != "before" and v]
    if before is not None:
        pairs.append(("before", str(before)))
    return urlencode(pairs)


def _feed_entries(session: DbSession, ids: list[int]) -> list[FeedEntry]:
    """The feed entries of these changes, read while the session is open."""
    return list(feed_entries(session, len(ids), only=ids))
