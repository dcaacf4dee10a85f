"""What one crawl fetches, decided from the database before the first request.

Entry pages every cycle; monthly archives when new, recent or due for a weekly check;
known documents when crawler.revisit says so. All with the newest validators.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from crawler.contract import (
    ENTRY_PAGES,
    OPTIONAL_ENTRY_PAGES,
    Language,
    entry_paths,
    path_language,
)
from crawler.extract import listing
from crawler.revisit import RevisitPolicy, RevisitState, is_due
from storage.db import unit_of_work
from storage.documents import known_documents
from storage.models import Document, DocumentState, Snapshot
from storage.snapshots import load_body, validators_for

logger = logging.getLogger(__name__)

ARCHIVE_SECTIONS = {False: "press_releases", True: "press_conferences"}
_ATTENTION_STATUSES = (403, 404, 410, 429)


@dataclass(frozen=True, slots=True)
class ArchivePolicy:
    since: tuple[int, int]  # (year, month): archives before it are out of scope
    recheck: timedelta = timedelta(days=7)


@dataclass
class CrawlPlan:
    """URLs to request at the start, their validators, and what is already known."""

    entry_pages: dict[str, str] = field(default_factory=dict)  # url -> section
    archives: dict[str, str] = field(default_factory=dict)  # url -> section (due now)
    known_archives: set[str] = field(default_factory=set)
    revisits: list[str] = field(default_factory=list)
    known_urls: set[str] = field(default_factory=set)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    languages: tuple[Language, ...] = (Language.EN,)

    def in_scope(self, url: str, base_url: str) -> bool:
        """True when the page belongs to a configured edition of the site."""
        return path_language(url.removeprefix(base_url)) in self.languages


def crawl_now(fixed: str | None) -> datetime:
    """The crawl's clock: CRAWL_NOW when set (tests, benchmarks), else the real time."""
    if not fixed:
        return datetime.now(UTC)
    value = datetime.fromisoformat(fixed)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def archive_in_scope(link: listing.ArchiveLink, since: tuple[int, int]) -> bool:
    return (link.year, link.month) >= since


def archive_due(
    link: listing.ArchiveLink,
    last_fetched_at: datetime | None,
    now: datetime,
    policy: ArchivePolicy,
) -> bool:
    """New archives, this and last month's, and a weekly sweep of the rest."""
    if not archive_in_scope(link, policy.since):
        return False
    if last_fetched_at is None:
        return True
    previous = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    if (link.year, link.month) >= previous:
        return True
    return now - last_fetched_at >= policy.recheck


def load_plan(
    factory: sessionmaker[Session],
    *,
    base_url: str,
    sections: Iterable[str],
    now: datetime,
    revisit: RevisitPolicy,
    archives: ArchivePolicy,
    languages: tuple[Language, ...] = (Language.EN,),
) -> CrawlPlan:
    """Read the database once and decide the start requests of this crawl.

    Only pages of the configured editions are requested: nothing under /mofaj/
    without "ja", nothing else without "en".
    """
    plan = CrawlPlan(languages=languages)
    wanted = [s for s in sections if s in ENTRY_PAGES]
    with unit_of_work(factory) as session:
        for section in wanted:
            for path in entry_paths(section, languages):
                url = base_url + path
                if path not in OPTIONAL_ENTRY_PAGES or _optional_due(
                    session, url, now, archives.recheck
                ):
                    plan.entry_pages[url] = section
        _plan_archives(session, plan, base_url, wanted, now, archives)
        _plan_revisits(session, plan, base_url, now, revisit)
        urls = [*plan.entry_pages, *plan.archives, *plan.revisits]
        plan.validators = validators_for(session, urls)
    return plan


def stored_body(factory: sessionmaker[Session], url: str) -> bytes | None:
    """The newest stored 200 body of a page (an index page that answered 304)."""
    with unit_of_work(factory) as session:
        snapshot = session.scalars(
            select(Snapshot)
            .where(Snapshot.url == url, Snapshot.status == 200)
            .where(Snapshot.body_sha256.is_not(None))
            .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
            .limit(1)
        ).first()
        return load_body(session, snapshot) if snapshot is not None else None


def _optional_due(
    session: Session, url: str, now: datetime, recheck: timedelta
) -> bool:
    latest = session.execute(
        select(Snapshot.status, Snapshot.fetched_at)
        .where(Snapshot.url == url)
        .order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest[0] not in (404, 410):
        return True
    fetched_at = _aware(latest[1])
    return fetched_at is None or now - fetched_at >= recheck


def _plan_archives(
    session: Session,
    plan: CrawlPlan,
    base_url: str,
    sections: list[str],
    now: datetime,
    policy: ArchivePolicy,
) -> None:
    rows = session.execute(
        select(Snapshot.url, func.max(Snapshot.fetched_at))
        .where(
            or_(
                Snapshot.url.like(base_url + "/press/%_index.html"),
                Snapshot.url.like(base_url + "/mofaj/press/%_index.html"),
            )
        )
        .where(Snapshot.status.in_((200, 304)))
        .group_by(Snapshot.url)
    ).all()
    for url, fetched_at in rows:
        link = listing.archive_link(url)
        if link is None or ARCHIVE_SECTIONS[link.is_conference] not in sections:
            continue
        if not plan.in_scope(url, base_url):
            continue
        plan.known_archives.add(url)
        if archive_due(link, _aware(fetched_at), now, policy):
            plan.archives[url] = ARCHIVE_SECTIONS[link.is_conference]


def _plan_revisits(
    session: Session,
    plan: CrawlPlan,
    base_url: str,
    now: datetime,
    policy: RevisitPolicy,
) -> None:
    extra = {
        url: (published, missing, status)
        for url, published, missing, status in session.execute(
            select(
                Document.url,
                Document.date,
                Document.missing_count,
                Document.last_status,
            )
        )
    }
    for known in known_documents(session):
        plan.known_urls.add(known.url)
        published, missing, status = extra.get(known.url, (None, 0, None))
        state = RevisitState(
            first_seen_at=_aware(known.first_seen_at) or now,
            last_fetched_at=_aware(known.last_fetched_at),
            is_placeholder=known.is_placeholder,
            published_on=_iso_date(published),
            needs_attention=known.state is not DocumentState.REMOVED
            and (
                bool(missing)
                or status in _ATTENTION_STATUSES
                or (status or 0) >= 500
                or known.state is DocumentState.BLOCKED
            ),
        )
        if is_due(state, now, policy) and plan.in_scope(known.url, base_url):
            plan.revisits.append(known.url)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
