"""Migration 0017: SQLite keeps snapshot_bodies WITHOUT ROWID (no index of its own
for the digest), and versions detect has not compared yet are found through a
partial index that holds only them. Both go down to 0016 and up again keeping
every row."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text, update

from storage.db import downgrade_database, opened_database, upgrade_database
from storage.models import SnapshotBody, Version
from storage.queries import undetected, undiffed_versions
from tests.factories import T0, make_document, make_snapshot, make_version
from tests.query_plans import literal_sql, sqlite_plan

BODIES = [f"<html><body><p>Readout {n}</p></body></html>".encode() for n in (1, 2)]


def _record(url: str) -> list[int]:
    """Two documents with a snapshot each; the first one's version detected."""
    with opened_database(url) as factory, factory.begin() as session:
        ids = []
        for n, body in enumerate(BODIES, start=1):
            document = make_document(n)
            snapshot = make_snapshot(session, document["url"], body=body)
            recorded = make_version(session, document, snapshot=snapshot)
            assert recorded.version_id is not None
            ids.append(recorded.version_id)
        session.execute(
            update(Version).where(Version.id == ids[0]).values(detected_at=T0)
        )
    return ids


def _rows(url: str, query: str) -> list[Any]:
    with opened_database(url) as factory, factory() as session:
        return list(session.execute(text(query)))


def _bodies_and_undetected(
    url: str,
) -> tuple[list[tuple[str, int, bytes]], list[int]]:
    """The stored bodies (read through the ORM) and the undetected versions' ids."""
    with opened_database(url) as factory, factory() as session:
        bodies = session.scalars(select(SnapshotBody)).all()
        pending = [v.id for v in undiffed_versions(session)]
        return sorted((b.sha256, b.raw_size, bytes(b.data)) for b in bodies), pending


def _table_sql(url: str) -> str:
    rows = _rows(url, "SELECT sql FROM sqlite_master WHERE name = 'snapshot_bodies'")
    return str(rows[0][0])


def _referenced_by_snapshots(url: str) -> set[str]:
    query = "SELECT \"table\" FROM pragma_foreign_key_list('snapshots')"
    return {row[0] for row in _rows(url, query)}


def test_sqlite_bodies_have_no_rowid_and_0017_goes_down_and_up(sqlite_url):
    upgrade_database(sqlite_url)
    ids = _record(sqlite_url)
    stored = _bodies_and_undetected(sqlite_url)
    assert len(stored[0]) == len(BODIES)
    assert stored[1] == [ids[1]]
    assert _table_sql(sqlite_url).rstrip().endswith("WITHOUT ROWID")
    indexes = {
        row[0]
        for row in _rows(
            sqlite_url,
            "SELECT name FROM sqlite_master WHERE tbl_name = 'snapshot_bodies' "
            "AND type = 'index'",
        )
    }
    assert indexes == set()  # the digest is the table's own key

    downgrade_database(sqlite_url, "0016")
    assert "WITHOUT ROWID" not in _table_sql(sqlite_url)
    assert _referenced_by_snapshots(sqlite_url) == {"runs", "snapshot_bodies"}
    assert _bodies_and_undetected(sqlite_url) == stored

    upgrade_database(sqlite_url)
    assert _table_sql(sqlite_url).rstrip().endswith("WITHOUT ROWID")
    assert _referenced_by_snapshots(sqlite_url) == {"runs", "snapshot_bodies"}
    assert _rows(sqlite_url, "PRAGMA foreign_key_check") == []
    assert _bodies_and_undetected(sqlite_url) == stored


def _plan(url: str) -> str:
    with opened_database(url) as factory, factory() as session:
        statement = undetected(Version.id)
        if session.get_bind().dialect.name == "sqlite":
            return " ".join(sqlite_plan(session, statement))
        session.execute(text("SET LOCAL enable_seqscan = off"))
        compiled = literal_sql(session, statement)
        return " ".join(r[0] for r in session.execute(text(f"EXPLAIN {compiled}")))


@pytest.mark.parametrize("revision", ["head", "0016"])
def test_undetected_versions_are_read_through_the_partial_index(db_url, revision):
    upgrade_database(db_url)
    ids = _record(db_url)
    if revision != "head":
        downgrade_database(db_url, revision)
    plan = _plan(db_url)
    if revision == "head":
        assert "ix_versions_undetected" in plan
    else:
        assert "ix_versions_undetected" not in plan
    assert _bodies_and_undetected(db_url)[1] == [ids[1]]
