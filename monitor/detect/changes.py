"""New versions and presence flips -> Change rows + outbox alerts, chunk by chunk.

The Change and its alerts are written in the same unit of work (the transactional
outbox): an alert exists if and only if its change does.
"""

from __future__ import annotations

import enum
import logging
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.rules import route_change
from monitor.alerts.views import bare_content
from monitor.config import Settings
from monitor.detect.diff import FieldChange, diff_documents, render_diff_text
from storage.bulk import insert_rows
from storage.db import unit_of_work
from storage.models import (
    Change,
    ChangeKind,
    Document,
    DocumentState,
    Snapshot,
    Version,
)
from storage.outbox import enqueue_alert
from storage.versions import versions_of

logger = logging.getLogger(__name__)

_CHUNK = 500  # versions per transaction: their changes and alerts commit together
_changes = typing.cast(Table, Change.__table__)
_versions = typing.cast(Table, Version.__table__)
_MARK_DETECTED = (
    update(_versions)
    .where(_versions.c.id == bindparam("vid"))
    .values(detected_at=bindparam("at"))
)
_UNDIFFED = (
    select(Version.id)
    .where(Version.detected_at.is_(None))
    .order_by(Version.created_at, Version.id)
)


class SilentReason(enum.StrEnum):
    """Why a change is recorded without an alert (changes.reason)."""

    BASELINE = "baseline"
    FLAP = "flap"
    EMPTY = "empty_diff"
    EXTRACTOR = "extractor"


@dataclass(frozen=True, slots=True)
class DetectResult:
    """What one detect pass recorded."""

    versions: int = 0
    changes: int = 0
    silent: int = 0
    alerts: int = 0
    change_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Verdict:
    kind: ChangeKind
    previous: Version | None
    diff: list[dict[str, Any]]
    reason: str | None


def detect_changes(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    silent: bool = False,
    announce_from: str | None = None,
) -> DetectResult:
    """Compare every undiffed version with its history; note removals and returns.

    `silent` records a baseline; with `announce_from` (YYYY-MM-DD) a new document
    dated on or after that day is announced all the same: published while a
    baseline spread over several cycles was still being recorded.
    """
    with unit_of_work(factory) as session:
        restored = _presence_flips(session, DocumentState.LIVE)
        version_ids = list(session.scalars(_UNDIFFED))
    outcomes: list[tuple[int, bool, int]] = []
    for document_id in restored:
        outcomes.append(
            _record_presence(
                factory, settings, now, document_id, ChangeKind.RESTORED, silent
            )
        )
    for start in range(0, len(version_ids), _CHUNK):
        chunk = version_ids[start : start + _CHUNK]
        with unit_of_work(factory) as session:
            outcomes += _detect_versions(
                session, settings, now, chunk, (silent, announce_from)
            )
    with unit_of_work(factory) as session:
        removed = _presence_flips(session, DocumentState.REMOVED)
    for document_id in removed:
        outcomes.append(
            _record_presence(
                factory, settings, now, document_id, ChangeKind.REMOVED, silent
            )
        )
    result = DetectResult(
        versions=len(version_ids),
        changes=len(outcomes),
        silent=sum(1 for _, is_silent, _ in outcomes if is_silent),
        alerts=sum(alerts for _, _, alerts in outcomes),
        change_ids=tuple(change_id for change_id, _, _ in outcomes),
    )
    logger.info(
        "detect: %d versions, %d changes (%d silent), %d alerts queued",
        result.versions,
        result.changes,
        result.silent,
        result.alerts,
    )
    return result


def _detect_versions(
    session: Session,
    settings: Settings,
    now: datetime,
    version_ids: list[int],
    baseline: tuple[bool, str | None],
) -> list[tuple[int, bool, int]]:
    """Changes (and their alerts) of a chunk of versions, in the given order."""
    silent, announce_from = baseline
    stmt = (
        select(Version.id, Version.document_id, Version.seq, Document.date)
        .join(Document, Document.id == Version.document_id)
        .where(Version.id.in_(version_ids), Version.detected_at.is_(None))
    )
    # Another detector may have got here first: its versions are no longer undiffed.
    found = {row.id: row for row in session.execute(stmt.with_for_update(of=Version))}
    versions = [found[i] for i in version_ids if i in found]
    if not versions:
        return []
    histories = _histories(session, versions)
    compared = settings.alerts.compared_versions
    rows: list[dict[str, Any]] = []
    for row in versions:
        history = histories[row.id]
        if history:  # a baseline reads the content of updated versions only
            version = session.get_one(Version, row.id)
            previous = session.get_one(Version, history[-1][0])
            recent = {digest for _, digest in history[-compared:]}
            verdict = _judge(session, version, previous, recent)
        else:
            verdict = _Verdict(ChangeKind.NEW, None, [], None)
        fresh = verdict.kind is ChangeKind.NEW and _dated_from(row.date, announce_from)
        reason = (
            SilentReason.BASELINE
            if silent and verdict.reason is None and not fresh
            else verdict.reason
        )
        rows.append(
            {
                "document_id": row.document_id,
                "kind": verdict.kind,
                "from_version_id": verdict.previous.id if verdict.previous else None,
                "to_version_id": row.id,
                "diff": verdict.diff,
                "is_silent": reason is not None,
                "reason": None if reason is None else str(reason),
                "detected_at": now,
            }
        )
    db = session.connection()
    change_ids = insert_rows(session, _changes, rows)
    db.execute(_MARK_DETECTED, [{"vid": row.id, "at": now} for row in versions])
    outcomes = []
    for change_id, values in zip(change_ids, rows, strict=True):
        alerts = 0
        if not values["is_silent"]:
            content = session.get_one(Version, values["to_version_id"]).content
            alerts = _enqueue(
                session, settings, now, change_id, values["kind"], content
            )
        outcomes.append((change_id, values["is_silent"], alerts))
    return outcomes


def _dated_from(day: str | None, since: str | None) -> bool:
    return since is not None and day is not None and day >= since


def _histories(
    session: Session, versions: Sequence[Any]
) -> dict[int, list[tuple[int, str]]]:
    """version id -> (id, content_sha256) of the document's earlier versions."""
    document_ids = {v.document_id for v in versions}
    stmt = (
        select(Version.document_id, Version.seq, Version.id, Version.content_sha256)
        .where(Version.document_id.in_(document_ids))
        .order_by(Version.document_id, Version.seq)
    )
    by_document: dict[int, list[tuple[int, int, str]]] = {}
    for document_id, seq, version_id, digest in session.execute(stmt):
        by_document.setdefault(document_id, []).append((seq, version_id, digest))
    return {
        v.id: [
            (i, d) for seq, i, d in by_document.get(v.document_id, []) if seq < v.seq
        ]
        for v in versions
    }


def _judge(
    session: Session, version: Version, previous: Version | None, recent: set[str]
) -> _Verdict:
    if previous is None:
        return _Verdict(ChangeKind.NEW, None, [], None)
    changes = diff_documents(previous.content, version.content)
    diff = [c.to_dict() for c in changes]
    if version.content_sha256 in recent:
        reason: str | None = SilentReason.FLAP
    elif _only_extractor_changed(session, previous, version):
        reason = SilentReason.EXTRACTOR
    elif _renders_empty(changes):
        reason = SilentReason.EMPTY
    else:
        reason = None
    return _Verdict(ChangeKind.UPDATED, previous, diff, reason)


def _renders_empty(changes: list[FieldChange]) -> bool:
    # An alert is never sent with an empty diff, even when fields differ invisibly.
    return not changes or not render_diff_text(changes).strip()


def _only_extractor_changed(
    session: Session, previous: Version, version: Version
) -> bool:
    """Same response body, new extractor: the page did not change, our code did."""
    if previous.extractor_version == version.extractor_version:
        return False
    if version.snapshot_id is None or previous.snapshot_id is None:
        return False
    if previous.snapshot_id == version.snapshot_id:
        return True
    new = session.get(Snapshot, version.snapshot_id)
    old = session.get(Snapshot, previous.snapshot_id)
    if new is None or old is None:
        return False
    if new.source == "reextract":
        return True
    return new.body_sha256 is not None and new.body_sha256 == old.body_sha256


def _presence_flips(session: Session, state: DocumentState) -> list[int]:
    """Documents in `state` whose newest change says otherwise (removed vs not).

    Only documents that can flip are looked at (those in REMOVED, or those with a
    removal on record), so the cost follows removals, not the archive's size.
    """
    removed = ChangeKind.REMOVED
    if state == DocumentState.REMOVED:
        candidates = select(Document.id).where(Document.state == state)
        flipped = Change.kind != removed
    else:
        candidates = select(Change.document_id).where(Change.kind == removed)
        flipped = Change.kind == removed
    newest = (
        select(Change.document_id, func.max(Change.id).label("change_id"))
        .where(Change.document_id.in_(candidates))
        .group_by(Change.document_id)
        .subquery()
    )
    stmt = (
        select(Document.id)
        .join(newest, newest.c.document_id == Document.id)
        .join(Change, Change.id == newest.c.change_id)
        .where(Document.state == state, flipped)
        .order_by(Document.id)
    )
    return list(session.scalars(stmt))


def _record_presence(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    document_id: int,
    kind: ChangeKind,
    silent: bool,
) -> tuple[int, bool, int]:
    with unit_of_work(factory) as session:
        versions = versions_of(session, document_id)
        last = versions[-1] if versions else None
        change = Change(
            document_id=document_id,
            kind=kind,
            from_version_id=last.id if last else None,
            to_version_id=last.id if last and kind == ChangeKind.RESTORED else None,
            diff=[],
            is_silent=silent,
            reason=SilentReason.BASELINE.value if silent else None,
            detected_at=now,
        )
        session.add(change)
        session.flush()
        alerts = 0
        if not silent:
            document = session.get(Document, document_id)
            content = (
                last.content if last else bare_content(document) if document else {}
            )
            alerts = _enqueue(session, settings, now, change.id, kind, content)
        return change.id, silent, alerts


def _enqueue(
    session: Session,
    settings: Settings,
    now: datetime,
    change_id: int,
    kind: ChangeKind,
    content: Mapping[str, Any],
) -> int:
    queued = 0
    for route in route_change(kind.value, content, settings, now):
        alert = enqueue_alert(
            session,
            channel=route.channel,
            now=now,
            change_id=change_id,
            mode=route.mode,
            due_at=route.due_at,
        )
        queued += alert is not None
    return queued
