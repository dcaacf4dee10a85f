"""Storage benchmark: new vs unchanged recordings per second; stored vs raw body bytes.

python -m bench.storage [--pg-url URL] [--n 10000] [--batch 100]
"""

from __future__ import annotations

import argparse
import copy
import logging
import lzma
import os
import secrets
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from storage.bodies import CODEC
from storage.db import (
    mask_url,
    normalize_url,
    open_database,
    unit_of_work,
    upgrade_database,
)
from storage.models import SnapshotBody
from storage.snapshots import FetchRecord, store_snapshot
from storage.versions import record_version

logger = logging.getLogger(__name__)

SITE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "site"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

_TEMPLATE: dict[str, Any] = {
    "language": "en",
    "kind": "press_release",
    "section": "Japan-United States of America Relations",
    "date": "2026-01-05",
    "body": [
        "1. On January 5, commencing at 10:00 a.m. for approximately 45 minutes, "
        "Foreign Minister Example held a meeting with the Secretary of State.",
        "2. The two ministers confirmed that the alliance remains the cornerstone "
        "of peace and stability in the Indo-Pacific region.",
        "3. The two ministers exchanged views on regional affairs, including North "
        "Korea, China and Ukraine, and agreed to keep in close communication.",
    ],
    "captions": ["Photo: the Foreign Ministers' meeting"],
    "provisional_translation": True,
    "placeholder": False,
    "japanese_url": None,
    "english_url": None,
    "topics": ["North Korea", "China", "Ukraine"],
    "meeting": {
        "format": "meeting",
        "started_at_local": "10:00",
        "started_at_jst": None,
        "duration_minutes": 45,
        "location": "Washington, D.C.",
        "participants": [
            {
                "name": "EXAMPLE Taro",
                "role": "Minister for Foreign Affairs",
                "side": "japan",
            },
            {
                "name": "Jane Sample",
                "role": "Secretary of State",
                "side": "counterpart",
            },
        ],
        "counterpart_country": "United States",
    },
    "exchanges": [],
}


def _document(n: int) -> dict[str, Any]:
    document = copy.deepcopy(_TEMPLATE)
    doc_id = f"page4e_{n:06d}"
    document.update(
        url=f"https://www.mofa.go.jp/na/na1/us/{doc_id}.html",
        doc_id=doc_id,
        title=f"Japan-U.S. Foreign Ministers' Meeting No. {n}",
    )
    return document


def _record_all(
    url: str, documents: list[dict[str, Any]], batch: int, now: datetime
) -> tuple[float, float, int]:
    """Wall seconds, this process's CPU seconds, versions written."""
    factory = open_database(url)
    new_versions = 0
    started = time.perf_counter()
    cpu = time.process_time()
    for start in range(0, len(documents), batch):
        with unit_of_work(factory) as session:
            for document in documents[start : start + batch]:
                result = record_version(
                    session, document["url"], document, None, "bench", now
                )
                new_versions += result.is_new_version
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    factory.kw["bind"].dispose()
    return elapsed, cpu, new_versions


def bench_records(label: str, url: str, n: int, batch: int) -> None:
    upgrade_database(url)
    documents = [_document(i) for i in range(n)]
    new_s, new_cpu, new_versions = _record_all(url, documents, batch, T0)
    later = T0 + timedelta(hours=1)
    same_s, same_cpu, same_versions = _record_all(url, documents, batch, later)
    print(
        f"{label}: {n} new documents      {n / new_s:9.0f} rows/s "
        f"({new_s:.2f} s wall, {new_cpu:.2f} s cpu here, {new_versions} versions)"
    )
    print(
        f"{label}: {n} unchanged re-records {n / same_s:9.0f} rows/s "
        f"({same_s:.2f} s wall, {same_cpu:.2f} s cpu here, {same_versions} versions)"
    )
    print(
        f"{label}: unchanged/new speed ratio {new_s / same_s:.1f}x "
        f"({batch} recordings per transaction)"
    )


def bench_bodies(url: str) -> None:
    pages = sorted(p for p in SITE.rglob("*.html"))
    raw = [p.read_bytes() for p in pages]
    total = sum(len(b) for b in raw)
    zlib_total = sum(len(zlib.compress(b, 9)) for b in raw)
    lzma_total = sum(len(lzma.compress(b, preset=9)) for b in raw)
    upgrade_database(url)
    factory = open_database(url)
    with unit_of_work(factory) as session:
        for i, (page, body) in enumerate(zip(pages, raw, strict=True)):
            fetch = FetchRecord(
                url=f"https://bench/{page.relative_to(SITE)}",
                fetched_at=T0 + timedelta(seconds=i),
                status=200,
                body=body,
            )
            store_snapshot(session, fetch)
        stored = session.scalar(select(func.sum(func.length(SnapshotBody.data))))
    factory.kw["bind"].dispose()
    stored = int(stored or 0)
    print(
        f"bodies: {len(pages)} fixture pages under tests/fixtures/site, "
        f"{total} raw bytes ({total // max(len(pages), 1)} per page)"
    )
    print(
        f"bodies: stored with {CODEC}: {stored} bytes = {100 * stored / total:.1f}% "
        f"of raw ({stored // max(len(pages), 1)} bytes per snapshot)"
    )
    print(
        f"bodies: for comparison zlib-9 {100 * zlib_total / total:.1f}%, "
        f"lzma-9 {100 * lzma_total / total:.1f}%"
    )


@contextmanager
def _pg_database(base_url: str) -> Iterator[str]:
    base = make_url(normalize_url(base_url))
    libpq = base.set(drivername="postgresql", database="postgres")
    name = f"mofawatch_bench_{secrets.token_hex(4)}"
    with psycopg.connect(
        libpq.render_as_string(hide_password=False), autocommit=True, connect_timeout=5
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storage")
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG,
        help="PostgreSQL server (a scratch database is created on it)",
    )
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument(
        "--batch",
        type=int,
        default=100,
        help="recordings per transaction, as a crawl commits them",
    )
    args = parser.parse_args(argv)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (wall times vary)")
    with tempfile.TemporaryDirectory() as tmp:
        bench_records("sqlite", f"sqlite:///{tmp}/bench.db", args.n, args.batch)
        bench_bodies(f"sqlite:///{tmp}/bodies.db")
    try:
        with _pg_database(args.pg_url) as pg_url:
            bench_records("postgresql", pg_url, args.n, args.batch)
    except psycopg.OperationalError as exc:
        print(
            f"postgresql: skipped, {mask_url(args.pg_url)} not reachable: {exc}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
