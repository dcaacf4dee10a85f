"""Baselines: a silent first crawl or backfill stays open until one completes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "baselines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("since", sa.String(length=7), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_run_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["completed_run_id"],
            ["runs.id"],
            name=op.f("fk_baselines_completed_run_id_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["started_run_id"],
            ["runs.id"],
            name=op.f("fk_baselines_started_run_id_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baselines")),
    )
    with op.batch_alter_table("baselines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_baselines_completed_at"), ["completed_at"], unique=False
        )
    # An archive that already holds versions had its baseline under the old rule
    # ("no version stored yet"): record it as completed so nothing turns silent.
    op.execute(
        "INSERT INTO baselines (since, started_at, completed_at) "
        "SELECT NULL, MIN(created_at), MIN(created_at) FROM versions "
        "HAVING COUNT(*) > 0"
    )


def downgrade() -> None:
    with op.batch_alter_table("baselines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_baselines_completed_at"))
    op.drop_table("baselines")
