"""What one crawl fetches, decided from the database before the first request.

Entry pages every cycle; monthly archives when new, recent or due for a weekly check
(every cycle while a baseline is open, so an interrupted one resumes where it
stopped); known documents when crawler.revisit says so, most overdue first and at
most the run's revisit budget. All with the newest validators.

The database is asked only for what is due (storage.frontier): the documents fetched
since the last plan are scheduled first, then the due ones read from an index.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from crawler.contract import (
    ENTRY_PAGES,
    JAPANESE_PREFIX,
    OPTIONAL_ENTRY_PAGES,
    Language,
    entry_paths,
    path_language,
)
from crawler.extract import listing
from crawler.revisit import RevisitPolicy, RevisitState, next_due, staggered_slot
from storage.cycles import baseline_open
from storage.db import DbSession, SessionFactory, unit_of_work
from storage.frontier import (
    DueScope,
    Unscheduled,
    count_due,
    due_urls,
    known_among,
    schedule_documents,
    unscheduled_documents,
)
from storage.index_pages import archive_fetches, newest_answer, newest_body
from storage.snapshots import validators_for
from storage.vocabulary import DocumentState

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
    backlog: int = 0  # due revisits left for later cycles by the budget
    in_baseline: bool = False
    known_urls: set[str] = field(default_factory=set)  # known documents seen so far
    taken: set[str] = field(default_factory=set)  # new documents requested
    deferred: set[str] = field(default_factory=set)  # new, left for a later cycle

    def take_new(self, url: str, baseline_budget: int | None) -> bool:
        """Whether to request this new document now; a baseline takes at most its
        budget per crawl and leaves the rest (still unknown) to the next cycles."""
        if url in self.taken:
            return True
        limited = self.in_baseline and baseline_budget is not None
        if limited and len(self.taken) >= (baseline_budget or 0):
            self.deferred.add(url)
            return False
        self.taken.add(url)
        return True

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
    """New archives, this and last month's, and a weekly sweep of the rest (each
    archive on its own staggered slot, so the sweep is spread over the week)."""
    if not archive_in_scope(link, policy.since):
        return False
    if last_fetched_at is None or not policy.recheck:
        return True
    previous = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    if (link.year, link.month) >= previous:
        return True
    return now >= staggered_slot(last_fetched_at, policy.recheck, link.url)


def load_plan(
    factory: SessionFactory,
    *,
    base_url: str,
    sections: Iterable[str],
    now: datetime,
    revisit: RevisitPolicy,
    archives: ArchivePolicy,
    budget: int | None = None,
    languages: tuple[Language, ...] = (Language.EN,),
) -> CrawlPlan:
    """Read what is due and decide the start requests of this crawl.

    Only pages of the configured editions are requested: nothing under /mofaj/
    without "ja", nothing else without "en".
    """
    plan = CrawlPlan(languages=languages)
    wanted = [s for s in sections if s in ENTRY_PAGES]
    with unit_of_work(factory) as session:
        plan.in_baseline = baseline_open(session)
        if plan.in_baseline:
            archives = dataclasses.replace(archives, recheck=timedelta(0))
        for section in wanted:
            for path in entry_paths(section, languages):
                url = base_url + path
                if path not in OPTIONAL_ENTRY_PAGES or _optional_due(
                    session, url, now, archives.recheck
                ):
                    plan.entry_pages[url] = section
        _plan_archives(session, plan, base_url, wanted, now, archives)
        _plan_revisits(session, plan, base_url, now, revisit, budget)
        urls = [*plan.entry_pages, *plan.archives, *plan.revisits]
        plan.validators = validators_for(session, urls)
    return plan


def stored_body(factory: SessionFactory, url: str) -> bytes | None:
    """The newest stored 200 body of a page (an index page that answered 304)."""
    with unit_of_work(factory) as session:
        return newest_body(session, url)


def _optional_due(
    session: DbSession, url: str, now: datetime, recheck: timedelta
) -> bool:
    latest = newest_answer(session, url)
    if latest is None or latest[0] not in (404, 410):
        return True
    return now - latest[1] >= recheck


def _plan_archives(
    session: DbSession,
    plan: CrawlPlan,
    base_url: str,
    sections: list[str],
    now: datetime,
    policy: ArchivePolicy,
) -> None:
    rows = archive_fetches(session, base_url)
    for url, fetched_at in rows:
        link = listing.archive_link(url)
        if link is None or ARCHIVE_SECTIONS[link.is_conference] not in sections:
            continue
        if not plan.in_scope(url, base_url):
            continue
        plan.known_archives.add(url)
        if archive_due(link, fetched_at, now, policy):
            plan.archives[url] = ARCHIVE_SECTIONS[link.is_conference]


def unknown_documents(
    factory: SessionFactory | None, plan: CrawlPlan, urls: Sequence[str]
) -> list[str]:
    """The listed document URLs the database does not know (asked per index page)."""
    fresh = [url for url in dict.fromkeys(urls) if url not in plan.known_urls]
    if factory is not None and fresh:
        with unit_of_work(factory) as session:
            known = known_among(session, fresh)
        plan.known_urls |= known
        fresh = [url for url in fresh if url not in known]
    return fresh


def _plan_revisits(
    session: DbSession,
    plan: CrawlPlan,
    base_url: str,
    now: datetime,
    policy: RevisitPolicy,
    budget: int | None,
) -> None:
    """Schedule what was fetched since the last plan; take the most overdue due
    documents of the configured editions."""
    pending = unscheduled_documents(session)
    schedule_documents(
        session,
        ((row.id, next_due(_state(row, now), now, policy, row.url)) for row in pending),
    )
    japanese = base_url + JAPANESE_PREFIX
    if Language.JA not in plan.languages:
        scope = DueScope(outside=japanese)
    elif Language.EN not in plan.languages:
        scope = DueScope(within=japanese)
    else:
        scope = DueScope()
    plan.revisits = due_urls(session, now, budget, scope)
    if budget is not None and len(plan.revisits) >= budget:
        plan.backlog = count_due(session, now) - len(plan.revisits)


def _state(row: Unscheduled, now: datetime) -> RevisitState:
    attention = row.state is not DocumentState.REMOVED and (
        bool(row.missing_count)
        or row.last_status in _ATTENTION_STATUSES
        or (row.last_status or 0) >= 500
        or row.state is DocumentState.BLOCKED
    )
    return RevisitState(
        first_seen_at=row.first_seen_at,
        last_fetched_at=row.last_fetched_at,
        is_placeholder=row.is_placeholder,
        published_on=_iso_date(row.date),
        needs_attention=attention,
    )


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
