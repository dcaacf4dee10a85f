"""New versions and presence flips -> Change rows + outbox alerts, chunk by chunk.

The Change and its alerts are written in the same unit of work (the transactional
outbox): an alert exists if and only if its change does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.alerts.queue import queue_alerts
from monitor.config import Settings
from monitor.detect.diff import FieldChange, diff_documents, render_diff_text
from storage.db import DbSession, SessionFactory, unit_of_work
from storage.detection import (
    NewChange,
    PendingVersion,
    VersionFacts,
    claim_undiffed,
    earlier_versions,
    presence_flips,
    record_changes,
    record_presence_change,
    same_body,
    undiffed_version_ids,
    version_facts,
)
from storage.vocabulary import ChangeKind, DocumentState, SilentReason

logger = logging.getLogger(__name__)

_CHUNK = 500  # versions per transaction: their changes and alerts commit together


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
    previous: VersionFacts | None
    diff: list[dict[str, Any]]
    reason: str | None


def detect_changes(
    factory: SessionFactory,
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
        restored = presence_flips(session, DocumentState.LIVE)
        version_ids = undiffed_version_ids(session)
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
        removed = presence_flips(session, DocumentState.REMOVED)
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
    session: DbSession,
    settings: Settings,
    now: datetime,
    version_ids: list[int],
    baseline: tuple[bool, str | None],
) -> list[tuple[int, bool, int]]:
    """Changes (and their alerts) of a chunk of versions, in the given order."""
    versions = claim_undiffed(session, version_ids)
    if not versions:
        return []
    histories = earlier_versions(session, versions)
    compared = settings.alerts.compared_versions
    changes = [
        _change(session, row, histories[row.id], compared, baseline) for row in versions
    ]
    change_ids = record_changes(session, changes, now)
    outcomes = []
    for change_id, change in zip(change_ids, changes, strict=True):
        alerts = 0
        if change.reason is None:
            content = version_facts(session, change.to_version_id).content
            alerts = queue_alerts(
                session, settings, now, change_id, change.kind, content
            )
        outcomes.append((change_id, change.reason is not None, alerts))
    return outcomes


def _change(
    session: DbSession,
    row: PendingVersion,
    history: list[tuple[int, str]],
    compared: int,
    baseline: tuple[bool, str | None],
) -> NewChange:
    silent, announce_from = baseline
    if history:  # a baseline reads the content of updated versions only
        version = version_facts(session, row.id)
        previous = version_facts(session, history[-1][0])
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
    return NewChange(
        document_id=row.document_id,
        kind=verdict.kind,
        from_version_id=verdict.previous.id if verdict.previous else None,
        to_version_id=row.id,
        diff=verdict.diff,
        reason=None if reason is None else str(reason),
    )


def _dated_from(day: str | None, since: str | None) -> bool:
    return since is not None and day is not None and day >= since


def _judge(
    session: DbSession,
    version: VersionFacts,
    previous: VersionFacts | None,
    recent: set[str],
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
    session: DbSession, previous: VersionFacts, version: VersionFacts
) -> bool:
    """Same response body, new extractor: the page did not change, our code did."""
    if previous.extractor_version == version.extractor_version:
        return False
    if version.snapshot_id is None or previous.snapshot_id is None:
        return False
    return same_body(session, previous.snapshot_id, version.snapshot_id)


def _record_presence(
    factory: SessionFactory,
    settings: Settings,
    now: datetime,
    document_id: int,
    kind: ChangeKind,
    silent: bool,
) -> tuple[int, bool, int]:
    reason = SilentReason.BASELINE.value if silent else None
    with unit_of_work(factory) as session:
        change_id, content = record_presence_change(
            session, document_id, kind, reason=reason, now=now
        )
        alerts = 0
        if not silent:
            alerts = queue_alerts(session, settings, now, change_id, kind, content)
        return change_id, silent, alerts
