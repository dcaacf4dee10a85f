"""Runs, section health and document presence bookkeeping."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.db import unit_of_work
from storage.documents import (
    known_documents,
    note_blocked,
    note_fetched,
    note_missing,
    note_present,
)
from storage.models import DocumentState, RunStatus, SectionState
from storage.runs import finish_run, get_run, last_runs, start_run, update_run_stats
from storage.sections import record_section_outcome, section_health
from tests.factories import T0, make_document, make_version

URL = make_document()["url"]


def test_run_lifecycle_merges_stats(session_factory):
    with unit_of_work(session_factory) as session:
        run_id = start_run(session, T0, pid=123)
        update_run_stats(session, run_id, {"crawl": {"requests": 3}, "a": 1})
        update_run_stats(session, run_id, {"detect": {"new": 2}, "a": 2})
    with unit_of_work(session_factory) as session:
        finish_run(
            session,
            run_id,
            T0 + timedelta(minutes=2),
            status=RunStatus.OK,
            exit_code=0,
            stats={"dispatch": {"sent": 2}},
        )
    with unit_of_work(session_factory) as session:
        run = get_run(session, run_id)
        assert run is not None
        assert run.stats == {
            "crawl": {"requests": 3},
            "detect": {"new": 2},
            "a": 2,
            "dispatch": {"sent": 2},
        }
        assert (run.status, run.exit_code, run.pid, run.kind) == (
            RunStatus.OK,
            0,
            123,
            "run",
        )
        assert run.finished_at == T0 + timedelta(minutes=2)
        assert get_run(session, run_id + 100) is None


def test_last_runs_are_newest_first(session_factory):
    with unit_of_work(session_factory) as session:
        ids = [
            start_run(session, T0 + timedelta(hours=h), kind="replay")
            for h in (2, 0, 1)
        ]
    with unit_of_work(session_factory) as session:
        assert [r.id for r in last_runs(session, limit=2)] == [ids[0], ids[2]]


def test_section_health_tracks_failures_and_recovery(session_factory):
    with unit_of_work(session_factory) as session:
        failing = SectionState.FAILING
        record_section_outcome(session, "japan_us", failing, T0, error="HTTP 500")
        section = record_section_outcome(
            session, "japan_us", failing, T0 + timedelta(hours=1), error="HTTP 502"
        )
        assert (section.state, section.consecutive_failures, section.since) == (
            SectionState.FAILING,
            2,
            T0,
        )
        assert section.last_error == "HTTP 502"
        record_section_outcome(session, "press_releases", SectionState.BLOCKED, T0)
        ok = record_section_outcome(
            session, "japan_us", SectionState.OK, T0 + timedelta(hours=2)
        )
        assert (ok.state, ok.consecutive_failures, ok.last_ok_at) == (
            SectionState.OK,
            0,
            T0 + timedelta(hours=2),
        )
    with unit_of_work(session_factory) as session:
        assert [(s.name, s.state) for s in section_health(session)] == [
            ("japan_us", SectionState.OK),
            ("press_releases", SectionState.BLOCKED),
        ]
        with pytest.raises(ValueError, match="is not a valid SectionState"):
            record_section_outcome(session, "japan_us", "failed", T0)  # type: ignore[arg-type]


def test_missing_twice_removes_and_present_restores(session_factory):
    with unit_of_work(session_factory) as session:
        make_version(session)
        flips = [note_missing(session, URL, T0 + timedelta(days=d)) for d in (1, 2, 3)]
        assert flips == [False, True, False]
        assert known_documents(session)[0].state == DocumentState.REMOVED
        assert note_present(session, URL, T0 + timedelta(days=4)) is True
        assert note_present(session, URL, T0 + timedelta(days=5)) is False
        assert known_documents(session)[0].state == DocumentState.LIVE


def test_a_success_between_misses_resets_the_count(session_factory):
    with unit_of_work(session_factory) as session:
        make_version(session)
        assert note_missing(session, URL, T0) is False
        note_present(session, URL, T0)
        assert note_missing(session, URL, T0) is False


def test_blocked_never_removes(session_factory):
    with unit_of_work(session_factory) as session:
        make_version(session)
        for day in range(3):
            note_blocked(session, URL, T0 + timedelta(days=day))
        assert known_documents(session)[0].state == DocumentState.BLOCKED
        assert note_present(session, URL, T0 + timedelta(days=4)) is False
        assert known_documents(session)[0].state == DocumentState.LIVE


def test_known_documents_reports_fetch_times(session_factory):
    with unit_of_work(session_factory) as session:
        make_version(session, make_document(placeholder=True))
        note_fetched(session, URL, 200, T0 + timedelta(hours=3))
        note_fetched(session, "https://unknown/", 200, T0)
        (known,) = known_documents(session)
    assert (known.url, known.first_seen_at, known.last_fetched_at) == (
        URL,
        T0,
        T0 + timedelta(hours=3),
    )
    assert known.is_placeholder is True
