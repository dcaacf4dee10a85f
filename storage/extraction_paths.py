"""How the pages of one run were extracted: counts of snapshots by extraction path."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Snapshot
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
