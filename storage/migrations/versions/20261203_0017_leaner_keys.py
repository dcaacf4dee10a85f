"""Two indexes fewer on every document's rows.

- SQLite keeps snapshot_bodies WITHOUT ROWID: the table is ordered by the digest, so
  the primary key needs no index of its own (a second copy of every digest).
- Versions detect has not compared yet are found through a partial index
  (storage.models.UNDETECTED) on (created_at, id) instead of an index on detected_at
  that held every version.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.UNDETECTED says it at this revision.
_UNDETECTED = "detected_at IS NULL"
_BODY_COLUMNS = "sha256, codec, raw_size, data, base_sha256, base_version_id"
# The table as 0013 left it; the rowid form is this without the last clause.
_BODIES = """CREATE TABLE {name} (
    sha256 VARCHAR(64) NOT NULL,
    codec VARCHAR(16) NOT NULL,
    raw_size BIGINT NOT NULL,
    data BLOB NOT NULL,
    base_sha256 VARCHAR(64),
    base_version_id INTEGER,
    CONSTRAINT pk_snapshot_bodies PRIMARY KEY (sha256)
){clause}"""


def _rebuild_bodies(clause: str) -> None:
    """SQLite: snapshot_bodies built anew with `clause` after its columns.

    The new table is filled, the old one dropped, and only then is the new one
    renamed: renaming the old table away would repoint snapshots' foreign key."""
    op.execute(_BODIES.format(name="snapshot_bodies_new", clause=clause))
    op.execute(
        f"INSERT INTO snapshot_bodies_new ({_BODY_COLUMNS}) "
        f"SELECT {_BODY_COLUMNS} FROM snapshot_bodies"
    )
    op.execute("DROP TABLE snapshot_bodies")
    op.execute("ALTER TABLE snapshot_bodies_new RENAME TO snapshot_bodies")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_bodies(" WITHOUT ROWID")
    op.drop_index("ix_versions_detected_at", table_name="versions")
    op.create_index(
        "ix_versions_undetected",
        "versions",
        ["created_at", "id"],
        sqlite_where=sa.text(_UNDETECTED),
        postgresql_where=sa.text(_UNDETECTED),
    )


def downgrade() -> None:
    op.drop_index("ix_versions_undetected", table_name="versions")
    op.create_index("ix_versions_detected_at", "versions", ["detected_at"])
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_bodies("")
