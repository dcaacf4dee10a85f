"""Real processes racing on one database: one document, one version, no double claim."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from storage.claims import claim_due
from storage.db import open_database, unit_of_work
from storage.models import Document, Version
from storage.outbox import enqueue_alert
from tests.factories import T0, make_change, make_document, make_version

PROCESSES = 4


def _record_after_barrier(
    url: str, document: dict[str, Any], barrier: Any, results: Any
) -> None:
    factory = open_database(url)
    barrier.wait(30)
    with unit_of_work(factory) as session:
        result = make_version(session, document, now=T0 + timedelta(hours=1))
    results.put((result.is_new_document, result.is_new_version, result.seq))


def _claim_after_barrier(url: str, worker: str, barrier: Any, results: Any) -> None:
    factory = open_database(url)
    barrier.wait(30)
    claimed = []
    while batch := claim_due(factory, T0, worker=worker, limit=2):
        claimed.extend(batch)
    results.put(claimed)


def _race(target: Any, args_for: Any) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(*args_for(n), barrier, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    return outcomes


def _counts(session_factory) -> tuple[int, int]:
    with unit_of_work(session_factory) as session:
        documents = session.scalar(select(func.count()).select_from(Document))
        versions = session.scalar(select(func.count()).select_from(Version))
    return int(documents or 0), int(versions or 0)


def test_processes_recording_the_same_new_document_make_one_document_and_version(
    db_url, session_factory
):
    document = make_document(42)
    outcomes = _race(_record_after_barrier, lambda n: (db_url, document))
    assert _counts(session_factory) == (1, 1)
    assert sorted(outcomes, reverse=True) == [(True, True, 1)] + [
        (False, False, None)
    ] * (PROCESSES - 1)


def test_processes_recording_the_same_edit_make_exactly_one_new_version(
    db_url, session_factory
):
    with unit_of_work(session_factory) as session:
        make_version(session, make_document(42))
    edited = make_document(42, title="A corrected title")
    outcomes = _race(_record_after_barrier, lambda n: (db_url, edited))
    assert _counts(session_factory) == (1, 2)
    assert sorted(o[2] for o in outcomes if o[1]) == [2]


def test_dispatcher_processes_never_claim_the_same_alert(db_url, session_factory):
    with unit_of_work(session_factory) as session:
        for i in range(30):
            record = make_version(session, make_document(i))
            change = make_change(
                session, record.document_id, to_version_id=record.version_id
            )
            enqueue_alert(session, channel="desk", now=T0, change_id=change.id)
    outcomes = _race(_claim_after_barrier, lambda n: (db_url, f"w{n}"))
    claimed = [alert_id for batch in outcomes for alert_id in batch]
    assert len(claimed) == 30
    assert len(set(claimed)) == 30
