"""Drop the indexes on documents.kind and documents.language.

Each value of these columns is shared by thousands of documents, so no query is
served by them: the Changes page compares the columns as expressions to keep them
out of its plan (storage/browse/changes.py), and the other filters walk the date or
first-seen order. On SQLite they were about 45 bytes of every document.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("kind", "language")


def upgrade() -> None:
    for name in _COLUMNS:
        op.drop_index(f"ix_documents_{name}", "documents")


def downgrade() -> None:
    for name in _COLUMNS:
        op.create_index(f"ix_documents_{name}", "documents", [name])
