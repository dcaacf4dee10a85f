"""How the pages of one run were extracted: counts of snapshots by extraction path,
and the fields its new versions lost."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Snapshot, Version
from storage.vocabulary import ExtractionPath


def extraction_path_counts(session: Session, run_id: int) -> dict[ExtractionPath, int]:
    """Snapshots of the run whose content was extracted, by the path it took."""
    stmt = (
        select(Snapshot.extraction_path, func.count())
        .where(Snapshot.run_id == run_id, Snapshot.extraction_path.is_not(None))
        .group_by(Snapshot.extraction_path)
    )
    counts = {path: 0 for path in ExtractionPath}
    for path, count in session.execute(stmt):
        if path is not None:
            counts[path] = count
    return counts


def fields_lost(session: Session, run_id: int, fields: Sequence[str]) -> list[str]:
    """'<url>: field' for versions of this run lacking a field their previous had."""
    stmt = (
        select(Version)
        .join(Snapshot, Snapshot.id == Version.snapshot_id)
        .where(Snapshot.run_id == run_id, Version.seq > 1)
    )
    lost: list[str] = []
    for version in session.scalars(stmt):
        previous = session.scalar(
            select(Version).where(
                Version.document_id == version.document_id,
                Version.seq == version.seq - 1,
            )
        )
        if previous is None:
            continue
        url = version.content.get("url", version.document_id)
        lost += [
            f"{url}: {name}"
            for name in fields
            if previous.content.get(name) and not version.content.get(name)
        ]
    return lost
