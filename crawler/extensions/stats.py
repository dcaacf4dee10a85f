"""The crawl's statistics: counted in Scrapy's stats collector, reported as CrawlStats.

The pipeline counts each fetch here (count_index, count_fetch, count_problem); the
CrawlReporter extension sends Progress events while the crawl runs and, when the
spider closes, the one CrawlStats record the parent stores and reads.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from twisted.internet import task

from crawler import logevents
from crawler.contract import (
    CrawlStats,
    ExtractErrorUrl,
    IndexResult,
    Progress,
    ProgressEvent,
    StatsEvent,
    entry_paths,
)
from crawler.items import FetchedPage, FetchProblem, PageRole
from crawler.settings import run_of
from storage.ingest import Outcome
from storage.vocabulary import SectionState

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

PREFIX = "mofawatch/"
INDEX_PREFIX = PREFIX + "index/"  # + section + "/" + IndexResult
EXTRACT_ERRORS_KEY = PREFIX + "extract_error_urls"
MAX_LISTED_ERRORS = 50

_OUTCOME_KEYS = {
    Outcome.NEW_VERSION: "new_versions",
    Outcome.UNCHANGED: "unchanged",
    Outcome.NOT_MODIFIED: "detail_not_modified",
    Outcome.EXTRACT_FAILED: "extract_errors",
    # Pages the extractor no longer understands count toward layout drift.
    Outcome.SUSPECT: "extract_errors",
    Outcome.STILL_UNRECOGNIZED: "extract_errors",
    Outcome.MISSING: "missing",
    Outcome.BLOCKED: "blocked",
    Outcome.FAILED: "failed",
    # Any other status (400, 401, an unfollowed 3xx...) brought no content either.
    Outcome.IGNORED: "failed",
}
# Failed fetches counted by cause as well (beside failed / index_failed).
_PROBLEM_KEYS = {
    FetchProblem.TOO_LARGE: "too_large",
    FetchProblem.REDIRECT_LOOP: "redirect_loops",
    FetchProblem.OFF_HOST_REDIRECT: "refused_redirects",
}


def index_result(page: FetchedPage) -> IndexResult:
    """What one index page fetch says about its section."""
    if page.is_blocked:
        return IndexResult.BLOCKED
    if page.problem is FetchProblem.ROBOTS_DISALLOWED:
        return IndexResult.DISALLOWED
    if page.is_failed:
        return IndexResult.FAILED
    if page.status in (404, 410):
        return IndexResult.MISSING
    return IndexResult.OK if page.status in (200, 304) else IndexResult.FAILED


def section_outcome(results: Iterable[IndexResult]) -> tuple[SectionState, str | None]:
    """ok if a list page answered and none failed; blocked if only blocks."""
    counts = Counter(results)
    if counts[IndexResult.FAILED]:
        return (
            SectionState.FAILING,
            f"{counts[IndexResult.FAILED]} index page(s) failed",
        )
    if counts[IndexResult.OK]:
        return SectionState.OK, None
    if counts[IndexResult.BLOCKED] and not counts[IndexResult.DISALLOWED]:
        blocked = counts[IndexResult.BLOCKED]
        return SectionState.BLOCKED, f"{blocked} index page(s) blocked"
    if set(counts) == {IndexResult.DISALLOWED}:
        return SectionState.FAILING, "robots.txt forbids every index page"
    if set(counts) == {IndexResult.MISSING}:
        return SectionState.FAILING, "every index page answered 'not found'"
    answered = ", ".join(sorted(set(counts))) or "nothing fetched"
    return SectionState.FAILING, f"no index page answered: {answered}"


def _inc(stats: StatsCollector, name: str, n: int = 1) -> None:
    stats.inc_value(PREFIX + name, n)


def count_index(stats: StatsCollector, page: FetchedPage) -> None:
    assert page.section is not None
    result = index_result(page)
    _inc(stats, "index_pages")
    _inc(stats, f"index_{result.value}")
    stats.inc_value(f"{INDEX_PREFIX}{page.section}/{result.value}")


def count_problem(stats: StatsCollector, page: FetchedPage) -> None:
    """A fetch with no answer about the page (time-out, reset, robots, too large,
    refused redirect, loop); index pages are counted by count_index."""
    if page.problem is FetchProblem.ROBOTS_DISALLOWED:
        _inc(stats, "robots_forbidden")
        return
    if page.problem in _PROBLEM_KEYS:
        _inc(stats, _PROBLEM_KEYS[page.problem])
    if page.role is PageRole.DETAIL:
        _inc(stats, "failed")


def count_fetch(
    stats: StatsCollector,
    page: FetchedPage,
    outcome: Outcome,
    *,
    new_document: bool,
    removed: bool,
    error: str | None,
) -> None:
    """A fetch that storage took in, with what storage made of it."""
    if page.problem is FetchProblem.SOFT_404:
        _inc(stats, "soft_404")
    if page.role is PageRole.INDEX:
        return
    _inc(stats, "detail_fetches")
    _inc(stats, _OUTCOME_KEYS[outcome])
    if new_document:
        _inc(stats, "new_documents")
    elif outcome is Outcome.NEW_VERSION:
        _inc(stats, "changed_documents")
    if removed:
        _inc(stats, "removed")
    if _OUTCOME_KEYS.get(outcome) == "extract_errors":
        listed: list[dict[str, str]] = stats.get_value(EXTRACT_ERRORS_KEY) or []
        if len(listed) < MAX_LISTED_ERRORS:
            listed.append({"url": page.url, "error": error or ""})
            stats.set_value(EXTRACT_ERRORS_KEY, listed)


class CrawlReporter:
    """Progress events while the crawl runs; the CrawlStats record at the end."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        run = run_of(crawler.settings)
        # A section without list pages in the configured editions (statements in
        # Japanese only) is not crawled, so not judged either.
        self.sections = tuple(s for s in run.sections if entry_paths(s, run.languages))
        self._last: Progress | None = None
        self._loop = task.LoopingCall(self.send_progress)
        self._every = run_of(crawler.settings).progress_seconds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        reporter = cls(crawler)
        crawler.signals.connect(reporter.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        return reporter

    def spider_opened(self) -> None:
        self._loop.start(self._every, now=False)

    def send_progress(self) -> None:
        progress = self.record().progress
        events = logevents.writer()
        if progress != self._last and events is not None:
            events.write(ProgressEvent(progress=progress))
        self._last = progress

    def spider_closed(self, reason: str) -> None:
        if self._loop.running:
            self._loop.stop()
        record = self.record(finish_reason=reason)
        logger.info("crawl finished (%s): %s", reason, record.progress.describe())
        events = logevents.writer()
        if events is not None:
            events.write(StatsEvent(stats=record))

    def record(self, finish_reason: str = "") -> CrawlStats:
        """The statistics so far as one typed record."""
        outcomes = {name: self._section(name) for name in self.sections}
        values: dict[str, Any] = {
            name: self._mine(name)
            for name in CrawlStats.model_fields
            if name not in _NOT_COUNTERS
        }
        values.update(
            requests=self._value("downloader/request_count"),
            responses=self._value("downloader/response_count"),
            not_modified=self._value("downloader/response_status_count/304"),
            bytes=self._value("downloader/response_bytes"),
            unchanged=self._mine("unchanged") + self._mine("detail_not_modified"),
            retries=self._value("retry/count") + self._value("retry_429/count"),
            robots_status=self._value("robotstxt/status"),
            extract_error_urls=tuple(
                ExtractErrorUrl(**e)
                for e in self.stats.get_value(EXTRACT_ERRORS_KEY) or []
            ),
            sections={name: state for name, (state, _e) in outcomes.items()},
            section_errors={name: e for name, (_s, e) in outcomes.items() if e},
            finish_reason=finish_reason,
        )
        return CrawlStats(**values)

    def _section(self, name: str) -> tuple[SectionState, str | None]:
        results: list[IndexResult] = []
        for result in IndexResult:
            results += [result] * self._value(f"{INDEX_PREFIX}{name}/{result.value}")
        state, error = section_outcome(results)
        robots = self._value("robotstxt/status")
        if robots and (robots >= 500 or robots == 429) and state is not SectionState.OK:
            error = f"robots.txt answered {robots}: nothing fetched"
        return state, error

    def _mine(self, name: str) -> int:
        return self._value(PREFIX + name)

    def _value(self, key: str) -> int:
        return int(self.stats.get_value(key, 0) or 0)


_NOT_COUNTERS = {"extract_error_urls", "sections", "section_errors", "finish_reason"}
