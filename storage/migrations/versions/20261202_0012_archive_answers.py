"""A partial index of the monthly archives' answers, which the crawl plan reads each
cycle: a few hundred rows, where a scan of the press folders read every document's
snapshots.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.ARCHIVE_ANSWERS says it at this revision.
_ANSWERS = r"url LIKE '%\_index.html' ESCAPE '\' AND status IN (200, 304)"


def upgrade() -> None:
    op.create_index(
        "ix_snapshots_archive_answers",
        "snapshots",
        ["url", "fetched_at"],
        sqlite_where=sa.text(_ANSWERS),
        postgresql_where=sa.text(_ANSWERS),
    )


def downgrade() -> None:
    op.drop_index("ix_snapshots_archive_answers", table_name="snapshots")
