"""Which new versions are stored against an earlier version of their document.

On SQLite a new version is stored alone (a keyframe) or, when that is shorter,
against its document's newest keyframe (storage/packed.py, codec base1), naming that
keyframe in base_version_id. A base is always a version stored alone, so a version
reads in two decompressions at most; a version that others are stored against is
rebased (`rebase`) before its content changes or it is deleted. PostgreSQL keeps
every version as JSON text, which its own compression (TOAST) already covers.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Any

from sqlalchemy import LargeBinary, Table, bindparam, func, select, type_coerce, update
from sqlalchemy.orm import Session

from storage.models import Version
from storage.packed import pack, pack_against

_versions = typing.cast(Table, Version.__table__)
_CHUNK = 500
# The stored bytes as they are, not read through mofa_content.
_STORED = type_coerce(_versions.c.content, LargeBinary).label("stored")
_REWRITE = (
    update(_versions)
    .where(_versions.c.id == bindparam("pk"))
    .values(content=bindparam("content"), base_version_id=None)
)


def encode(session: Session, rows: list[dict[str, Any]]) -> None:
    """Give new versions rows (document_id, content: the Document) their stored form:
    content packed alone or against the document's newest keyframe, whichever is
    shorter, and base_version_id naming that keyframe or None."""
    if session.get_bind().dialect.name != "sqlite":
        for row in rows:
            row["base_version_id"] = None
        return
    keyframes = _newest_keyframes(session, {row["document_id"] for row in rows})
    for row in rows:
        document, found = row["content"], keyframes.get(row["document_id"])
        row["content"], row["base_version_id"] = pack(document), None
        if found is None:
            continue
        base_id, base = found
        delta = pack_against(document, base)
        if len(delta) < len(row["content"]):
            row["content"], row["base_version_id"] = delta, base_id


def _newest_keyframes(
    session: Session, document_ids: Iterable[int]
) -> dict[int, tuple[int, bytes]]:
    """document id -> (id, stored bytes) of its newest version stored alone."""
    wanted = sorted(document_ids)
    found: dict[int, tuple[int, bytes]] = {}
    db = session.connection()
    for start in range(0, len(wanted), _CHUNK):
        newest = (
            select(func.max(_versions.c.id))
            .where(
                _versions.c.document_id.in_(wanted[start : start + _CHUNK]),
                _versions.c.base_version_id.is_(None),
            )
            .group_by(_versions.c.document_id)
        )
        stmt = select(_versions.c.document_id, _versions.c.id, _STORED).where(
            _versions.c.id.in_(newest)
        )
        for document_id, version_id, stored in db.execute(stmt):
            found[document_id] = (version_id, bytes(stored))
    return found


def rebase(session: Session, version_ids: Iterable[int]) -> int:
    """Store alone the versions, other than these, stored against one of these
    (before these change or go); return how many."""
    session.flush()
    gone = set(version_ids)
    ordered = sorted(gone)
    db = session.connection()
    rewrites = []
    for start in range(0, len(ordered), _CHUNK):
        stmt = select(_versions.c.id, _versions.c.content).where(
            _versions.c.base_version_id.in_(ordered[start : start + _CHUNK])
        )
        rewrites += [
            {"pk": pk, "content": content}
            for pk, content in db.execute(stmt)
            if pk not in gone
        ]
    if rewrites:
        db.execute(_REWRITE, rewrites)
    rebased = {rewrite["pk"] for rewrite in rewrites}
    for version in list(session.identity_map.values()):
        if isinstance(version, Version) and version.id in rebased:
            session.expire(version, ["base_version_id"])
    return len(rewrites)
