"""PostgreSQL keeps each SHA-256 as its 32 bytes (bytea) instead of 64 hex digits, as
SQLite has since 0011: half the digest columns and their indexes. Python, the CLI
and exports still see hex. SQLite is not changed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("snapshot_bodies", "sha256"),
    ("snapshot_bodies", "base_sha256"),
    ("snapshots", "body_sha256"),
    ("documents", "content_sha256"),
    ("versions", "content_sha256"),
)
_FK = "fk_snapshots_body_sha256_snapshot_bodies"


def _convert(type_: str, using: str) -> None:
    """Every digest column to `type_`, each value through `using` (a format string
    of the column's name); the one foreign key among them is dropped meanwhile."""
    op.execute(f"ALTER TABLE snapshots DROP CONSTRAINT {_FK}")
    for table, column in _COLUMNS:
        op.execute(
            f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {type_} "
            f"USING {using.format(column)}"
        )
    op.execute(
        f"ALTER TABLE snapshots ADD CONSTRAINT {_FK} FOREIGN KEY (body_sha256) "
        "REFERENCES snapshot_bodies (sha256)"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _convert("bytea", "decode({}, 'hex')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _convert("varchar(64)", "encode({}, 'hex')")
