"""Indexes for the feed's newest-first walk: versions by capture time, and the change
that made a version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_versions_created_at_id", "versions", ["created_at", "id"])
    op.create_index("ix_changes_to_version_id", "changes", ["to_version_id"])


def downgrade() -> None:
    op.drop_index("ix_changes_to_version_id", table_name="changes")
    op.drop_index("ix_versions_created_at_id", table_name="versions")
