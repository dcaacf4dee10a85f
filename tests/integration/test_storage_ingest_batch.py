"""A batch leaves the rows its fetches leave when stored one at a time (the crawl)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import ingest_batch as ingest_batch_module
from storage.bulk import Conflict, insert_rows
from storage.db import make_engine, make_session_factory, unit_of_work, upgrade_database
from storage.ingest import Extractor
from storage.models import Document, Snapshot, SnapshotBody, Version
from storage.snapshots import FetchRecord
from tests.factories import T0, make_document
from tests.integration.ingest_helpers import ingest_many, ingest_one

INDEX = "https://www.mofa.go.jp/press/release/index.html"


def _url(n: int) -> str:
    return str(make_document(n)["url"])


def _extract(body: bytes, url: str, charset: str | None) -> Mapping[str, Any]:
    text = body.decode(charset or "utf-8")
    if text.startswith("garbage"):
        raise ValueError("not a MOFA page")
    n = int(url.rsplit("_", 1)[1].split(".")[0])
    return make_document(n, title=text.split("|")[0], body=[text])


def _fetch(n: int, minutes: int, status: int = 200, text: str = "") -> FetchRecord:
    body = f"Title {n}|{text}".encode() if status == 200 and text != "-" else None
    if text.startswith("garbage"):
        body = text.encode()
    return FetchRecord(
        url=_url(n),
        fetched_at=T0 + timedelta(minutes=minutes),
        status=status,
        body=body,
        etag=f'"{n}-{minutes}"',
        charset="utf-8",
        source="replay",
    )


HISTORY = [
    _fetch(1, 0, text="first"),
    _fetch(2, 0, text="kept"),
    _fetch(3, 0, text="gone"),
    _fetch(3, 5, 404),
    _fetch(3, 10, 404),  # removed on the second miss
    _fetch(4, 0, text="blocked later"),
]
BATCH = [
    _fetch(1, 20, text="edited"),
    _fetch(2, 20, text="kept"),
    _fetch(3, 20, text="back again"),
    _fetch(4, 20, 403),
    _fetch(5, 20, text="new page"),
    _fetch(6, 20, text="garbage page"),
    FetchRecord(INDEX, T0 + timedelta(minutes=20), 200, b"<ul>index</ul>"),
    _fetch(7, 20, 500),
    _fetch(2, 21, 304, text="-"),
    _fetch(5, 22, text="new page, edited"),
    _fetch(5, 23, text="new page"),
    _fetch(8, 23, text="kept"),  # same body as another page: stored once
    _fetch(1, 24, 410),
]


def _database(path: Path) -> sessionmaker[Session]:
    url = f"sqlite:///{path}"
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        for fetch in HISTORY:
            ingest_one(session, fetch, Extractor("v1", _extract), now=T0)
    return factory


def _rows(factory: sessionmaker[Session]) -> dict[str, list[str]]:
    tables = {"documents": Document, "versions": Version, "snapshots": Snapshot}
    found: dict[str, list[str]] = {}
    with factory() as session:
        for name, model in tables.items():
            columns = list(model.__table__.columns)
            found[name] = [
                json.dumps(list(row), default=str)
                for row in session.execute(select(*columns).order_by(columns[0]))
            ]
        found["bodies"] = [
            f"{sha} {size}"
            for sha, size in session.execute(
                select(SnapshotBody.sha256, SnapshotBody.raw_size).order_by(
                    SnapshotBody.sha256
                )
            )
        ]
    return found


V2 = Extractor("v2", _extract)


def _is_detail(fetch: FetchRecord) -> bool:
    return fetch.url != INDEX


def _ingest_both(
    tmp_path: Path, before_batch: Callable[[], None] = lambda: None
) -> tuple[Any, Any, Any, Any]:
    one_by_one = _database(tmp_path / "one.db")
    batched = _database(tmp_path / "batch.db")
    with unit_of_work(one_by_one) as session:
        expected = [
            ingest_one(session, fetch, V2, is_detail=_is_detail(fetch))
            for fetch in BATCH
        ]
    before_batch()
    with unit_of_work(batched) as session:
        results = ingest_many(session, BATCH, V2, is_detail=_is_detail)
    return expected, results, _rows(one_by_one), _rows(batched)


def test_batch_gives_the_rows_and_outcomes_of_one_by_one_ingest(tmp_path):
    expected, results, rows, batched_rows = _ingest_both(tmp_path)
    assert results == expected
    assert [r.outcome for r in results][:6] == [
        "new_version",
        "unchanged",
        "new_version",
        "blocked",
        "new_version",
        "extract_failed",
    ]
    assert batched_rows == rows


def test_part_that_meets_another_writer_is_stored_item_by_item(tmp_path, monkeypatch):
    real = insert_rows
    calls = []

    def refuse_the_first_part(*args: Any) -> list[int]:
        # The first insert of the batch's first part, as if another writer came first.
        calls.append(len(args[2]))
        if len(calls) == 1:
            raise Conflict
        return real(*args)

    def refuse() -> None:
        monkeypatch.setattr(ingest_batch_module, "insert_rows", refuse_the_first_part)

    expected, results, rows, batched_rows = _ingest_both(tmp_path, refuse)
    assert calls[0] > 1  # the refused part held several items
    assert calls[1] == 1  # then its first item went alone
    assert results == expected
    assert batched_rows == rows
