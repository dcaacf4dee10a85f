"""Replay saved responses through the live path: ingest_fetch, detect, dispatch.

Captures from every source are processed in capture-time order, so successive
captures of one page become its version history. Already-stored captures are skipped.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings
from monitor.replay_sources import (
    BodyReader,
    Capture,
    Problem,
    SourceKind,
    header,
    read_source,
    source_kind,
)
from monitor.scratch import scratch_database
from storage.db import open_database, unit_of_work, upgrade_database
from storage.ingest import IngestResult, Outcome, ingest_fetch
from storage.models import Alert, RunStatus, Snapshot
from storage.runs import finish_run, start_run
from storage.snapshots import FetchRecord

if TYPE_CHECKING:
    from monitor.notifiers.base import Notifier

logger = logging.getLogger(__name__)

SOURCE_NAME = "replay"
ALREADY_STORED = "already_stored"
UNREADABLE = "unreadable"  # read when collected, not when replayed
BATCH_SIZE = (
    100  # captures per transaction: one commit per record costs more than extract
)
Extractor = Callable[[bytes, str, str | None], Mapping[str, Any]]


def current_extractor() -> tuple[Extractor, str]:
    """The shared extractor as storage.ingest wants it, and its version."""
    from crawler.extract import EXTRACTOR_VERSION, extract

    def run(body: bytes, url: str, charset: str | None) -> Mapping[str, Any]:
        try:
            return extract(body, url, http_charset=charset).to_dict()
        except ValueError:
            raise
        except Exception as exc:
            # An extractor bug on one page must not abort a replay of thousands: it
            # is stored as that snapshot's extract error, like an unrecognized page.
            logger.warning("extractor crashed on %s", url, exc_info=True)
            raise ValueError(f"extractor crashed: {type(exc).__name__}: {exc}") from exc

    return run, EXTRACTOR_VERSION


@dataclass(frozen=True, slots=True)
class Collected:
    """Captures of every source in capture-time order, and what could not be read."""

    captures: tuple[Capture, ...]
    problems: tuple[Problem, ...]
    ignored: int  # non-page WARC responses (robots.txt, images, CSS)


def check_sources(paths: Sequence[str]) -> list[tuple[Path, SourceKind]]:
    """Kinds of the SOURCE arguments; SourceError names the first bad one."""
    return [(Path(p), source_kind(Path(p))) for p in paths]


def collect(sources: Iterable[tuple[Path, SourceKind]], base_url: str) -> Collected:
    captures: list[Capture] = []
    problems: list[Problem] = []
    ignored = 0
    for path, kind in sources:
        for item in read_source(path, kind, base_url):
            if isinstance(item, Problem):
                logger.warning("skipped %s", item)
                problems.append(item)
            elif not item.is_page:
                ignored += 1
            else:
                captures.append(item)
    captures.sort(key=lambda c: c.fetched_at)  # stable: file order breaks ties
    return Collected(tuple(captures), tuple(problems), ignored)


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
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip()
        charset = charset.strip("\"'") or None
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


def is_index_url(url: str) -> bool:
    """Section lists and monthly archives are stored as snapshots only, as live."""
    path = urlsplit(url).path
    return path.endswith("/") or path.rsplit("/", 1)[-1].endswith("index.html")


def _is_detail(capture: Capture) -> bool:
    if capture.role is not None:
        return capture.role == "detail"
    return not is_index_url(capture.url)


StoredKey = tuple[str, datetime, str | None]


def _key(capture: Capture) -> StoredKey:
    digest = None if capture.body is None else hashlib.sha256(capture.body).hexdigest()
    return capture.url[:512], capture.fetched_at, digest


def stored_keys(session: Session, captures: Sequence[Capture]) -> set[StoredKey]:
    """(url, fetched_at, body sha256) of the snapshots these captures may repeat.

    Replay is idempotent by this key; one query per batch instead of one per record.
    """
    urls = sorted({c.url[:512] for c in captures})
    stmt = select(Snapshot.url, Snapshot.fetched_at, Snapshot.body_sha256).where(
        Snapshot.url.in_(urls)
    )
    return {(u, _utc(when), sha) for u, when, sha in session.execute(stmt)}


def _utc(when: datetime) -> datetime:
    # SQLite hands back naive datetimes: they were stored as UTC.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def ingest_captures(
    factory: sessionmaker[Session],
    captures: Sequence[Capture],
    *,
    run_id: int | None = None,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> ReplayOutcome:
    """Store every capture as the crawl would, `batch_size` per transaction."""
    lines: list[ReplayLine] = []
    with BodyReader() as reader:
        for start in range(0, len(captures), batch_size):
            batch = captures[start : start + batch_size]
            lines += _ingest_batch(factory, reader, batch, run_id)
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
    factory: sessionmaker[Session],
    reader: BodyReader,
    captures: Sequence[Capture],
    run_id: int | None,
) -> list[ReplayLine]:
    extractor, version = current_extractor()
    lines: list[ReplayLine] = []
    loaded = [_load(reader, c) for c in captures]
    batch = [c for c in loaded if isinstance(c, Capture)]
    lines += [c for c in loaded if isinstance(c, ReplayLine)]
    with unit_of_work(factory) as session:
        seen = stored_keys(session, batch)
        for capture in batch:
            key = _key(capture)
            if key in seen:
                lines.append(
                    ReplayLine(capture.url, capture.fetched_at, ALREADY_STORED)
                )
                continue
            seen.add(key)
            lines.append(_ingest_one(session, capture, extractor, version, run_id))
    return lines


def _ingest_one(
    session: Session,
    capture: Capture,
    extractor: Extractor,
    version: str,
    run_id: int | None,
) -> ReplayLine:
    result: IngestResult = ingest_fetch(
        session,
        fetch_record(capture),
        extractor=extractor,
        extractor_version=version,
        now=capture.fetched_at,
        run_id=run_id,
        is_detail=_is_detail(capture),
    )
    seq = result.record.seq if result.record is not None else None
    return ReplayLine(
        capture.url, capture.fetched_at, str(result.outcome), seq, result.error
    )


def newest_alert_id(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as session:
        return int(session.scalar(select(func.max(Alert.id))) or 0)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """Everything a replay did (or, dry run, would do)."""

    lines: tuple[ReplayLine, ...]
    counts: dict[str, int]
    problems: tuple[Problem, ...]
    ignored: int
    changes: int
    alerts_queued: int
    planned: tuple[tuple[str, str], ...] = ()  # (channel, subject) a dry run would send
    sent: int = 0
    dry_run: bool = False


def replay(
    settings: Settings,
    collected: Collected,
    now: datetime,
    *,
    alerts: bool = False,
    dry_run: bool = False,
    notifiers: Mapping[str, Notifier] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Replay the captures into the configured database (a scratch copy when dry)."""
    if dry_run:
        with scratch_database(settings.database_url) as factory:
            return _replay_into(
                factory,
                settings,
                collected,
                now,
                alerts=alerts,
                dry_run=True,
                notifiers=notifiers,
                on_progress=on_progress,
            )
    upgrade_database(settings.database_url)
    factory = open_database(settings.database_url)
    try:
        return _replay_into(
            factory,
            settings,
            collected,
            now,
            alerts=alerts,
            dry_run=False,
            notifiers=notifiers,
            on_progress=on_progress,
        )
    finally:
        bind = factory.kw.get("bind")
        if bind is not None:
            bind.dispose()


def _replay_into(
    factory: sessionmaker[Session],
    settings: Settings,
    collected: Collected,
    now: datetime,
    *,
    alerts: bool,
    dry_run: bool,
    notifiers: Mapping[str, Notifier] | None,
    on_progress: Callable[[int], None] | None,
) -> ReplayReport:
    from monitor.detect import detect_changes
    from monitor.dispatch import dispatch_due

    first_new_alert = newest_alert_id(factory) + 1
    with unit_of_work(factory) as session:
        run_id = start_run(session, now, kind=SOURCE_NAME)
    outcome = ingest_captures(
        factory, collected.captures, run_id=run_id, on_progress=on_progress
    )
    # A dry run always detects loudly: its report says what --alerts would send.
    detected = detect_changes(factory, settings, now, silent=not (alerts or dry_run))
    planned: tuple[tuple[str, str], ...] = ()
    sent = 0
    if dry_run:
        plan = dispatch_due(factory, settings, now, notifiers={}, dry_run=True).planned
        planned = tuple(
            (p.channel, p.subject)
            for p in plan
            if any(i >= first_new_alert for i in p.alert_ids)
        )
    elif alerts:
        sent = dispatch_due(factory, settings, now, notifiers=notifiers).sent
    stats = {
        "replay": {
            **outcome.counts,
            "problems": len(collected.problems),
            "ignored": collected.ignored,
            "changes": detected.changes,
            "alerts": detected.alerts,
        }
    }
    failed = bool(collected.problems)
    with unit_of_work(factory) as session:
        finish_run(
            session,
            run_id,
            now,
            status=RunStatus.FAILED if failed else RunStatus.OK,
            exit_code=1 if failed else 0,
            stats=stats,
        )
    return ReplayReport(
        lines=outcome.lines,
        counts=outcome.counts,
        problems=collected.problems,
        ignored=collected.ignored,
        changes=detected.changes,
        alerts_queued=detected.alerts,
        planned=planned,
        sent=sent,
        dry_run=dry_run,
    )
