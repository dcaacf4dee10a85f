"""Versions packed with a dictionary trained on the archive's own wording.

A table holds the zstd dictionaries an archive trains (storage/trained.py); on SQLite
versions stored alone may then be packed with one (codec byte 0x03 "trained1",
storage/packed.py). PostgreSQL gets the table and stores nothing in it. Going down,
every version packed so is packed alone with doc1 again before the table goes: the
JSON text is the same, so versions and diffs stored against it stay readable.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.packed import TRAINED1, pack

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500


def upgrade() -> None:
    op.create_table(
        "content_dictionaries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_dictionaries")),
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _unpack_trained(bind)
    op.drop_table("content_dictionaries")


def _unpack_trained(bind: sa.Connection) -> None:
    """Every version packed with a trained dictionary, packed with doc1 instead."""
    select = sa.text(
        "SELECT id, mofa_content(content) FROM versions "
        "WHERE substr(content, 1, 1) = :codec AND id > :after ORDER BY id LIMIT :n"
    )
    update = sa.text("UPDATE versions SET content = :content WHERE id = :pk")
    after = 0
    while True:
        rows = bind.execute(
            select, {"codec": TRAINED1, "after": after, "n": _CHUNK}
        ).all()
        if not rows:
            return
        bind.execute(
            update,
            [{"pk": pk, "content": bytes(pack(json.loads(text)))} for pk, text in rows],
        )
        after = rows[-1][0]
