"""PostgreSQL's text index becomes a GIN index on the words of each version's title
and body, computed from the version itself: the table of stored tsvectors (0004,
stripped by 0010) and its trigger go. Each version then no longer keeps its words a
second time (about 900 bytes a page). SQLite is not changed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.PG_SEARCH_WORDS says it at this revision.
_WORDS = (
    "to_tsvector('simple', coalesce({row}content->>'title', '') || ' ' || "
    "coalesce(({row}content->'body')::text, ''))"
)
_INDEX = "ix_versions_search_words"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS version_search_sync ON versions")
    op.execute("DROP FUNCTION IF EXISTS version_search_sync()")
    op.execute("DROP TABLE IF EXISTS version_search")
    op.execute(f"CREATE INDEX {_INDEX} ON versions USING gin ({_WORDS.format(row='')})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {_INDEX}")
    stripped = f"strip({_WORDS.format(row='NEW.')})"
    for statement in (
        """CREATE TABLE version_search (
            version_id integer PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
            words tsvector NOT NULL)""",
        "CREATE INDEX ix_version_search_words ON version_search USING gin (words)",
        f"""CREATE FUNCTION version_search_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO version_search(version_id, words)
                VALUES (NEW.id, {stripped})
                ON CONFLICT (version_id) DO UPDATE SET words = EXCLUDED.words;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER version_search_sync AFTER INSERT OR UPDATE OF content
            ON versions FOR EACH ROW EXECUTE FUNCTION version_search_sync()""",
        "INSERT INTO version_search(version_id, words) "
        f"SELECT id, strip({_WORDS.format(row='')}) FROM versions",
    ):
        op.execute(statement)
