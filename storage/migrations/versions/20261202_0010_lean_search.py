"""Storage in proportion to change: bodies as deltas, a leaner text index, and no
index that a wider one already covers.

snapshot_bodies gains base_sha256: a body may be stored against an earlier body of its
URL (codec zlib+base1, storage/bodies.py); going down, such bodies are stored alone.

The search asks whether a version has every word of a query (storage/browse/search.py),
never where the words stand, so the index keeps no positions: on SQLite the FTS5
table becomes detail=none (about a fifth of its size), on PostgreSQL each tsvector is
stripped of its positions. Three indexes go that other ones hold as a prefix or that
no query uses: versions(document_id) (unique (document_id, seq)), changes(detected_at)
(changes(detected_at, id)) and versions(content_sha256) (never looked up by).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.bodies import CODEC, DELTA, compress, decompress

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns) of the indexes this revision drops.
_DROPPED = (
    ("ix_versions_document_id", "versions", ["document_id"]),
    ("ix_versions_content_sha256", "versions", ["content_sha256"]),
    ("ix_changes_detected_at", "changes", ["detected_at"]),
)
_TRIGGERS = ("version_search_insert", "version_search_update", "version_search_delete")


def _fields(prefix: str) -> str:
    content = f"mofa_content({prefix}content)"
    return f"json_extract({content}, '$.title'), json_extract({content}, '$.body')"


def _sqlite_search(detail: str) -> list[str]:
    """0008's contentless FTS5 table with the given detail, its triggers, filled."""
    forget = (
        "INSERT INTO version_search(version_search, rowid, title, body) "
        f"VALUES ('delete', old.id, {_fields('old.')});"
    )
    add = (
        "INSERT INTO version_search(rowid, title, body) "
        f"VALUES (new.id, {_fields('new.')});"
    )
    on = "ON versions BEGIN"
    return [
        *(f"DROP TRIGGER IF EXISTS {trigger}" for trigger in _TRIGGERS),
        "DROP TABLE IF EXISTS version_search",
        "CREATE VIRTUAL TABLE version_search USING "
        f"fts5(title, body, content='', detail={detail})",
        f"CREATE TRIGGER version_search_insert AFTER INSERT {on} {add} END",
        f"CREATE TRIGGER version_search_update AFTER UPDATE OF content {on} "
        f"{forget} {add} END",
        f"CREATE TRIGGER version_search_delete AFTER DELETE {on} {forget} END",
        f"INSERT INTO version_search(rowid, title, body) SELECT id, {_fields('')} "
        "FROM versions",
    ]


def _pg_words(row: str, stripped: bool) -> str:
    words = (
        f"to_tsvector('simple', coalesce({row}content->>'title', '') || ' ' || "
        f"coalesce(({row}content->'body')::text, ''))"
    )
    return f"strip({words})" if stripped else words


def _pg_search(stripped: bool) -> list[str]:
    """0004's trigger function, keeping positions or not, and every row rewritten."""
    return [
        f"""CREATE OR REPLACE FUNCTION version_search_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO version_search(version_id, words)
                VALUES (NEW.id, {_pg_words("NEW.", stripped)})
                ON CONFLICT (version_id) DO UPDATE SET words = EXCLUDED.words;
            RETURN NEW;
        END $$""",
        f"UPDATE version_search s SET words = {_pg_words('v.', stripped)} "
        "FROM versions v WHERE v.id = s.version_id",
    ]


def _bodies_alone() -> None:
    """Every delta body re-encoded alone, as revisions before 0010 read them."""
    db = op.get_bind()
    deltas = db.execute(
        sa.text(
            "SELECT d.sha256, d.data, b.data, b.codec FROM snapshot_bodies d "
            "JOIN snapshot_bodies b ON b.sha256 = d.base_sha256 WHERE d.codec = :delta"
        ),
        {"delta": DELTA},
    ).all()
    update = "UPDATE snapshot_bodies SET codec = :codec, data = :data WHERE sha256 = :s"
    for sha, data, base, codec in deltas:
        raw = decompress(bytes(data), DELTA, decompress(bytes(base), codec))
        db.execute(sa.text(update), {"codec": CODEC, "data": compress(raw), "s": sha})


def upgrade() -> None:
    op.add_column(
        "snapshot_bodies", sa.Column("base_sha256", sa.String(length=64), nullable=True)
    )
    for name, table, _ in _DROPPED:
        op.drop_index(name, table_name=table)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_search("none") if sqlite else _pg_search(True):
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_search("full") if sqlite else _pg_search(False):
        op.execute(statement)
    for name, table, columns in _DROPPED:
        op.create_index(name, table, columns)
    _bodies_alone()
    with op.batch_alter_table("snapshot_bodies") as batch_op:
        batch_op.drop_column("base_sha256")
