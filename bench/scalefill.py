"""Fill a database fast with a generated site as a finished baseline left it.

One document, one version, one snapshot (the page's ETag and Last-Modified, as the
simulated site serves them) and one silent "new" change per detail page, inserted in
bulk, with no extraction: the scaling benchmark measures what a cycle and the read
commands do with a large archive, not how it was first crawled. Every document was
last fetched at the same moment, as after a backfill: the herd a sweep must spread.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from crawler.extract.extractor import EXTRACTOR_VERSION
from storage.models import (
    Baseline,
    Change,
    ChangeKind,
    Document,
    DocumentState,
    Snapshot,
    Version,
)
from tests.sitegen import GeneratedSite

CHUNK = 2000
_KINDS = {
    "/press/release/": "press_release",
    "/press/kaiken/": "press_conference",
    "/na/na1/us/": "page",
}
_BODY = (
    "On {day}, the Minister for Foreign Affairs held a meeting with the visiting "
    "Foreign Minister. The two ministers exchanged views on regional affairs and "
    "agreed to keep in close communication. Document {n} of the generated archive."
)


def _table(model: type[Any]) -> Table:
    return typing.cast(Table, model.__table__)


def fill(db: Connection, site: GeneratedSite, base_url: str, fetched: datetime) -> int:
    """Insert every detail page of the site as stored and announced; the count."""
    count = 0
    for chunk in _chunks(site, base_url, fetched):
        for model, rows in zip(
            (Document, Snapshot, Version, Change), chunk, strict=True
        ):
            db.execute(insert(_table(model)), rows)
        count += len(chunk[0])
    db.execute(
        insert(_table(Baseline)),
        [{"since": None, "started_at": fetched, "completed_at": fetched}],
    )
    return count


def _chunks(
    site: GeneratedSite, base_url: str, fetched: datetime
) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    rows: tuple[list[dict[str, Any]], ...] = ([], [], [], [])
    for n, path in enumerate(site.detail_paths, start=1):
        for table, row in zip(
            rows, _rows(site, path, n, base_url, fetched), strict=True
        ):
            table.append(row)
        if len(rows[0]) >= CHUNK:
            yield rows
            rows = ([], [], [], [])
    if rows[0]:
        yield rows


def _rows(
    site: GeneratedSite, path: str, n: int, base_url: str, fetched: datetime
) -> tuple[dict[str, Any], ...]:
    file = site.root / path.lstrip("/")
    data = file.read_bytes()
    day: date = site.dates[path]
    seen = datetime.combine(day, time(12), UTC)
    url = base_url + path
    kind = next(k for prefix, k in _KINDS.items() if path.startswith(prefix))
    content = _content(url, path, kind, day, n)
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    document = {
        "id": n, "url": url, "doc_id": content["doc_id"], "kind": kind,
        "language": "en", "section": None, "title": content["title"],
        "date": day.isoformat(), "first_seen_at": seen, "last_seen_at": fetched,
        "last_fetched_at": fetched, "last_status": 200, "state": DocumentState.LIVE,
        "state_since": seen, "missing_count": 0, "is_placeholder": False,
        "last_seq": 1, "content_sha256": digest,
    }  # fmt: skip
    snapshot = {
        "id": n, "url": url, "final_url": url, "fetched_at": seen, "status": 200,
        "etag": '"' + hashlib.sha256(data).hexdigest()[:32] + '"',
        "last_modified": _http_date(file), "charset": "utf-8",
        "content_type": "text/html; charset=utf-8", "body_sha256": None,
        "source": "crawl", "run_id": None, "extract_error": None,
    }  # fmt: skip
    version = {
        "id": n, "document_id": n, "seq": 1, "content_sha256": digest,
        "content": content, "extractor_version": EXTRACTOR_VERSION,
        "snapshot_id": n, "created_at": seen, "detected_at": seen,
    }  # fmt: skip
    change = {
        "id": n, "document_id": n, "kind": ChangeKind.NEW, "from_version_id": None,
        "to_version_id": n, "diff": [], "is_silent": True, "reason": "baseline",
        "detected_at": seen,
    }  # fmt: skip
    return document, snapshot, version, change


def _content(url: str, path: str, kind: str, day: date, n: int) -> dict[str, Any]:
    return {
        "url": url,
        "doc_id": Path(path).stem,
        "kind": kind,
        "language": "en",
        "title": f"Foreign Ministers' Meeting (document {n})",
        "date": day.isoformat(),
        "body": [_BODY.format(day=day.isoformat(), n=n)] * 4,
        "topics": [],
        "placeholder": False,
    }


def _http_date(file: Path) -> str:
    return email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)
