"""Which new versions and diffs are stored against a version (storage/packed.py,
codec base1), each only when that is shorter than alone.

On SQLite a new version is stored alone (a keyframe: with the archive's trained
dictionary once it has one, storage/trained.py, else doc1) or against its document's
newest keyframe, named in base_version_id. A base is always a version stored alone,
so a version reads in two decompressions at most. A change's diff (the paragraph
before and after, and their words) may be stored against the JSON text of its
to_version, which holds the paragraph after. A version that others or diffs are
stored against is rebased (`rebase`) before its content changes or it is deleted.
PostgreSQL keeps every version as JSON text, which its own compression (TOAST)
already covers, and its diffs alone.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    LargeBinary,
    Table,
    Text,
    bindparam,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from storage import trained
from storage.models import Change, Version
from storage.packed import content_json, is_alone, pack, pack_against, pack_trained

_versions = typing.cast(Table, Version.__table__)
_changes = typing.cast(Table, Change.__table__)
_CHUNK = 500
# The stored bytes as they are, not read through mofa_content.
_STORED = type_coerce(_versions.c.content, LargeBinary).label("stored")
_REWRITE = (
    update(_versions)
    .where(_versions.c.id == bindparam("pk"))
    .values(content=bindparam("content"), base_version_id=None)
)
_REWRITE_DIFF = (
    update(_changes).where(_changes.c.id == bindparam("pk")).values(diff=bindparam("d"))
)


def encode(session: Session, rows: list[dict[str, Any]]) -> None:
    """Give new versions rows (document_id, content: the Document) their stored form:
    content packed alone or against the document's newest keyframe, whichever is
    shorter, and base_version_id naming that keyframe or None."""
    dictionary = trained.prepare(session).versions
    if session.get_bind().dialect.name != "sqlite":
        for row in rows:
            row["base_version_id"] = None
        return
    keyframes = _newest_keyframes(session, {row["document_id"] for row in rows})
    for row in rows:
        document, found = row["content"], keyframes.get(row["document_id"])
        alone = (
            pack(document) if dictionary is None else pack_trained(document, dictionary)
        )
        row["content"], row["base_version_id"] = alone, None
        if found is None:
            continue
        base_id, base = found
        delta = pack_against(document, base)
        if len(delta) < len(row["content"]):
            row["content"], row["base_version_id"] = delta, base_id


def encode_diffs(session: Session, rows: list[dict[str, Any]]) -> None:
    """Give new changes rows (to_version_id, diff) their stored diff: packed alone
    or against the JSON text of the to_version, whichever is shorter."""
    if session.get_bind().dialect.name != "sqlite":
        return
    texts = _version_texts(session, {row["to_version_id"] for row in rows} - {None})
    for row in rows:
        diff, text = row["diff"], texts.get(row["to_version_id"])
        row["diff"] = pack(diff)
        if text is not None and diff:
            delta = pack_against(diff, text)
            if len(delta) < len(row["diff"]):
                row["diff"] = delta


def _version_texts(session: Session, version_ids: Iterable[int]) -> dict[int, str]:
    """version id -> its JSON text, exactly as SQL reads it."""
    wanted = sorted(version_ids)
    text = type_coerce(content_json(_versions.c.content), Text)
    found: dict[int, str] = {}
    db = session.connection()
    for start in range(0, len(wanted), _CHUNK):
        stmt = select(_versions.c.id, text).where(
            _versions.c.id.in_(wanted[start : start + _CHUNK])
        )
        found.update((pk, value) for pk, value in db.execute(stmt))
    return found


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
    """Store alone the versions, other than these, and the diffs stored against one
    of these (before these change or go); return how many versions."""
    session.flush()
    gone = set(version_ids)
    ordered = sorted(gone)
    db = session.connection()
    rewrites, diffs = [], []
    stored_diff = type_coerce(_changes.c.diff, LargeBinary)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        stmt = select(_versions.c.id, _versions.c.content).where(
            _versions.c.base_version_id.in_(chunk)
        )
        rewrites += [
            {"pk": pk, "content": content}
            for pk, content in db.execute(stmt)
            if pk not in gone
        ]
        changes = select(_changes.c.id, _changes.c.diff, stored_diff).where(
            _changes.c.to_version_id.in_(chunk)
        )
        diffs += [
            {"pk": pk, "d": diff}
            for pk, diff, stored in db.execute(changes)
            if not is_alone(stored)
        ]
    if rewrites:
        db.execute(_REWRITE, rewrites)
    if diffs:
        db.execute(_REWRITE_DIFF, diffs)
    rebased = {rewrite["pk"] for rewrite in rewrites}
    for version in list(session.identity_map.values()):
        if isinstance(version, Version) and version.id in rebased:
            session.expire(version, ["base_version_id"])
    return len(rewrites)
