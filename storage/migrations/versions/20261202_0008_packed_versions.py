"""Versions stored in proportion to their text: compressed content, a slimmer index.

SQLite: versions.content and changes.diff become zlib bytes (storage/packed.py,
codec doc1) and the text index an FTS5 table without a copy of the text
(content=''), fed by triggers that read the content through mofa_content().
PostgreSQL keeps versions.content as JSON text (SQL reads into it): its own
compression (TOAST, for values in rows over about 2 KB) is switched to lz4 where the
server has it, for rows written from now on; changes.diff is packed there too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage.packed import pack, unpack_text

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500
# The JSON columns stored compressed: each version's Document, each change's diff.
PACKED = (("versions", "content"), ("changes", "diff"))
_TRIGGERS = ("version_search_insert", "version_search_update", "version_search_delete")


def _fields(prefix: str, unpacked: bool) -> str:
    content = f"mofa_content({prefix}content)" if unpacked else f"{prefix}content"
    return f"json_extract({content}, '$.title'), json_extract({content}, '$.body')"


def _sqlite_search(packed: bool) -> list[str]:
    """The FTS5 table and its triggers: contentless over packed content, or 0004's."""
    table = "fts5(title, body, content='')" if packed else "fts5(title, body)"
    if packed:
        forget = (
            "INSERT INTO version_search(version_search, rowid, title, body) "
            f"VALUES ('delete', old.id, {_fields('old.', True)});"
        )
    else:
        forget = "DELETE FROM version_search WHERE rowid = old.id;"
    add = (
        "INSERT INTO version_search(rowid, title, body) "
        f"VALUES (new.id, {_fields('new.', packed)});"
    )
    source = "SELECT id, " + _fields("", packed)
    on = "ON versions BEGIN"
    return [
        f"CREATE VIRTUAL TABLE version_search USING {table}",
        f"CREATE TRIGGER version_search_insert AFTER INSERT {on} {add} END",
        f"CREATE TRIGGER version_search_update AFTER UPDATE OF content {on} "
        f"{forget} {add} END",
        f"CREATE TRIGGER version_search_delete AFTER DELETE {on} {forget} END",
        f"INSERT INTO version_search(rowid, title, body) {source} FROM versions",
    ]


def _drop_sqlite_search() -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS version_search")


def _rewrite(table: str, column: str, convert: Callable[[Any], Any]) -> None:
    """Every value of table.column through `convert`, a chunk of rows at a time."""
    db = op.get_bind()
    select = f"SELECT id, {column} FROM {table} WHERE id > :last ORDER BY id LIMIT :n"
    update = f"UPDATE {table} SET {column} = :value WHERE id = :id"
    last = 0
    while True:
        rows = db.execute(sa.text(select), {"last": last, "n": _CHUNK}).all()
        if not rows:
            return
        db.execute(
            sa.text(update),
            [{"id": id_, "value": convert(value)} for id_, value in rows],
        )
        last = rows[-1][0]


def _packed(content: bytes | memoryview | str) -> bytes:
    return pack(json.loads(unpack_text(content)))


def _pg_compression(table: str, column: str, method: str) -> None:
    if method not in _compression_methods(op.get_bind()):  # before 14: none to set
        return
    op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def _compression_methods(db: sa.Connection) -> list[str]:
    values = db.execute(
        sa.text(
            "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    return list(values or [])


def _column_type(
    table: str,
    column: str,
    old: sa.types.TypeEngine[Any],
    new: sa.types.TypeEngine[Any],
) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(column, existing_type=old, type_=new, nullable=False)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_search()
        for table, column in PACKED:
            _column_type(table, column, sa.JSON(), sa.LargeBinary())
            _rewrite(table, column, _packed)
        for statement in _sqlite_search(packed=True):
            op.execute(statement)
        return
    _pg_compression("versions", "content", "lz4")
    op.execute(  # diffs, which SQL never reads into, are packed on PostgreSQL too
        "ALTER TABLE changes ALTER COLUMN diff TYPE bytea "
        "USING convert_to(diff::text, 'UTF8')"
    )
    _rewrite("changes", "diff", _packed)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_search()
        for table, column in PACKED:
            _rewrite(table, column, unpack_text)
            _column_type(table, column, sa.LargeBinary(), sa.JSON())
        for statement in _sqlite_search(packed=False):
            op.execute(statement)
        return
    _pg_compression("versions", "content", "pglz")
    _rewrite("changes", "diff", lambda value: unpack_text(value).encode())
    op.execute(
        "ALTER TABLE changes ALTER COLUMN diff TYPE json "
        "USING convert_from(diff, 'UTF8')::json"
    )
