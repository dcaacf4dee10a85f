"""Store every fetch through storage.ingest, count outcomes, and report at spider close.

Each item is its own unit of work; at close the statistics go to runs.stats["crawl"]
and each section's health to storage.sections.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import select

from crawler.items import FetchedPage, FetchProblem, PageRole
from crawler.plan import crawl_now
from storage.db import open_database, unit_of_work
from storage.ingest import IngestResult, Outcome, ingest_fetch
from storage.models import Document, DocumentState
from storage.runs import update_run_stats
from storage.sections import record_section_outcome
from storage.snapshots import FetchRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

MAX_LISTED_ERRORS = 50


def extract_document(body: bytes, url: str, charset: str | None) -> Mapping[str, Any]:
    """The shared extractor as storage.ingest wants it: a Document dict."""
    from crawler.extract.extractor import extract

    return extract(body, url, http_charset=charset).to_dict()


def extractor_version() -> str:
    from crawler.extract.extractor import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def index_result(page: FetchedPage) -> str:
    """ok | missing | blocked | failed | disallowed for one index page fetch."""
    if page.is_blocked:
        return "blocked"
    if page.problem is FetchProblem.ROBOTS_DISALLOWED:
        return "disallowed"
    if page.is_failed:
        return "failed"
    if page.status in (404, 410):
        return "missing"
    return "ok" if page.status in (200, 304) else "failed"


def section_outcome(results: list[str]) -> tuple[str, str | None]:
    """ok if a list page answered and none failed; blocked if only blocks."""
    counts = Counter(results)
    if counts["failed"]:
        return "failed", f"{counts['failed']} index page(s) failed"
    if counts["ok"]:
        return "ok", None
    if counts["blocked"] and not counts["disallowed"]:
        return "blocked", f"{counts['blocked']} index page(s) blocked"
    return "failed", "no index page answered: " + ", ".join(sorted(set(results)))


class StoreFetchPipeline:
    """FetchedPage -> storage.ingest.ingest_fetch, one transaction per item."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.factory: sessionmaker[Session] | None = None
        self.run_id: int | None = crawler.settings.getint("RUN_ID") or None
        self.counts: Counter[str] = Counter()
        self.index_results: dict[str, list[str]] = defaultdict(list)
        self.extract_errors: list[dict[str, str]] = []
        self.version = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.factory = open_database(self.crawler.settings.get("DATABASE_URL"))
        self.version = extractor_version()
        for section in self.crawler.settings.get("SITE_SECTIONS").split(","):
            self.index_results.setdefault(section.strip(), [])

    def process_item(self, item: FetchedPage) -> FetchedPage:
        if item.role is PageRole.INDEX and item.section:
            self.counts["index_pages"] += 1
            result = index_result(item)
            self.index_results[item.section].append(result)
            self.counts[f"index_{result}"] += 1
        if item.status == 0:
            self._count_problem(item)
            return item
        outcome, removed = self._ingest(item)
        self._count(item, outcome, removed)
        return item

    def _ingest(self, item: FetchedPage) -> tuple[IngestResult, bool]:
        assert self.factory is not None
        fetch = FetchRecord(
            url=item.url,
            fetched_at=item.fetched_at,
            status=item.status,
            body=item.body,
            etag=item.etag,
            last_modified=item.last_modified,
            final_url=item.final_url,
            charset=item.charset,
            content_type=item.content_type,
        )
        with unit_of_work(self.factory) as session:
            was_removed = _is_removed(session, item.url)
            result = ingest_fetch(
                session,
                fetch,
                extractor=extract_document,
                extractor_version=self.version,
                now=item.fetched_at,
                run_id=self.run_id,
                is_detail=item.role is PageRole.DETAIL,
            )
            removed = (
                result.outcome is Outcome.MISSING
                and not was_removed
                and _is_removed(session, item.url)
            )
        return result, removed

    def _count(self, item: FetchedPage, result: IngestResult, removed: bool) -> None:
        if item.problem is FetchProblem.OFF_HOST_REDIRECT:
            self.counts["refused_redirects"] += 1
        if item.role is PageRole.INDEX:
            return
        self.counts["detail_fetches"] += 1
        outcome = result.outcome
        if result.record is not None and result.record.is_new_document:
            self.counts["new_documents"] += 1
        key = {
            Outcome.NEW_VERSION: "new_versions",
            Outcome.UNCHANGED: "unchanged",
            Outcome.NOT_MODIFIED: "detail_not_modified",
            Outcome.EXTRACT_FAILED: "extract_errors",
            Outcome.MISSING: "missing",
            Outcome.BLOCKED: "blocked",
            Outcome.FAILED: "failed",
        }.get(outcome, "ignored")
        self.counts[key] += 1
        self.counts["removed"] += int(removed)
        if (
            outcome is Outcome.EXTRACT_FAILED
            and len(self.extract_errors) < MAX_LISTED_ERRORS
        ):
            self.extract_errors.append({"url": item.url, "error": result.error or ""})

    def _count_problem(self, item: FetchedPage) -> None:
        if item.problem is FetchProblem.ROBOTS_DISALLOWED:
            self.counts["robots_forbidden"] += 1
        elif item.role is PageRole.DETAIL:
            self.counts["failed"] += 1

    def close_spider(self) -> None:
        if self.factory is None:
            return
        stats = self.crawl_stats()
        now = crawl_now(self.crawler.settings.get("CRAWL_NOW"))
        with unit_of_work(self.factory) as session:
            for name, (outcome, error) in self._section_outcomes().items():
                record_section_outcome(session, name, outcome, now, error)
            if self.run_id is not None:
                update_run_stats(session, self.run_id, {"crawl": stats})
        logger.info("crawl stats: %s", {k: v for k, v in stats.items() if v})
        self.factory.kw["bind"].dispose()

    def _section_outcomes(self) -> dict[str, tuple[str, str | None]]:
        robots = self._stat("robotstxt/status")
        outcomes = {}
        for name, results in self.index_results.items():
            outcome, error = section_outcome(results)
            if robots and (robots >= 500 or robots == 429) and outcome != "ok":
                error = f"robots.txt answered {robots}: nothing fetched"
            outcomes[name] = (outcome, error)
        return outcomes

    def crawl_stats(self) -> dict[str, Any]:
        """The crawl statistics written to runs.stats["crawl"] for the cycle to read."""
        c = self.counts
        sections = {name: o for name, (o, _e) in self._section_outcomes().items()}
        return {
            "requests": self._stat("downloader/request_count"),
            "responses": self._stat("downloader/response_count"),
            "not_modified": self._stat("downloader/response_status_count/304"),
            "bytes": self._stat("downloader/response_bytes"),
            "index_pages": c["index_pages"],
            "index_blocked": c["index_blocked"],
            "index_failed": c["index_failed"],
            "index_missing": c["index_missing"],
            "detail_fetches": c["detail_fetches"],
            "new_documents": c["new_documents"],
            "new_versions": c["new_versions"],
            "unchanged": c["unchanged"] + c["detail_not_modified"],
            "extract_errors": c["extract_errors"],
            "extract_error_urls": self.extract_errors,
            "missing": c["missing"],
            "removed": c["removed"],
            "blocked": c["blocked"],
            "failed": c["failed"],
            "retries": self._stat("retry/count") + self._stat("retry_429/count"),
            "refused_redirects": c["refused_redirects"],
            "robots_forbidden": c["robots_forbidden"],
            "robots_status": self._stat("robotstxt/status"),
            "sections": sections,
            "all_index_blocked": bool(sections)
            and all(o == "blocked" for o in sections.values()),
        }

    def _stat(self, key: str) -> int:
        assert self.crawler.stats is not None
        return int(self.crawler.stats.get_value(key, 0) or 0)


def _is_removed(session: Session, url: str) -> bool:
    state = session.scalar(select(Document.state).where(Document.url == url))
    return state is DocumentState.REMOVED
