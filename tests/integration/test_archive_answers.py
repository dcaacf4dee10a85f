"""The plan's question about monthly archives reads their partial index, not every
snapshot under the press folders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event

from storage.db import opened_database, unit_of_work
from storage.index_pages import archive_fetches
from tests.factories import T0, make_snapshot

BASE = "https://www.mofa.go.jp"
ARCHIVES = (
    f"{BASE}/press/release/202403_index.html",
    f"{BASE}/press/kaiken/pc_202403_index.html",
    f"{BASE}/mofaj/press/release/R6_3_index.html",
)


def test_archives_answered_are_found_with_their_last_answer(session_factory):
    later = T0 + timedelta(days=3)
    with unit_of_work(session_factory) as session:
        for url in ARCHIVES:
            make_snapshot(session, url, fetched_at=T0)
            make_snapshot(session, url, fetched_at=later, status=304, body=None)
        make_snapshot(session, ARCHIVES[0], fetched_at=later + timedelta(1), status=500)
        make_snapshot(session, f"{BASE}/press/release/202402_index.html", status=404)
        make_snapshot(session, f"{BASE}/press/release/index.html")
        make_snapshot(session, f"{BASE}/press/release/pressite_000001_00455.html")
        make_snapshot(session, f"{BASE}/na/na1/us/202403_index.html")
        make_snapshot(
            session, "https://elsewhere.example/press/release/202403_index.html"
        )
    with unit_of_work(session_factory) as session:
        found = dict(archive_fetches(session, BASE))
    assert found == dict.fromkeys(ARCHIVES, later)


def test_sqlite_answers_the_archive_question_from_the_partial_index(sqlite_url):
    asked: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        asked.append((statement, parameters))

    with (
        opened_database(sqlite_url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        event.listen(session.get_bind(), "before_cursor_execute", keep)
        archive_fetches(session, BASE)
        ((statement, parameters),) = [q for q in asked if "FROM snapshots" in q[0]]
        plan = (
            session.connection()
            .exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            .all()
        )
    assert [row[-1] for row in plan] == [
        "SCAN snapshots USING INDEX ix_snapshots_archive_answers"
    ], plan
