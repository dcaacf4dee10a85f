"""Bodies stored against the Document of the version they gave (codec "zlib+doc1",
storage/bodies.py): snapshot_bodies.base_version_id names that version. Going down
stores each such body alone again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.bodies import CODEC, compress, decompress, document_text

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AGAINST_DOCUMENT = "zlib+doc1"  # the codec this revision adds


def upgrade() -> None:
    op.add_column(
        "snapshot_bodies", sa.Column("base_version_id", sa.Integer(), nullable=True)
    )


def downgrade() -> None:
    db = op.get_bind()
    if db.dialect.name == "sqlite":
        content = "mofa_content(v.content, (SELECT content FROM versions b "
        content += "WHERE b.id = v.base_version_id))"
    else:
        content = "v.content"
    found = sa.text(
        f"SELECT s.sha256, s.data, {content} FROM snapshot_bodies AS s "
        "JOIN versions AS v ON v.id = s.base_version_id WHERE s.codec = :codec"
    )
    store = sa.text(
        "UPDATE snapshot_bodies SET codec = :codec, data = :data, "
        "base_version_id = NULL WHERE sha256 = :sha"
    )
    for sha, data, document in db.execute(found, {"codec": _AGAINST_DOCUMENT}).all():
        if isinstance(document, str):
            document = json.loads(document)
        raw = decompress(bytes(data), _AGAINST_DOCUMENT, document_text(document))
        db.execute(store, {"codec": CODEC, "data": compress(raw), "sha": sha})
    with op.batch_alter_table("snapshot_bodies") as batch:
        batch.drop_column("base_version_id")
