"""storage.frontier on SQLite and PostgreSQL: migration 0005, scheduling, due reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from crawler import plan
from crawler.contract import RevisitPolicy
from crawler.revisit import RevisitState, next_due
from storage.db import (
    downgrade_database,
    make_engine,
    opened_database,
    unit_of_work,
    upgrade_database,
)
from storage.documents import note_fetched
from storage.frontier import (
    count_due,
    due_urls,
    known_among,
    schedule_documents,
    unscheduled_documents,
)

BASE = "https://www.mofa.go.jp"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
OLD = NOW - timedelta(days=800)  # monthly revisits
INSERT = text(
    "INSERT INTO documents (url, doc_id, kind, language, first_seen_at, last_seen_at,"
    " last_fetched_at, state, missing_count, is_placeholder, last_seq)"
    " VALUES (:url, :doc_id, 'press_release', 'en', :old, :old, :fetched, 'live', 0,"
    " false, 1)"
)


def _url(n: int) -> str:
    return f"{BASE}/press/release/press4e_{n:06d}.html"


def _insert(db_url: str, fetched: list[datetime]) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as db:
            for n, when in enumerate(fetched):
                values = {
                    "url": _url(n),
                    "doc_id": f"d{n}",
                    "old": OLD,
                    "fetched": when,
                }
                db.execute(INSERT, values)
    finally:
        engine.dispose()


def _plan(factory, now: datetime, budget: int | None) -> plan.CrawlPlan:
    return plan.load_plan(
        factory,
        base_url=BASE,
        sections=(),
        now=now,
        revisit=RevisitPolicy(),
        archives=plan.ArchivePolicy(since=(2022, 1)),
        budget=budget,
    )


def test_documents_of_an_older_schema_are_scheduled_by_the_next_plan(db_url):
    upgrade_database(db_url)
    downgrade_database(db_url, "0003")
    # Fetched 60 to 79 days ago: each one past its monthly slot (at most 45 days on).
    fetched = [NOW - timedelta(days=60 + n) for n in range(20)]
    _insert(db_url, fetched)
    slots = {
        _url(n): next_due(RevisitState(OLD, when), NOW, RevisitPolicy(), _url(n))
        for n, when in enumerate(fetched)
    }
    by_slot = sorted(slots, key=slots.__getitem__)
    with opened_database(db_url, upgrade=True) as factory:
        with unit_of_work(factory) as session:
            assert len(unscheduled_documents(session)) == 20
        planned = _plan(factory, NOW, budget=5)
        # The most overdue first (the earliest slot), the rest counted as waiting.
        assert planned.revisits == by_slot[:5]
        assert planned.backlog == 15
        with unit_of_work(factory) as session:
            assert unscheduled_documents(session) == []
            assert count_due(session, NOW) == 20
            for url in planned.revisits:
                note_fetched(session, url, 304, NOW)
        # Fetched ones are scheduled again, a slot of their own at least 15 days on.
        planned = _plan(factory, NOW + timedelta(minutes=30), budget=None)
        assert len(planned.revisits) == 15
        with unit_of_work(factory) as session:
            assert count_due(session, NOW + timedelta(days=15)) == 15
            assert count_due(session, NOW + timedelta(days=45)) == 20
            assert due_urls(session, NOW, 2) == by_slot[5:7]
            assert known_among(session, [_url(3), f"{BASE}/new.html"]) == {_url(3)}
            assert schedule_documents(session, []) == 0
