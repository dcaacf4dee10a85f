"""New versions and presence flips -> Change rows + outbox alerts, one transaction each.

The Change and its alerts are written in the same unit of work (the transactional
outbox): an alert exists if and only if its change does.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings
from monitor.diff import FieldChange, diff_documents, render_diff_text
from monitor.rules import route_change
from monitor.views import bare_content
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
from storage.versions import undiffed_versions, versions_of

logger = logging.getLogger(__name__)


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
) -> DetectResult:
    """Compare every undiffed version with its history; note removals and returns."""
    with unit_of_work(factory) as session:
        restored = _presence_flips(session, DocumentState.LIVE)
        version_ids = [v.id for v in undiffed_versions(session)]
    outcomes: list[tuple[int, bool, int]] = []
    for document_id in restored:
        outcomes.append(
            _record_presence(
                factory, settings, now, document_id, ChangeKind.RESTORED, silent
            )
        )
    for version_id in version_ids:
        with unit_of_work(factory) as session:
            outcome = _detect_version(session, settings, now, version_id, silent)
        if outcome is not None:
            outcomes.append(outcome)
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


def _detect_version(
    session: Session, settings: Settings, now: datetime, version_id: int, silent: bool
) -> tuple[int, bool, int] | None:
    version = session.get(Version, version_id, with_for_update=True)
    if version is None or version.detected_at is not None:
        return None  # another detector got here first
    history = [
        v for v in versions_of(session, version.document_id) if v.seq < version.seq
    ]
    verdict = _judge(session, version, history, settings.alerts.compared_versions)
    reason = (
        SilentReason.BASELINE if silent and verdict.reason is None else verdict.reason
    )
    change = Change(
        document_id=version.document_id,
        kind=verdict.kind,
        from_version_id=verdict.previous.id if verdict.previous else None,
        to_version_id=version.id,
        diff=verdict.diff,
        is_silent=reason is not None,
        reason=None if reason is None else str(reason),
        detected_at=now,
    )
    session.add(change)
    version.detected_at = now
    session.flush()
    alerts = (
        0
        if change.is_silent
        else _enqueue(session, settings, now, change, version.content)
    )
    return change.id, change.is_silent, alerts


def _judge(
    session: Session, version: Version, history: list[Version], compared: int
) -> _Verdict:
    if not history:
        return _Verdict(ChangeKind.NEW, None, [], None)
    previous = history[-1]
    changes = diff_documents(previous.content, version.content)
    diff = [c.to_dict() for c in changes]
    recent = {v.content_sha256 for v in history[-compared:]}
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
    """Documents in `state` whose newest change says otherwise (removed vs not)."""
    newest = (
        select(Change.document_id, func.max(Change.id).label("change_id"))
        .group_by(Change.document_id)
        .subquery()
    )
    stmt = (
        select(Document.id, Change.kind)
        .join(newest, newest.c.document_id == Document.id)
        .join(Change, Change.id == newest.c.change_id)
        .where(Document.state == state)
        .order_by(Document.id)
    )
    rows = session.execute(stmt).all()
    if state == DocumentState.REMOVED:
        return [doc_id for doc_id, kind in rows if kind != ChangeKind.REMOVED]
    return [doc_id for doc_id, kind in rows if kind == ChangeKind.REMOVED]


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
            alerts = _enqueue(session, settings, now, change, content)
        return change.id, silent, alerts


def _enqueue(
    session: Session,
    settings: Settings,
    now: datetime,
    change: Change,
    content: Mapping[str, Any],
) -> int:
    queued = 0
    for route in route_change(change.kind.value, content, settings, now):
        alert = enqueue_alert(
            session,
            channel=route.channel,
            now=now,
            change_id=change.id,
            mode=route.mode,
            due_at=route.due_at,
        )
        queued += alert is not None
    return queued
