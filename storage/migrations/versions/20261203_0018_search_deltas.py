"""The text index grows with what changed, not with the page.

On SQLite a version stored against its document's keyframe gives the FTS5 table only
its title when that differs from the keyframe's and the paragraphs the keyframe lacks
(storage/searchtext.py, the SQL function mofa_search_text); before, every version gave
its whole title and body again. The table is built anew and filled from the versions;
going down, it is built as 0011 left it. PostgreSQL's GIN index is left as it is.
A partial index names the documents with a version stored against their keyframe
(storage.models.STORED_AGAINST_BASE), the ones a search checks word by word.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.STORED_AGAINST_BASE says it at this revision.
_STORED_AGAINST_BASE = "base_version_id IS NOT NULL"
_TRIGGERS = ("version_search_insert", "version_search_update", "version_search_delete")


def _base(row: str) -> str:
    return f"(SELECT b.content FROM versions AS b WHERE b.id = {row}base_version_id)"


def _changed_fields(row: str) -> str:
    """This revision's values: what the version adds to its keyframe."""
    arguments = f"{row}content, {_base(row)}"
    return (
        f"mofa_search_text({arguments}, 'title'), mofa_search_text({arguments}, 'body')"
    )


def _whole_fields(row: str) -> str:
    """0011's values: the version's whole title and body, as JSON paths."""
    content = f"mofa_content({row}content, {_base(row)})"
    return f"json_extract({content}, '$.title'), json_extract({content}, '$.body')"


def _rebuild(fields: Callable[[str], str]) -> None:
    """The contentless FTS5 table, its triggers giving `fields(row)`, filled."""
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS version_search")
    op.execute(
        "CREATE VIRTUAL TABLE version_search USING "
        "fts5(title, body, content='', detail=none)"
    )
    forget = (
        "INSERT INTO version_search(version_search, rowid, title, body) "
        f"VALUES ('delete', old.id, {fields('old.')});"
    )
    add = (
        "INSERT INTO version_search(rowid, title, body) "
        f"VALUES (new.id, {fields('new.')});"
    )
    on = "ON versions BEGIN"
    op.execute(f"CREATE TRIGGER version_search_insert AFTER INSERT {on} {add} END")
    op.execute(
        f"CREATE TRIGGER version_search_update AFTER UPDATE OF content {on} "
        f"{forget} {add} END"
    )
    op.execute(f"CREATE TRIGGER version_search_delete AFTER DELETE {on} {forget} END")
    op.execute(
        "INSERT INTO version_search(rowid, title, body) "
        f"SELECT id, {fields('versions.')} FROM versions"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(_changed_fields)
    op.create_index(
        "ix_versions_stored_against_base",
        "versions",
        ["document_id"],
        sqlite_where=sa.text(_STORED_AGAINST_BASE),
        postgresql_where=sa.text(_STORED_AGAINST_BASE),
    )


def downgrade() -> None:
    op.drop_index("ix_versions_stored_against_base", table_name="versions")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(_whole_fields)
