"""Retention: drop raw bodies of old snapshots, never those a version came from."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from storage import bodies
from storage.models import Snapshot, SnapshotBody, Version
from storage.quiet import prune_quiet_fetches
from storage.snapshots import newest_first_rank

logger = logging.getLogger(__name__)

_BATCH = 500


@dataclass(frozen=True, slots=True)
class PruneResult:
    snapshots_pruned: int  # snapshots whose body link was dropped
    bodies_deleted: int  # distinct bodies no longer referenced, deleted
    bytes_freed: int  # stored (compressed) bytes of those bodies
    dry_run: bool
    quiet_deleted: int = 0  # superseded quiet fetches (storage/quiet.py) deleted

    def summary(self) -> str:
        verb = "would drop" if self.dry_run else "dropped"
        return (
            f"{verb} the bodies of {self.snapshots_pruned} snapshots; "
            f"{self.bodies_deleted} stored bodies ({self.bytes_freed} bytes) "
            f"{'would be' if self.dry_run else 'were'} deleted; "
            f"{self.quiet_deleted} superseded quiet fetches "
            f"{'would be' if self.dry_run else 'were'} deleted"
        )


def prune_snapshots(
    session: Session, keep: int, *, dry_run: bool = False
) -> PruneResult:
    """Keep the newest `keep` snapshots with a body per URL and every versioned one;
    delete the quiet fetches newer answers supersede (storage/quiet.py).

    The other snapshots stay as rows (status, validators) but lose their body link;
    bodies that no snapshot links to any more are deleted, and the bodies kept that
    were deltas against one of them are stored alone first.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    quiet = prune_quiet_fetches(session, dry_run=dry_run)
    doomed = _doomed_snapshot_ids(session, keep)
    orphans = _orphan_bodies(session, set(doomed))
    freed = _stored_bytes(session, orphans)
    if not dry_run:
        for start in range(0, len(doomed), _BATCH):
            chunk = doomed[start : start + _BATCH]
            session.execute(
                update(Snapshot)
                .where(Snapshot.id.in_(chunk))
                .values(body_sha256=None)
                .execution_options(synchronize_session=False)
            )
        bodies.rebase(session, orphans)  # bodies kept on a deleted base
        for start in range(0, len(orphans), _BATCH):
            chunk_sha = orphans[start : start + _BATCH]
            session.execute(
                delete(SnapshotBody).where(SnapshotBody.sha256.in_(chunk_sha))
            )
        session.expire_all()
    result = PruneResult(len(doomed), len(orphans), freed, dry_run, quiet)
    logger.info("prune keep=%d: %s", keep, result.summary())
    return result


def _doomed_snapshot_ids(session: Session, keep: int) -> list[int]:
    rank = newest_first_rank()
    ranked = (
        select(Snapshot.id, rank).where(Snapshot.body_sha256.is_not(None)).subquery()
    )
    versioned = exists().where(Version.snapshot_id == ranked.c.id)
    stmt = select(ranked.c.id).where(ranked.c.rank > keep, ~versioned)
    return list(session.scalars(stmt.order_by(ranked.c.id)))


def _orphan_bodies(session: Session, doomed: set[int]) -> list[str]:
    """Bodies linked only from doomed snapshots."""
    if not doomed:
        return []
    rows = session.execute(
        select(Snapshot.body_sha256, Snapshot.id).where(
            Snapshot.body_sha256.is_not(None)
        )
    )
    still_used: set[str] = set()
    candidates: set[str] = set()
    for sha, snapshot_id in rows:
        if sha is not None:
            (candidates if snapshot_id in doomed else still_used).add(sha)
    return sorted(candidates - still_used)


def _stored_bytes(session: Session, shas: list[str]) -> int:
    total = 0
    for start in range(0, len(shas), _BATCH):
        chunk = shas[start : start + _BATCH]
        stmt = select(func.coalesce(func.sum(func.length(SnapshotBody.data)), 0)).where(
            SnapshotBody.sha256.in_(chunk)
        )
        total += int(session.scalar(stmt) or 0)
    return total
