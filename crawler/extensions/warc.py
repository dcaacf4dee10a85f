"""Scrapy extension that records every response of a crawl into a gzip WARC file.

Enabled by the run's warc_path (None: off). Each crawl appends a `warcinfo` record
(software, format, the crawl's settings) that its records point at. Replay
(monitor/replay/) reads it back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler.contract import RunConfig
from crawler.extract.extractor import EXTRACTOR_VERSION
from crawler.settings import run_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Scrapy hands us the body already decoded, so these would describe bytes we no
# longer have; a reader honouring them would try to decode the body a second time.
_DROPPED_HEADERS = frozenset(
    {"content-encoding", "transfer-encoding", "content-length"}
)


# Our own WARC fields (WARC 1.1 allows extension fields): what the crawl knew about
# the request that the HTTP exchange does not say, so replay treats it the same way.
ROLE_HEADER = "WARC-Mofawatch-Role"  # "index" | "detail" (crawler.items.PageRole)
REQUESTED_URL_HEADER = "WARC-Mofawatch-Requested-URL"  # before redirects
WARC_FORMAT = "WARC File Format 1.1"
CONFORMS_TO = (
    "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
)
# What the warcinfo record tells of the run: never the database URL (it may hold a
# password) nor local machinery (paths, process ids, log settings).
_PRIVATE_SETTINGS = frozenset(
    {"database_url", "warc_path", "parent_pid", "log_level", "progress_seconds", "now"}
)


def software() -> str:
    try:
        return f"mofawatch/{version('mofa-watch')}"
    except PackageNotFoundError:
        return "mofawatch"


def warcinfo_fields(run: RunConfig) -> dict[str, str]:
    """The warcinfo record's fields (application/warc-fields) for one crawl."""
    settings = run.model_dump(mode="json", exclude=set(_PRIVATE_SETTINGS))
    return {
        "software": software(),
        "format": WARC_FORMAT,
        "conformsTo": CONFORMS_TO,
        "robots": "obey",
        "http-header-user-agent": run.user_agent,
        "mofawatch-extractor-version": str(EXTRACTOR_VERSION),
        "mofawatch-settings": json.dumps(settings, sort_keys=True),
    }


def warc_date(when: datetime) -> str:
    """WARC-Date with microseconds; the same instant the snapshot stores."""
    # warcio appends "Z" itself: give it naive UTC or the date reads "+00:00Z".
    naive_utc = when.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(naive_utc, use_micros=True))


def _header_pairs(headers: object) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():  # type: ignore[attr-defined]
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            pairs.append((key, text))
    return pairs


def is_robots_url(url: str) -> bool:
    """robots.txt is crawl machinery, not site content: it is never recorded."""
    return urlsplit(url).path == "/robots.txt"


class WarcWriterExtension:
    """Writes a request and a response record per response, until spider_closed."""

    def __init__(
        self,
        path: str,
        clock: Callable[[], datetime],
        info: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] | None = self.path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=True, warc_version="WARC/1.1")
        self.records = 0
        self.warcinfo_id = self._write_warcinfo(info or {"software": software()})

    def _write_warcinfo(self, info: dict[str, str]) -> str:
        record = self._writer.create_warcinfo_record(self.path.name, info)
        record.rec_headers.replace_header("WARC-Date", warc_date(self.clock()))
        self._writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run = run_of(crawler.settings)
        if not run.warc_path:
            raise NotConfigured  # no WARC asked for: off, silently
        extension = cls(run.warc_path, run.clock, warcinfo_fields(run))
        crawler.signals.connect(
            extension.response_received, signal=signals.response_received
        )
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        logger.info("recording responses into %s", extension.path)
        return extension

    def response_received(self, response: Response, request: Request) -> None:
        if self._fh is None or is_robots_url(response.url):
            return
        # The crawl's own clock (fixed in tests), so WARC-Date and the stored
        # snapshot agree; the spider may take this exact instant from the meta.
        fetched_at = self.clock()
        request.meta.setdefault("fetched_at", fetched_at)
        self.write(response, request, fetched_at)

    def write(self, response: Response, request: Request, fetched_at: datetime) -> None:
        """Append the request record and the response record of one exchange."""
        date = warc_date(fetched_at)
        response_record = self._response_record(response, date)
        extra = response_record.rec_headers
        role = request.meta.get("role")
        if role:
            extra.add_header(ROLE_HEADER, str(role))
        requested = (request.meta.get("redirect_urls") or [response.url])[0]
        if requested != response.url:
            extra.add_header(REQUESTED_URL_HEADER, requested)
        request_record = self._request_record(request, response.url, date)
        request_record.rec_headers.add_header(
            "WARC-Concurrent-To",
            response_record.rec_headers.get_header("WARC-Record-ID"),
        )
        self._writer.write_record(request_record)
        self._writer.write_record(response_record)
        self.records += 1

    def _response_record(self, response: Response, date: str) -> Any:
        headers = [
            (k, v)
            for k, v in _header_pairs(response.headers)
            if k.lower() not in _DROPPED_HEADERS
        ]
        headers.append(("Content-Length", str(len(response.body))))
        status_line = response_status_message(response.status)
        http_headers = StatusAndHeaders(
            status_line, headers, protocol=response.protocol or "HTTP/1.1"
        )
        return self._writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            length=len(response.body),  # known length: warcio needs no temp file
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Warcinfo-ID": self.warcinfo_id},
        )

    def _request_record(self, request: Request, url: str, date: str) -> Any:
        parts = urlsplit(request.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        headers = [("Host", parts.netloc), *_header_pairs(request.headers)]
        http_headers = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1",
            headers,
            is_http_request=True,
        )
        return self._writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(request.body or b""),
            length=len(request.body or b""),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Warcinfo-ID": self.warcinfo_id},
        )

    def spider_closed(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            logger.info("wrote %d responses to %s", self.records, self.path)
