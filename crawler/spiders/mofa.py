"""The `mofa` spider: navigation only (which URLs, with which validators).

Index pages are parsed by crawler.extract.listing, documents by the pipeline.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response, TextResponse
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from crawler import plan
from crawler.extract import listing
from crawler.headers import charset_of
from crawler.items import FetchedPage, FetchProblem, PageRole
from crawler.middlewares.robots import RobotsDisallowedError, RobotsUnavailableError
from crawler.settings import run_of
from storage.db import SessionFactory, open_database

logger = logging.getLogger(__name__)

INDEX_PRIORITY = 10
NEW_DOCUMENT_PRIORITY = 5  # revisits have 0


class MofaSpider(scrapy.Spider):
    """Walk the configured sections of www.mofa.go.jp incrementally.

    Each cycle requests, with If-None-Match / If-Modified-Since when known:
    - each section's entry page (release/kaiken index, statement lists, U.S. index);
    - monthly archives (YYYYMM_index.html, pc_YYYYMM_index.html, the Japanese
      era-year forms: crawler.extract.listing.archive_link) back to `since`,
      found in the entry page's Archives list: fetched when never seen, every cycle for
      the current and previous month, and otherwise once every `archive_recheck_days`;
    - documents listed there that the database does not know yet;
    - known documents due per crawler.revisit (placeholders every cycle).
    A 304 index page costs no body. Its stored copy is read locally, and only links
    still unknown are followed: a document whose first fetch failed, or archives that
    a --since backfill now reaches; in a steady state nothing.
    """

    name = "mofa"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan.CrawlPlan()
        self.base_url = ""
        self.since = (2022, 1)
        self.factory: SessionFactory | None = None

    @property
    def now(self) -> datetime:
        return run_of(self.settings).clock()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        run = run_of(self.settings)
        self.base_url = run.base_url.rstrip("/")
        self.since = run.since_month
        self.factory = open_database(run.database_url)
        self.plan = plan.load_plan(
            self.factory,
            base_url=self.base_url,
            sections=list(run.sections),
            now=self.now,
            revisit=run.revisit,
            languages=run.languages,
            archives=plan.ArchivePolicy(
                since=self.since, recheck=timedelta(days=run.archive_recheck_days)
            ),
            budget=run.revisit_budget,
        )
        logger.info(
            "plan: %d entry pages, %d archives, %d revisits (%d more due later)",
            len(self.plan.entry_pages),
            len(self.plan.archives),
            len(self.plan.revisits),
            self.plan.backlog,
        )
        for url, section in [
            *self.plan.entry_pages.items(),
            *self.plan.archives.items(),
        ]:
            yield self._index_request(url, section)
        for url in self.plan.revisits:
            if not listing.is_index_page(url):  # one rule with replay
                yield self._detail_request(url, None)

    def parse_index(self, response: Response) -> Iterator[FetchedPage | scrapy.Request]:
        """Store the index fetch; follow unknown documents and archives in scope."""
        section: str = response.meta["section"]
        fetched = self._fetched(response, PageRole.INDEX, section)
        yield fetched
        if fetched.problem is not FetchProblem.NONE:
            return
        if response.status == 304:
            if not run_of(self.settings).reread_unchanged_indexes:
                return
            html = self._stored_text(response.url)
        elif response.status == 200 and isinstance(response, TextResponse):
            html = response.text
        else:
            return
        if html is None:
            return
        page = listing.parse_index(
            html, response.url, base_url=self.base_url, today=self.now.date()
        )
        for archive in page.archives:
            if (
                plan.ARCHIVE_SECTIONS[archive.is_conference] == section
                and archive.url not in self.plan.known_archives
                and self.plan.in_scope(archive.url, self.base_url)
                and plan.archive_in_scope(archive, self.since)
            ):
                yield self._index_request(archive.url, section)
        listed = [
            document.url
            for document in page.documents
            if self.plan.in_scope(document.url, self.base_url)
        ]
        budget = run_of(self.settings).baseline_budget
        for url in plan.unknown_documents(self.factory, self.plan, listed):
            if not self.plan.take_new(url, budget):
                continue
            # New documents go before any revisit still queued.
            yield self._detail_request(url, section, priority=NEW_DOCUMENT_PRIORITY)
        if self.plan.deferred and self.crawler.stats is not None:
            self.crawler.stats.set_value("mofawatch/deferred", len(self.plan.deferred))

    def _stored_text(self, url: str) -> str | None:
        """A 304 lists nothing new, but the stored copy names what is still missing.

        Links on it are followed only if unknown: documents whose first fetch failed,
        archives a --since backfill reaches. In a steady state that is nothing.
        """
        if self.factory is None:
            return None
        body = plan.stored_body(self.factory, url)
        return body.decode("utf-8", "replace") if body is not None else None

    def parse_detail(self, response: Response) -> Iterator[FetchedPage]:
        """A document response of any status goes to storage as it is."""
        yield self._fetched(response, PageRole.DETAIL, response.meta.get("section"))

    def on_error(self, failure: Failure) -> Iterator[FetchedPage]:
        """No HTTP answer (time-out, reset, robots): counted, never a removal."""
        request = failure.request  # type: ignore[attr-defined]
        problem = _problem(failure)
        logger.warning(
            "%s: %s (%s)", request.url, problem.value, failure.getErrorMessage()
        )
        yield FetchedPage(
            url=request.url,
            role=PageRole(request.meta["role"]),
            section=request.meta.get("section"),
            fetched_at=self.now,
            status=0,
            problem=problem,
            error=failure.getErrorMessage()[:500],
        )

    def closed(self, reason: str) -> None:
        if self.factory is not None:
            self.factory.kw["bind"].dispose()

    def _index_request(self, url: str, section: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_index,
            errback=self.on_error,
            headers=self._conditional_headers(url),
            meta={"section": section, "role": PageRole.INDEX.value},
            priority=INDEX_PRIORITY,
        )

    def _detail_request(
        self, url: str, section: str | None, priority: int = 0
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_detail,
            errback=self.on_error,
            headers=self._conditional_headers(url),
            meta={"section": section, "role": PageRole.DETAIL.value},
            priority=priority,
        )

    def _conditional_headers(self, url: str) -> dict[str, str]:
        etag, last_modified = self.plan.validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _fetched(
        self, response: Response, role: PageRole, section: str | None
    ) -> FetchedPage:
        headers = response.headers
        problem, status, error = _answer(response)
        content = problem is FetchProblem.NONE
        return FetchedPage(
            url=(response.meta.get("redirect_urls") or [response.url])[0],
            role=role,
            section=section,
            # The instant the WARC recorder gave this response, when it runs: one
            # fetch time in the archive and in the database.
            fetched_at=response.meta.get("fetched_at") or self.now,
            status=status,
            body=response.body if content else None,
            # Validators only of content: the next request must not be answered 304
            # against a block page, a soft 404 or a refused redirect.
            etag=_header(headers.get(b"ETag")) if content else None,
            last_modified=_header(headers.get(b"Last-Modified")) if content else None,
            final_url=response.url,
            charset=charset_of(_header(headers.get(b"Content-Type"))),
            content_type=_header(headers.get(b"Content-Type")),
            problem=problem,
            error=error,
        )


def _answer(response: Response) -> tuple[FetchProblem, int, str | None]:
    """What the response is (crawler.middlewares marked it), the status to record
    and why it is not content."""
    meta = response.meta
    if meta.get("challenge"):
        # Recorded as 403 whatever its status: blocked, not content.
        return FetchProblem.CHALLENGE, 403, f"block page answered {response.status}"
    if meta.get("soft_404"):
        return FetchProblem.SOFT_404, 404, "a 'not found' page answered 200"
    if refused := meta.get("refused_redirect"):
        how = "meta refresh" if meta.get("refused_refresh") else "redirect"
        return (
            FetchProblem.OFF_HOST_REDIRECT,
            response.status,
            f"off-host {how} to {refused}",
        )
    if looped := meta.get("redirect_loop"):
        return FetchProblem.REDIRECT_LOOP, response.status, f"redirect loop at {looped}"
    return FetchProblem.NONE, response.status, None


def _problem(failure: Failure) -> FetchProblem:
    error = failure.value
    if isinstance(error, RobotsDisallowedError):
        return FetchProblem.ROBOTS_DISALLOWED
    if isinstance(error, RobotsUnavailableError):
        return FetchProblem.ROBOTS_UNAVAILABLE
    if isinstance(error, DownloadCancelledError) or "max size" in str(error):
        return FetchProblem.TOO_LARGE  # DOWNLOAD_MAXSIZE, on the wire or inflated
    if "max redirections" in str(error):
        return FetchProblem.REDIRECT_LOOP
    if (
        isinstance(error, TwistedTimeoutError)
        or "timeout" in type(error).__name__.lower()
    ):
        return FetchProblem.TIMEOUT
    return FetchProblem.NETWORK


def _header(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None
