"""Store replayed captures the way the crawl stores responses (storage.ingest_batch).

A batch is extracted outside any transaction and stored in one; a capture whose
(url, fetch time, body) is already stored is skipped, which makes replaying a
source twice a no-op.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from crawler.contract import Language, path_language
from crawler.extract.current import current_extractor
from crawler.extract.listing import is_index_page
from crawler.headers import charset_of
from monitor.replay.sources import BodyReader, Capture, header
from storage.db import DbSession, SessionFactory, unit_of_work
from storage.ingest import BatchItem, Extractor, IngestResult, Outcome, extract_items
from storage.ingest_batch import store_batch
from storage.replaying import SnapshotKey, stored_snapshot_keys
from storage.snapshots import FetchRecord

logger = logging.getLogger(__name__)

SOURCE_NAME = "replay"
ALREADY_STORED = "already_stored"
UNREADABLE = "unreadable"  # read when collected, not when replayed
OLDER_THAN_STORED = "older_than_stored"  # the database already has later fetches
# Captures per batch: each batch is extracted with no transaction open, then stored
# in one. Fewer, larger batches spend less on queries and commits per page; a
# killed replay redoes at most one batch (replay is idempotent).
BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class ReplayLine:
    """What happened to one capture."""

    url: str
    fetched_at: datetime
    outcome: str  # an Outcome value, or "already_stored"
    seq: int | None = None
    error: str | None = None

    def describe(self) -> str:
        if self.outcome == Outcome.NEW_VERSION:
            what = f"new version {self.seq}"
        elif self.error:
            what = f"{self.outcome}: {self.error}"
        else:
            what = self.outcome.replace("_", " ")
        return f"{self.fetched_at.isoformat()} {self.url}: {what}"


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    lines: tuple[ReplayLine, ...]
    counts: dict[str, int] = field(default_factory=dict)


def fetch_record(capture: Capture) -> FetchRecord:
    content_type = header(capture, "content-type")
    charset = charset_of(content_type)
    return FetchRecord(
        url=capture.url,
        fetched_at=capture.fetched_at,
        status=capture.status,
        body=capture.body,
        final_url=capture.final_url,
        etag=header(capture, "etag"),
        last_modified=header(capture, "last-modified"),
        charset=charset,
        content_type=content_type,
        source=SOURCE_NAME,
    )


def _is_detail(capture: Capture, languages: tuple[Language, ...]) -> bool:
    """Documents as the crawl finds them: the recorded role, else an address of a
    known page-id family in a configured edition. Section lists, monthly archives
    and other pages a mirror holds (statement lists, pages of an edition not
    configured) are stored as snapshots only, as live."""
    if capture.role is not None:
        return capture.role == "detail"
    if path_language(urlsplit(capture.url).path) not in languages:
        return False
    return not is_index_page(capture.url)  # the crawl's rule


def _key(capture: Capture) -> SnapshotKey:
    # Storage keeps the body of a 200 only (storage.ingest): a recorded 404 page
    # matches its snapshot without one.
    body = capture.body if capture.status == 200 else None
    digest = None if body is None else hashlib.sha256(body).hexdigest()
    return capture.url[:512], capture.fetched_at, digest


def stored_keys(session: DbSession, captures: Sequence[Capture]) -> set[SnapshotKey]:
    """(url, fetched_at, body sha256) of the snapshots these captures may repeat.

    Replay is idempotent by this key; one query per batch instead of one per record.
    """
    return stored_snapshot_keys(session, (c.url[:512] for c in captures))


def ingest_captures(
    factory: SessionFactory,
    captures: Sequence[Capture],
    *,
    run_id: int | None = None,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
    languages: tuple[Language, ...] = tuple(Language),
    extractor: Extractor | None = None,
) -> ReplayOutcome:
    """Store every capture as the crawl would, `batch_size` per transaction; pages
    of an edition outside `languages` are kept as snapshots only, as the crawl
    never takes them for documents. `extractor`: the current one unless given."""
    lines: list[ReplayLine] = []
    chosen = extractor or current_extractor()
    with BodyReader() as reader:
        for start in range(0, len(captures), batch_size):
            batch = captures[start : start + batch_size]
            lines += _ingest_batch(factory, reader, batch, run_id, languages, chosen)
            if on_progress is not None:
                on_progress(min(batch_size, len(captures) - start))
    counts = Counter(line.outcome for line in lines)
    return ReplayOutcome(tuple(lines), dict(counts))


def _load(reader: BodyReader, capture: Capture) -> Capture | ReplayLine:
    try:
        return reader.load(capture)
    except (OSError, ValueError) as exc:
        # Read once already: the file changed or vanished while the replay ran.
        logger.warning("cannot read %s again: %s", capture.origin, exc)
        return ReplayLine(capture.url, capture.fetched_at, UNREADABLE, error=str(exc))


def _ingest_batch(
    factory: SessionFactory,
    reader: BodyReader,
    captures: Sequence[Capture],
    run_id: int | None,
    languages: tuple[Language, ...],
    extractor: Extractor,
) -> list[ReplayLine]:
    loaded = [_load(reader, c) for c in captures]
    lines: dict[int, ReplayLine] = {
        n: c for n, c in enumerate(loaded) if isinstance(c, ReplayLine)
    }
    batch = {n: c for n, c in enumerate(loaded) if isinstance(c, Capture)}
    # Captures already stored are not extracted again: a second replay is cheap.
    with unit_of_work(factory) as session:
        lines |= _skip_stored(session, batch)
    wanted = {n: c for n, c in batch.items() if n not in lines}
    # Extraction, the long part, holds no transaction: readers are not held up.
    items = {
        n: BatchItem(fetch_record(c), c.fetched_at, _is_detail(c, languages))
        for n, c in wanted.items()
    }
    extract_items(list(items.values()), extractor)
    with unit_of_work(factory) as session:
        # Another replay of the same source may have stored some of them meanwhile.
        lines |= _skip_stored(session, wanted)
        stored = [n for n in items if n not in lines]
        results = store_batch(
            session,
            [items[n] for n in stored],
            extractor_version=extractor.version,
            run_id=run_id,
        )
    for n, result in zip(stored, results, strict=True):
        lines[n] = _line(wanted[n], result)
    return [lines[n] for n in range(len(captures))]


def _skip_stored(
    session: DbSession, captures: Mapping[int, Capture]
) -> dict[int, ReplayLine]:
    """The captures (by position) that must not be stored, and why."""
    seen = stored_keys(session, list(captures.values()))
    newest: dict[str, datetime] = {}
    for url, when, _ in seen:
        newest[url] = max(when, newest.get(url, when))
    skipped: dict[int, ReplayLine] = {}
    for n, capture in captures.items():
        key = _key(capture)
        if key in seen:
            outcome = ALREADY_STORED
        elif capture.fetched_at < newest.get(key[0], capture.fetched_at):
            # A version is appended after the newest one: an older capture would
            # pose as the current content (and alert as an edit). History grows
            # forwards only; replay older captures into an empty database.
            outcome = OLDER_THAN_STORED
        else:
            seen.add(key)
            newest[key[0]] = capture.fetched_at
            continue
        skipped[n] = ReplayLine(capture.url, capture.fetched_at, outcome)
    return skipped


def _line(capture: Capture, result: IngestResult) -> ReplayLine:
    seq = result.record.seq if result.record is not None else None
    return ReplayLine(
        capture.url, capture.fetched_at, str(result.outcome), seq, result.error
    )
