"""Document: the facts card, the text, the versions; two versions compared; the raw
page each version was read from."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, abort, render_template, request

from monitor.alerts.render.facts import document_facts, document_summary
from monitor.web import params
from monitor.web.diffview import compare
from monitor.web.state import state
from storage.browse import DocumentPage, VersionItem

logger = logging.getLogger(__name__)

bp = Blueprint("documents", __name__)
VIEWS = ("side", "inline")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _document(document_id: int) -> DocumentPage:
    found = state().archive.document(document_id)
    if found is None or not found.versions:
        abort(404, description=f"No document {document_id} in the archive.")
    return found


def _version(document: DocumentPage, seq: int) -> VersionItem:
    found = document.version(seq)
    if found is None:
        abort(404, description=f"Document {document.id} has no version {seq}.")
    return found


@bp.get("/documents/<int:document_id>")
def document_latest(document_id: int) -> str:
    document = _document(document_id)
    return _render(document, document.versions[-1])


@bp.get("/documents/<int:document_id>/versions/<int:seq>")
def document_version(document_id: int, seq: int) -> str:
    document = _document(document_id)
    return _render(document, _version(document, seq))


def _render(document: DocumentPage, version: VersionItem) -> str:
    params.check_known(request.args, ())
    content = version.content
    return render_template(
        "document.html",
        document=document,
        version=version,
        content=content,
        facts=document_facts(content, document.kind),
        summary=document_summary(content),
        latest=version.seq == document.versions[-1].seq,
    )


@bp.get("/documents/<int:document_id>/diff")
def document_diff(document_id: int) -> str:
    params.check_known(request.args, ("from", "to", "view"))
    document = _document(document_id)
    to_seq = params.positive(request.args, "to") or document.versions[-1].seq
    from_seq = params.positive(request.args, "from") or max(1, to_seq - 1)
    view = params.one(request.args, "view") or "side"
    if view not in VIEWS:
        raise params.BadParameter(f"view: must be side or inline, got {view!r}")
    old, new = _version(document, from_seq), _version(document, to_seq)
    return render_template(
        "diff.html",
        document=document,
        old=old,
        new=new,
        view=view,
        comparison=compare(old.content, new.content),
        title=str(new.content.get("title") or document.doc_id),
    )


@bp.get("/documents/<int:document_id>/versions/<int:seq>/raw")
def raw_snapshot(document_id: int, seq: int) -> Response:
    params.check_known(request.args, ())
    raw = state().archive.raw(document_id, seq)
    if raw is None:
        abort(404, description="The raw page of this version is not kept.")
    name = _UNSAFE_NAME.sub("_", f"document-{document_id}-v{seq}") + ".html"
    response = Response(raw.data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
