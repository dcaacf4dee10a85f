"""Pairs: a Japanese document and its English counterpart, and how they were paired.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

The change kinds gain "translated" and "discrepancy"; they are stored as plain
strings (no native enum), so only the table is new.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("japanese_id", sa.Integer(), nullable=False),
        sa.Column("english_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "link", "inferred", name="pairmethod", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("lag_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("discrepancy", sa.JSON(), nullable=False),
        sa.Column("discrepancy_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["english_id"], ["documents.id"], name=op.f("fk_pairs_english_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["japanese_id"],
            ["documents.id"],
            name=op.f("fk_pairs_japanese_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairs")),
        sa.UniqueConstraint("english_id", name=op.f("uq_pairs_english_id")),
        sa.UniqueConstraint("japanese_id", name=op.f("uq_pairs_japanese_id")),
    )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pairs_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairs_created_at"))
    op.drop_table("pairs")
