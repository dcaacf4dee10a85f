"""The web view's reads: changes newest first by kind, and a text index of versions.

The text index is kept by triggers on `versions`, so every writer (crawl, replay,
re-extract) feeds it without knowing of it: an FTS5 table on SQLite, a tsvector
table with a GIN index on PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE version_search USING fts5(title, body)",
    """CREATE TRIGGER version_search_insert AFTER INSERT ON versions BEGIN
        INSERT INTO version_search(rowid, title, body) VALUES (new.id,
            json_extract(new.content, '$.title'), json_extract(new.content, '$.body'));
    END""",
    """CREATE TRIGGER version_search_update AFTER UPDATE OF content ON versions BEGIN
        DELETE FROM version_search WHERE rowid = old.id;
        INSERT INTO version_search(rowid, title, body) VALUES (new.id,
            json_extract(new.content, '$.title'), json_extract(new.content, '$.body'));
    END""",
    """CREATE TRIGGER version_search_delete AFTER DELETE ON versions BEGIN
        DELETE FROM version_search WHERE rowid = old.id;
    END""",
    """INSERT INTO version_search(rowid, title, body)
        SELECT id, json_extract(content, '$.title'), json_extract(content, '$.body')
        FROM versions""",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS version_search_delete",
    "DROP TRIGGER IF EXISTS version_search_update",
    "DROP TRIGGER IF EXISTS version_search_insert",
    "DROP TABLE IF EXISTS version_search",
)
_PG_WORDS = (
    "to_tsvector('simple', coalesce({row}content->>'title', '') || ' ' || "
    "coalesce(({row}content->'body')::text, ''))"
)
_PG_UP = (
    """CREATE TABLE version_search (
        version_id integer PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
        words tsvector NOT NULL)""",
    "CREATE INDEX ix_version_search_words ON version_search USING gin (words)",
    f"""CREATE FUNCTION version_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO version_search(version_id, words)
            VALUES (NEW.id, {_PG_WORDS.format(row="NEW.")})
            ON CONFLICT (version_id) DO UPDATE SET words = EXCLUDED.words;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER version_search_sync AFTER INSERT OR UPDATE OF content
        ON versions FOR EACH ROW EXECUTE FUNCTION version_search_sync()""",
    f"""INSERT INTO version_search(version_id, words)
        SELECT id, {_PG_WORDS.format(row="")} FROM versions""",
)
_PG_DOWN = (
    "DROP TRIGGER IF EXISTS version_search_sync ON versions",
    "DROP FUNCTION IF EXISTS version_search_sync()",
    "DROP TABLE IF EXISTS version_search",
)


def upgrade() -> None:
    op.create_index("ix_changes_detected_at_id", "changes", ["detected_at", "id"])
    op.create_index(
        "ix_changes_kind_detected_at_id", "changes", ["kind", "detected_at", "id"]
    )
    op.create_index("ix_documents_section", "documents", ["section"])
    op.create_index("ix_documents_language", "documents", ["language"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_UP if sqlite else _PG_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_DOWN if sqlite else _PG_DOWN:
        op.execute(statement)
    op.drop_index("ix_documents_language", "documents")
    op.drop_index("ix_documents_section", "documents")
    op.drop_index("ix_changes_kind_detected_at_id", "changes")
    op.drop_index("ix_changes_detected_at_id", "changes")
