"""Versions and pages packed with dictionaries trained on the archive itself, and
deltas that see the whole of a long base.

A table holds the zstd dictionaries an archive trains (storage/trained.py): on SQLite
versions stored alone may then be packed with one (codec byte 0x03 "trained1",
storage/packed.py), and on both databases the bodies of versions stored against
their Document with another (codec "zstd+pages+doc", storage/bodies.py). Going down,
every version packed so is packed alone with doc1 again, and every such body against
its Document with zlib ("zlib+doc1"), before the table goes: the JSON text and the
raw bytes are the same, so what is stored against them stays readable.

From this revision deltas are zstd with their whole base as prefix: versions and
diffs against a base (codec byte 0x04 "zbase1") and bodies against an earlier body
("zstd+base"); zlib, which sees only a base's last 32 KB, made an edit of a long page
cost the page. Going down, those are stored alone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from storage import bodies, zstd_dicts
from storage.packed import TRAINED1, ZBASE1, pack

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500


def upgrade() -> None:
    op.create_table(
        "content_dictionaries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trained_through", sa.Integer(), nullable=False),
        sa.Column("repacked_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_dictionaries")),
        sa.UniqueConstraint("kind", name=op.f("uq_content_dictionaries_kind")),
    )


_TRAINED_BODY = "zstd+pages+doc"  # the body codec this revision adds


def downgrade() -> None:
    bind = op.get_bind()
    for (data,) in bind.execute(sa.text("SELECT data FROM content_dictionaries")):
        zstd_dicts.register(bytes(data))
    if bind.dialect.name == "sqlite":
        _unpack_trained(bind)
        _zstd_deltas_alone(bind)
    _body_deltas_alone(bind)
    _bodies_with_zlib(bind)
    op.drop_table("content_dictionaries")


def _zstd_deltas_alone(bind: sa.Connection) -> None:
    """Every version and diff stored against a base with zstd, stored alone."""
    version = (
        "mofa_content(v.content, (SELECT b.content FROM versions AS b "
        "WHERE b.id = v.base_version_id))"
    )
    versions = sa.text(
        f"SELECT v.id, {version} FROM versions AS v "
        "WHERE substr(v.content, 1, 1) = :codec"
    )
    rows = bind.execute(versions, {"codec": ZBASE1}).all()
    diffs = sa.text(
        f"SELECT c.id, mofa_content(c.diff, (SELECT {version} FROM versions AS v "
        "WHERE v.id = c.to_version_id)) FROM changes AS c "
        "WHERE substr(c.diff, 1, 1) = :codec"
    )
    changes = bind.execute(diffs, {"codec": ZBASE1}).all()
    if rows:
        bind.execute(
            sa.text(
                "UPDATE versions SET content = :content, base_version_id = NULL "
                "WHERE id = :pk"
            ),
            [{"pk": pk, "content": bytes(pack(json.loads(t)))} for pk, t in rows],
        )
    if changes:
        bind.execute(
            sa.text("UPDATE changes SET diff = :diff WHERE id = :pk"),
            [{"pk": pk, "diff": bytes(pack(json.loads(t)))} for pk, t in changes],
        )


def _body_deltas_alone(bind: sa.Connection) -> None:
    """Every body stored against an earlier body with zstd, stored alone."""
    found = sa.text("SELECT sha256 FROM snapshot_bodies WHERE codec = :codec")
    store = sa.text(
        "UPDATE snapshot_bodies SET codec = :codec, data = :data, "
        "base_sha256 = NULL WHERE sha256 = :sha"
    )
    with Session(bind=bind) as session:  # digests as stored: 32 bytes (0011, 0015)
        shas = bind.scalars(found, {"codec": bodies.ZSTD_DELTA}).all()
        raws = {sha: bodies.load(session, bytes(sha).hex()) for sha in shas}
    for sha, raw in raws.items():
        assert raw is not None
        data = bodies.compress(raw)
        bind.execute(store, {"codec": bodies.CODEC, "data": data, "sha": sha})


def _bodies_with_zlib(bind: sa.Connection) -> None:
    """Every body stored with a dictionary of pages, against its Document with zlib."""
    if bind.dialect.name == "sqlite":
        content = "mofa_content(v.content, (SELECT content FROM versions b "
        content += "WHERE b.id = v.base_version_id))"
    else:
        content = "v.content"
    found = sa.text(
        f"SELECT s.sha256, s.data, {content} FROM snapshot_bodies AS s "
        "JOIN versions AS v ON v.id = s.base_version_id WHERE s.codec = :codec"
    )
    store = sa.text(
        "UPDATE snapshot_bodies SET codec = :codec, data = :data WHERE sha256 = :sha"
    )
    for sha, data, document in bind.execute(found, {"codec": _TRAINED_BODY}).all():
        if isinstance(document, str):
            document = json.loads(document)
        text = bodies.document_text(document)
        raw = bodies.decompress(bytes(data), _TRAINED_BODY, text)
        again = bodies.compress(raw, bodies.AGAINST_DOCUMENT, text)
        bind.execute(
            store, {"codec": bodies.AGAINST_DOCUMENT, "data": again, "sha": sha}
        )


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
