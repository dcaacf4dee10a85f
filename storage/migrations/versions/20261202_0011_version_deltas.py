"""Versions stored against an earlier version of their document, diffs against
their version.

versions gains base_version_id: on SQLite a version may be stored against its
document's newest version stored alone, and a change's diff against the JSON text of
its to_version (codec byte 0x02, storage/packed.py and storage/keyframes.py). The
text index's triggers read content through the two-argument mofa_content(content,
base content). Nothing stored is converted: what is already stored stays alone.
Going down, diffs and versions stored against a version are stored alone again
before the column goes.

On SQLite every SHA-256 (of bodies, of versions' and documents' content) is stored
as its 32 bytes instead of 64 hex digits (storage/models.py Digest), and every
datetime as microseconds since 1970 UTC instead of 26 characters of text
(storage/models.py UTCDateTime); both are converted here and back going down.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from storage.models import UNMANAGED_TABLES, from_sqlite_micros, sqlite_micros
from storage.packed import BASE1, pack, unpack_text

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = ("version_search_insert", "version_search_update", "version_search_delete")
# (table, column) of every SHA-256.
_DIGESTS = (
    ("documents", "content_sha256"),
    ("snapshot_bodies", "sha256"),
    ("snapshot_bodies", "base_sha256"),
    ("snapshots", "body_sha256"),
    ("versions", "content_sha256"),
)


def _content(row: str, based: bool) -> str:
    if not based:
        return f"mofa_content({row}content)"
    base = f"(SELECT b.content FROM versions AS b WHERE b.id = {row}base_version_id)"
    return f"mofa_content({row}content, {base})"


def _fields(row: str, based: bool) -> str:
    content = _content(row, based)
    return f"json_extract({content}, '$.title'), json_extract({content}, '$.body')"


def _sqlite_triggers(based: bool) -> list[str]:
    """0010's triggers on the contentless FTS5 table, reading bases or not."""
    forget = (
        "INSERT INTO version_search(version_search, rowid, title, body) "
        f"VALUES ('delete', old.id, {_fields('old.', based)});"
    )
    add = (
        "INSERT INTO version_search(rowid, title, body) "
        f"VALUES (new.id, {_fields('new.', based)});"
    )
    on = "ON versions BEGIN"
    return [
        *(f"DROP TRIGGER IF EXISTS {trigger}" for trigger in _TRIGGERS),
        f"CREATE TRIGGER version_search_insert AFTER INSERT {on} {add} END",
        f"CREATE TRIGGER version_search_update AFTER UPDATE OF content {on} "
        f"{forget} {add} END",
        f"CREATE TRIGGER version_search_delete AFTER DELETE {on} {forget} END",
    ]


def _store_alone(found: str, store: str, params: dict[str, object]) -> None:
    """Store alone again each value `found` selects as (id, stored value, its base),
    with the statement `store` (:id, :value)."""
    db = op.get_bind()
    for pk, data, base in db.execute(sa.text(found), params).all():
        alone = pack(json.loads(unpack_text(data, base)))
        db.execute(sa.text(store), {"value": bytes(alone), "id": pk})


def _diffs_alone() -> None:
    """Every diff stored against its version stored alone again."""
    _store_alone(
        f"SELECT c.id, c.diff, {_content('v.', True)} FROM changes AS c "
        "JOIN versions AS v ON v.id = c.to_version_id "
        "WHERE substr(c.diff, 1, 1) = :codec",
        "UPDATE changes SET diff = :value WHERE id = :id",
        {"codec": BASE1},
    )


def _versions_alone() -> None:
    """Every version stored against a base stored alone again."""
    _store_alone(
        "SELECT v.id, v.content, b.content FROM versions AS v "
        "JOIN versions AS b ON b.id = v.base_version_id",
        "UPDATE versions SET content = :value, base_version_id = NULL WHERE id = :id",
        {},
    )


def _digests(to_bytes: bool) -> None:
    """Every SHA-256 as its bytes (`to_bytes`) or as lower-case hex text."""
    if to_bytes:
        raw = op.get_bind().connection.dbapi_connection
        assert raw is not None
        raw.create_function("mofa_unhex", 1, bytes.fromhex, deterministic=True)
    kind, convert = (
        ("text", "mofa_unhex({})") if to_bytes else ("blob", "lower(hex({}))")
    )
    for table, column in _DIGESTS:
        op.execute(
            f"UPDATE {table} SET {column} = {convert.format(column)} "
            f"WHERE typeof({column}) = '{kind}'"
        )


def _sqlite_text(value: int) -> str:
    """A datetime as SQLAlchemy's SQLite DATETIME wrote it before 0011."""
    return from_sqlite_micros(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_integer(value: str) -> int:
    return sqlite_micros(datetime.fromisoformat(value))


def _datetimes(to_integers: bool) -> None:
    """Every DATETIME column of the tables this schema owns, as integers or text."""
    db = op.get_bind()
    raw = db.connection.dbapi_connection
    assert raw is not None
    convert = _sqlite_integer if to_integers else _sqlite_text
    raw.create_function("mofa_datetime", 1, convert, deterministic=True)
    kind = "text" if to_integers else "integer"
    tables = db.execute(
        sa.text("SELECT name FROM sqlite_master WHERE type = 'table'")
    ).scalars()
    for table in [t for t in tables if t not in UNMANAGED_TABLES]:
        columns = db.execute(sa.text(f"PRAGMA table_info({table})")).all()
        for column in (c[1] for c in columns if c[2].upper() == "DATETIME"):
            op.execute(
                f"UPDATE {table} SET {column} = mofa_datetime({column}) "
                f"WHERE typeof({column}) = '{kind}'"
            )


def upgrade() -> None:
    op.add_column("versions", sa.Column("base_version_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for statement in _sqlite_triggers(based=True):
            op.execute(statement)
        _digests(to_bytes=True)
        _datetimes(to_integers=True)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _digests(to_bytes=False)
        _datetimes(to_integers=False)
        _diffs_alone()
        _versions_alone()
        for trigger in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_column("versions", "base_version_id")
    if sqlite:
        for statement in _sqlite_triggers(based=False):
            op.execute(statement)
