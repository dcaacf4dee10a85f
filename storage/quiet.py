"""Quiet fetches take no room: a 304, or a 200 with the body already stored, is only
worth its row until a newer answer for the same URL confirms the same content.

After each cycle, the fetches of a URL that a newer 200/304 of this run supersedes
are deleted: 304s, and 200s no version came from whose body another snapshot of the
URL (a version's, or a newer one) keeps.
The newest answer of every URL stays, with its validators and extraction path, and so
does every snapshot a version points at: history, replay and re-extraction lose nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Snapshot, Version

logger = logging.getLogger(__name__)

ANSWERS = (200, 304)


def prune_quiet_fetches(
    session: Session, run_id: int | None = None, *, dry_run: bool = False
) -> int:
    """Delete the quiet fetches the newer answers of run `run_id` (None: of any run)
    supersede; the number deleted (or that would be, with dry_run)."""
    old, new, twin = aliased(Snapshot), aliased(Snapshot), aliased(Snapshot)
    superseding = exists().where(
        new.url == old.url,
        new.status.in_(ANSWERS),
        new.run_id == run_id if run_id is not None else new.id.is_not(None),
        _later(new, old),
    )
    # A 200 whose body another snapshot of the URL keeps: a version's, or a newer one.
    kept_twin = exists().where(
        twin.url == old.url,
        twin.body_sha256 == old.body_sha256,
        twin.id != old.id,
        or_(exists().where(Version.snapshot_id == twin.id), _later(twin, old)),
    )
    repeated = or_(
        old.status == 304,
        and_(old.status == 200, old.extract_error.is_(None), kept_twin),
    )
    versioned = exists().where(Version.snapshot_id == old.id)
    doomed = select(old.id).where(
        old.status.in_(ANSWERS), superseding, repeated, ~versioned
    )
    if run_id is not None:  # only the URLs this run fetched: an indexed, small scan
        fetched = select(Snapshot.url).where(Snapshot.run_id == run_id)
        doomed = doomed.where(old.url.in_(fetched))
    ids = list(session.scalars(doomed))
    if dry_run:
        return len(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            delete(Snapshot)
            .where(Snapshot.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
    logger.debug("quiet fetches superseded by run %s: %d deleted", run_id, len(ids))
    return len(ids)


def _later(one: type[Snapshot], other: type[Snapshot]) -> ColumnElement[bool]:
    return or_(
        one.fetched_at > other.fetched_at,
        and_(one.fetched_at == other.fetched_at, one.id > other.id),
    )
