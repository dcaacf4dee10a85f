"""A generated archive for bench.web: documents, versions and changes inserted in
bulk (the text index filled by its triggers as by any writer)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from storage.bulk import insert_rows
from storage.db import open_database, unit_of_work, upgrade_database
from storage.models import Change, Document, Version

T0 = datetime(2024, 1, 1, tzinfo=UTC)
CHUNK = 5000
WORDS = [
    "minister",
    "meeting",
    "alliance",
    "security",
    "economy",
    "climate",
    "energy",
    "trade",
    "visit",
    "talks",
    "cooperation",
    "region",
    "peace",
    "summit",
    "dialogue",
    "partnership",
]
COUNTRIES = ("United States of America", "Republic of Korea", "Australia", "India")


def _content(n: int, edited: bool) -> dict[str, Any]:
    rng = random.Random(n)
    words = " ".join(rng.choice(WORDS) for _ in range(40))
    body = [f"1. On day {n % 28 + 1}, {words}.", f"2. Item {n} of the archive."]
    if edited:
        body[1] += " A sentence added later."
    meeting = None
    if n % 4 == 0:
        meeting = {
            "format": "meeting",
            "duration_minutes": 30 + n % 60,
            "counterpart_country": COUNTRIES[n % len(COUNTRIES)],
            "participants": [{"name": f"PERSON {n}", "role": None, "side": "japan"}],
        }
    return {
        "url": f"https://www.mofa.go.jp/press/release/p_{n:06d}.html",
        "doc_id": f"p_{n:06d}",
        "language": "en",
        "kind": "press_release",
        "section": ("Press Releases", "Japan-United States of America Relations")[
            n % 2
        ],
        "title": f"Generated document {n}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
        "date": (T0 + timedelta(days=n // 20)).date().isoformat(),
        "body": body,
        "captions": [],
        "topics": [],
        "meeting": meeting,
        "exchanges": [],
    }


def fill(url: str, size: int) -> None:
    """`size` documents, each with a "new" change; every tenth also edited."""
    upgrade_database(url)
    factory = open_database(url)
    try:
        for start in range(1, size + 1, CHUNK):
            numbers = range(start, min(size, start + CHUNK - 1) + 1)
            with unit_of_work(factory) as session:
                _fill_chunk(session, list(numbers))
        with unit_of_work(factory) as session:
            # What autovacuum would soon do: without statistics of the bulk-filled
            # tables, PostgreSQL's planner sorts every change for a filtered page.
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
    finally:
        factory.kw["bind"].dispose()


def _fill_chunk(session: Any, numbers: list[int]) -> None:
    ids = _insert(session, Document, [_document_row(n) for n in numbers])
    firsts = _insert(
        session,
        Version,
        [_version_row(i, n, 1) for i, n in zip(ids, numbers, strict=True)],
    )
    edited = [(i, n) for i, n in zip(ids, numbers, strict=True) if n % 10 == 0]
    first_of = dict(zip(ids, firsts, strict=True))
    seconds = _insert(session, Version, [_version_row(i, n, 2) for i, n in edited])
    changes = [
        _change_row(i, "new", None, v, n)
        for i, n, v in zip(ids, numbers, firsts, strict=True)
    ]
    changes += [
        _change_row(i, "updated", first_of[i], v, n)
        for (i, n), v in zip(edited, seconds, strict=True)
    ]
    _insert(session, Change, changes)


def _insert(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    return insert_rows(session, model.__table__, rows) if rows else []


def _document_row(n: int) -> dict[str, Any]:
    content = _content(n, edited=n % 10 == 0)
    when = T0 + timedelta(minutes=n)
    return {
        "url": content["url"], "doc_id": content["doc_id"], "kind": "press_release",
        "language": "en", "section": content["section"], "title": content["title"],
        "date": content["date"], "first_seen_at": when, "last_seen_at": when,
        "state": "live", "missing_count": 0, "is_placeholder": False,
        "last_seq": 2 if n % 10 == 0 else 1, "content_sha256": f"{n:064x}",
    }  # fmt: skip


def _version_row(document_id: int, n: int, seq: int) -> dict[str, Any]:
    when = T0 + timedelta(minutes=n, hours=seq - 1)
    return {
        "document_id": document_id, "seq": seq, "content_sha256": f"{n:060x}{seq:04x}",
        "content": _content(n, edited=seq == 2), "extractor_version": "bench",
        "created_at": when, "detected_at": when,
    }  # fmt: skip


def _change_row(
    document_id: int, kind: str, old: int | None, new: int, n: int
) -> dict[str, Any]:
    later = kind == "updated"
    diff = [{"field": "body", "op": "changed"}] if later else []
    when = T0 + timedelta(minutes=n, hours=1 if later else 0)
    return {
        "document_id": document_id, "kind": kind, "from_version_id": old,
        "to_version_id": new, "diff": diff, "is_silent": False, "detected_at": when,
    }  # fmt: skip
