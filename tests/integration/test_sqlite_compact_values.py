"""SQLite keeps SHA-256 digests as their 32 bytes and datetimes as microseconds since
1970 (storage/models.py Digest, UTCDateTime): they read back as hex and as aware UTC
datetimes, compare and sort as before, and 0011 converts text written before it
(and back). PostgreSQL keeps digests as bytes too, from 0015."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from storage.db import (
    downgrade_database,
    opened_database,
    unit_of_work,
    upgrade_database,
)
from storage.models import Document, Snapshot, SnapshotBody, Version
from storage.normalize import content_hash
from tests.factories import T0, make_document, make_snapshot, make_version

BODY = b"<html><body><h1>Readout</h1></body></html>"
# Microseconds, a time before 1970 and one given in another zone.
TIMES = [
    T0 + timedelta(microseconds=1),
    datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC),
    datetime(2026, 1, 5, 18, 0, tzinfo=timezone(timedelta(hours=9))),
]
RAW = (
    "SELECT typeof(s.fetched_at), typeof(s.body_sha256), length(s.body_sha256), "
    "typeof(b.sha256), typeof(v.content_sha256), typeof(v.created_at), "
    "typeof(d.content_sha256), typeof(d.first_seen_at) FROM snapshots s "
    "JOIN snapshot_bodies b ON b.sha256 = s.body_sha256 "
    "JOIN versions v ON v.snapshot_id = s.id JOIN documents d ON d.id = v.document_id"
)


def _write(url: str) -> list[int]:
    with opened_database(url) as factory, unit_of_work(factory) as session:
        ids = []
        for n, at in enumerate(TIMES, start=1):
            snapshot = make_snapshot(
                session, make_document(n)["url"], fetched_at=at, body=BODY
            )
            make_version(session, make_document(n), snapshot=snapshot, now=at)
            ids.append(snapshot.id)
        return ids


def _read(url: str) -> tuple[list[tuple[datetime, str | None]], list[str], list[int]]:
    """(fetched_at, body sha) of the snapshots by id, the version digests, and the
    snapshots fetched from 2000 on, earliest first."""
    with opened_database(url) as factory, factory() as session:
        snapshots = session.scalars(select(Snapshot).order_by(Snapshot.id)).all()
        read = [(s.fetched_at, s.body_sha256) for s in snapshots]
        digests = list(
            session.scalars(select(Version.content_sha256).order_by(Version.id))
        )
        since = select(Snapshot.id).where(
            Snapshot.fetched_at >= datetime(2000, 1, 1, tzinfo=UTC)
        )
        later = list(session.scalars(since.order_by(Snapshot.fetched_at)))
        assert session.get(SnapshotBody, hashlib.sha256(BODY).hexdigest())
        assert session.scalar(
            select(Document.id).where(
                Document.content_sha256 == content_hash(make_document(3))
            )
        )
    return read, digests, later


def _raw(url: str, query: str = RAW) -> set[tuple[object, ...]]:
    """The rows of a query on the stored values themselves (a set)."""
    with opened_database(url) as factory, factory() as session:
        return {tuple(row) for row in session.execute(text(query))}


def _expected(
    ids: list[int],
) -> tuple[list[tuple[datetime, str]], list[str], list[int]]:
    sha = hashlib.sha256(BODY).hexdigest()
    digests = [content_hash(make_document(n)) for n in range(1, 4)]
    # 18:00 in Tokyo is 09:00 UTC, a microsecond before the first.
    return [(at.astimezone(UTC), sha) for at in TIMES], digests, [ids[2], ids[0]]


def test_digests_and_datetimes_read_back_and_compare(db_url: str) -> None:
    upgrade_database(db_url)
    ids = _write(db_url)
    read = _read(db_url)
    assert read == _expected(ids)
    fetched: list[tuple[datetime, str | None]] = read[0]
    assert [at.tzinfo for at, _sha in fetched] == [UTC] * 3
    if db_url.startswith("sqlite"):
        row = ("integer", "blob", 32, "blob", "blob", "integer", "blob", "integer")
        assert _raw(db_url) == {row}


def test_0011_converts_text_written_before_it_and_back(sqlite_url):
    upgrade_database(sqlite_url)
    ids = _write(sqlite_url)
    downgrade_database(sqlite_url, "0010")
    row = ("text", "text", 64, "text", "text", "text", "text", "text")
    assert _raw(sqlite_url) == {row}
    with opened_database(sqlite_url) as factory, factory() as session:
        fetched = session.scalars(
            text("SELECT fetched_at FROM snapshots ORDER BY id")
        ).all()
    # As SQLAlchemy wrote them before 0011: naive UTC with microseconds.
    assert fetched == [
        at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") for at in TIMES
    ]
    upgrade_database(sqlite_url)
    row = ("integer", "blob", 32, "blob", "blob", "integer", "blob", "integer")
    assert _raw(sqlite_url) == {row}
    assert _read(sqlite_url) == _expected(ids)


PG_RAW = (
    "SELECT pg_typeof(s.body_sha256)::text, octet_length(s.body_sha256), "
    "pg_typeof(b.sha256)::text, octet_length(v.content_sha256), "
    "octet_length(d.content_sha256) FROM snapshots s "
    "JOIN snapshot_bodies b ON b.sha256 = s.body_sha256 "
    "JOIN versions v ON v.snapshot_id = s.id JOIN documents d ON d.id = v.document_id"
)


@pytest.mark.postgres
def test_0015_keeps_postgresql_digests_as_bytes_and_back(postgres_url):
    upgrade_database(postgres_url)
    ids = _write(postgres_url)
    assert _raw(postgres_url, PG_RAW) == {("bytea", 32, "bytea", 32, 32)}
    downgrade_database(postgres_url, "0014")
    hex_row = ("character varying", 64, "character varying", 64, 64)
    assert _raw(postgres_url, PG_RAW) == {hex_row}
    upgrade_database(postgres_url)
    assert _raw(postgres_url, PG_RAW) == {("bytea", 32, "bytea", 32, 32)}
    assert _read(postgres_url) == _expected(ids)
