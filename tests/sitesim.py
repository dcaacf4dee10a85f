"""The simulated www.mofa.go.jp served over real HTTP on 127.0.0.1 (stdlib only).

Pages: the files under the root folder, by URL path ("/dir/" serves "/dir/index.html").
The fixture site (tests/fixtures/site/) and tests.sitegen lay out the mofa shapes:
- /press/release/index.html and monthly archives /press/release/YYYYMM_index.html
  (dl.title-list > dt.list-title "Month D" + dd > ul.link-list > li > a);
- /press/kaiken/index.html (dl.title-list > dt > a + dd), archives pc_YYYYMM_index.html;
- /na/na1/us/index.html (ul.link-list > li > a); detail pages; /robots.txt.
Answers carry a strong ETag (hash of the bytes) and Last-Modified (file mtime);
conditional requests get 304. HEAD works, unknown paths get 404, keep-alive is on.

Faults (set_fault, per exact path or "prefix*"; Fault(times=N): only the next N requests
of each path): `blocked` 403 with a Cloudflare-like challenge body, `too_many` 429 with
Retry-After, `error` 500/503, `slow` (sleeps, then answers), `reset` (connection reset
without a response, recorded with status 0), `redirect` 302 to another host,
`not_found` 404, `gone` 410. Hostile answers served with 200: `block_page` (an
"Access Denied" WAF page without any challenge header, or the given body), `soft_404`
(a "Page Not Found" page), `oversized` (a body of `size` bytes), `endless` (a body
that never ends, no Content-Length), `meta_refresh` (a page whose
<meta http-equiv="refresh"> sends to `location`). A `redirect` whose location is its
own path is a redirect loop. robots.txt is an ordinary file (set_robots) and takes
faults like any path.

Fixtures: `site` (the fixture site copied under tmp_path, started), `site_factory`.
CLI: `python -m tests.sitesim DIR [--port N] [--generate N --months M]` prints the
base URL as its first stdout line, then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import hashlib
import html
import logging
import mimetypes
import os
import posixpath
import re
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self
from urllib.parse import unquote, urlsplit

import pytest

from tests.sitegen import generate_site

logger = logging.getLogger(__name__)

FIXTURE_SITE = Path(__file__).parent / "fixtures" / "site"

CHALLENGE_BODY = """<!DOCTYPE html>
<html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head>
<body><div class="main-wrapper"><h1>www.mofa.go.jp</h1>
<h2>Checking your browser before accessing www.mofa.go.jp.</h2>
<noscript>Enable JavaScript and cookies to continue</noscript>
<form id="challenge-form" action="/cdn-cgi/challenge-platform/h/g/orchestrate"
method="POST"></form></div></body></html>
"""
# An Akamai-style refusal served with 200: no challenge header, no challenge script.
ACCESS_DENIED_BODY = """<HTML><HEAD>
<TITLE>Access Denied</TITLE>
</HEAD><BODY>
<H1>Access Denied</H1>
You don't have permission to access "http&#58;&#47;&#47;www&#46;mofa&#46;go&#46;jp&#47;"
on this server.<P>
Reference&#32;&#35;18&#46;5b6e1002&#46;1733000000&#46;1a2b3c4d
</BODY>
</HTML>
"""
VERIFY_BROWSER_BODY = """<!DOCTYPE html>
<html><head><title>www.mofa.go.jp</title></head>
<body><main><h1>One moment, please...</h1>
<p>Please wait while we verify your browser.</p>
<p>This process is automatic. Your browser will redirect to your requested content
shortly.</p></main></body></html>
"""
SOFT_404_BODY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page Not Found | Ministry of
Foreign Affairs of Japan</title></head>
<body><div id="contents"><h1>Page Not Found</h1>
<p>The page you are looking for may have been moved or deleted.</p>
<p><a href="/">Top Page</a></p></div></body></html>
"""
# Last-Modified of hostile answers: later than any page, as a WAF's "now" would be.
HOSTILE_LAST_MODIFIED = "Fri, 01 Jan 2100 00:00:00 GMT"


class FaultKind(StrEnum):
    BLOCKED = "blocked"
    TOO_MANY = "too_many"
    ERROR = "error"
    SLOW = "slow"
    RESET = "reset"
    REDIRECT = "redirect"
    NOT_FOUND = "not_found"
    GONE = "gone"
    BLOCK_PAGE = "block_page"
    SOFT_404 = "soft_404"
    OVERSIZED = "oversized"
    ENDLESS = "endless"
    META_REFRESH = "meta_refresh"


_DEFAULT_STATUS = {
    FaultKind.BLOCKED: 403,
    FaultKind.TOO_MANY: 429,
    FaultKind.ERROR: 500,
    FaultKind.REDIRECT: 302,
    FaultKind.NOT_FOUND: 404,
    FaultKind.GONE: 410,
    FaultKind.BLOCK_PAGE: 200,
    FaultKind.SOFT_404: 200,
    FaultKind.OVERSIZED: 200,
    FaultKind.ENDLESS: 200,
    FaultKind.META_REFRESH: 200,
}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the simulated site saw it (status 0: the connection was reset)."""

    path: str
    method: str
    headers: dict[str, str]
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None
    status: int
    bytes_sent: int
    at: float

    @property
    def is_conditional(self) -> bool:
        """The request carried If-None-Match or If-Modified-Since."""
        return self.if_none_match is not None or self.if_modified_since is not None


@dataclass(frozen=True, slots=True)
class Fault:
    """A misbehaviour for a path; `times`: only the next N requests of each path."""

    kind: str
    status: int | None = None
    retry_after: int | str | None = None  # a str is sent as written ("abc", a date)
    delay: float = 0.0
    location: str | None = None
    body: str | None = None
    times: int | None = None
    size: int = 0  # oversized: bytes of body
    hold: bool = False  # slow: answer on SiteSim.release_held(), `delay` at the most

    def __post_init__(self) -> None:
        FaultKind(self.kind)  # ValueError on an unknown kind
        if self.times is not None and self.times < 1:
            raise ValueError(f"Fault.times must be >= 1, got {self.times}")
        if self.kind in (FaultKind.REDIRECT, FaultKind.META_REFRESH) and not (
            self.location
        ):
            raise ValueError(f"a {self.kind} fault needs a location")

    @classmethod
    def blocked(cls, *, times: int | None = None) -> Fault:
        return cls(FaultKind.BLOCKED, status=403, times=times)

    @classmethod
    def too_many(cls, retry_after: int | str = 2, *, times: int | None = None) -> Fault:
        return cls(FaultKind.TOO_MANY, status=429, retry_after=retry_after, times=times)

    @classmethod
    def error(
        cls,
        status: int = 500,
        *,
        retry_after: int | None = None,
        times: int | None = None,
    ) -> Fault:
        return cls(FaultKind.ERROR, status=status, retry_after=retry_after, times=times)

    @classmethod
    def slow(cls, seconds: float, *, times: int | None = None) -> Fault:
        return cls(FaultKind.SLOW, delay=seconds, times=times)

    @classmethod
    def held(cls, seconds: float, *, times: int | None = None) -> Fault:
        """Slow until the test calls SiteSim.release_held() (or `seconds` pass)."""
        return cls(FaultKind.SLOW, delay=seconds, times=times, hold=True)

    @classmethod
    def reset(cls, *, times: int | None = None) -> Fault:
        return cls(FaultKind.RESET, times=times)

    @classmethod
    def redirect(
        cls, location: str, *, status: int = 302, times: int | None = None
    ) -> Fault:
        return cls(FaultKind.REDIRECT, status=status, location=location, times=times)

    @classmethod
    def not_found(cls, *, times: int | None = None) -> Fault:
        return cls(FaultKind.NOT_FOUND, status=404, times=times)

    @classmethod
    def gone(cls, *, times: int | None = None) -> Fault:
        return cls(FaultKind.GONE, status=410, times=times)

    @classmethod
    def block_page(
        cls, body: str = ACCESS_DENIED_BODY, *, times: int | None = None
    ) -> Fault:
        """200 with a WAF refusal page and its own validators (newer than any page)."""
        return cls(FaultKind.BLOCK_PAGE, status=200, body=body, times=times)

    @classmethod
    def soft_404(cls, *, times: int | None = None) -> Fault:
        """200 with a "Page Not Found" page and validators of its own."""
        return cls(FaultKind.SOFT_404, status=200, body=SOFT_404_BODY, times=times)

    @classmethod
    def oversized(cls, size: int, *, times: int | None = None) -> Fault:
        """200 with an HTML body of `size` bytes, announced in Content-Length."""
        return cls(FaultKind.OVERSIZED, status=200, size=size, times=times)

    @classmethod
    def endless(cls, *, times: int | None = None) -> Fault:
        """200 whose body never ends (no Content-Length; until the client hangs up)."""
        return cls(FaultKind.ENDLESS, status=200, times=times)

    @classmethod
    def meta_refresh(cls, location: str, *, times: int | None = None) -> Fault:
        """200 with a page that refreshes at once to `location`."""
        return cls(FaultKind.META_REFRESH, status=200, location=location, times=times)


@dataclass(slots=True)
class _FaultEntry:
    fault: Fault
    used: dict[str, int] = field(default_factory=dict)  # path -> requests faulted


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    reset: bool = False
    endless: bool = False  # the body goes on until the client hangs up


class SiteSim:
    """A folder of pages served as www.mofa.go.jp on a free loopback port."""

    def __init__(
        self, root: str | Path, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.root = Path(root).resolve()
        self.host = host
        self.port = port  # the bound port once started; a restart reuses it
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._faults: dict[str, _FaultEntry] = {}
        self._mtimes: dict[Path, int] = {}
        self._stopping = threading.Event()
        self._released = threading.Event()  # wakes held faults
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_fixture(cls, dest: Path, *, source: Path | None = None) -> SiteSim:
        """Copy the fixture site (tests/fixtures/site/) into dest; not started."""
        source = source or FIXTURE_SITE
        if not source.is_dir():
            raise FileNotFoundError(f"fixture site missing: {source}")
        shutil.copytree(source, dest, dirs_exist_ok=True)
        return cls(dest)

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SiteSim.base_url is only known after start()")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path such as "/press/release/index.html"."""
        return self.base_url + path

    # lifecycle

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("SiteSim already started")
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sitesim:{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        logger.debug("serving %s at %s", self.root, self.base_url)
        return self

    def stop(self) -> None:
        """Close the port: connections are refused until start() reopens it."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes slow faults
        self._released.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # recorded requests

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def requests_for(self, path_prefix: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    # state changes (written into root, so they persist)

    def write_page(self, path: str, content: str | bytes) -> None:
        """Create or replace a page; its ETag changes and its mtime moves forward."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.file_for(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            mtime = self._next_mtime(target)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".sitesim-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.utime(tmp, (mtime, mtime))
            os.replace(tmp, target)  # atomic: a concurrent request sees old or new

    def read_page(self, path: str) -> str:
        """The page's text, decoded with its meta charset."""
        data = self.file_for(path).read_bytes()
        return data.decode(_meta_charset(data) or "utf-8")

    def edit_page(self, path: str, old: str, new: str) -> None:
        """Replace the first `old` with `new`; ValueError when `old` is absent."""
        data = self.file_for(path).read_bytes()
        charset = _meta_charset(data) or "utf-8"
        text = data.decode(charset)
        if old not in text:
            raise ValueError(f"{path}: text to replace not found: {old!r}")
        self.write_page(path, text.replace(old, new, 1).encode(charset))

    def delete_page(self, path: str) -> None:
        """Remove a page: later requests get 404. FileNotFoundError if it is absent."""
        target = self.file_for(path)
        with self._lock:
            self._mtimes[target] = self._next_mtime(target)
            target.unlink()

    def add_page(
        self,
        path: str,
        content: str | bytes,
        *,
        index_path: str,
        link_text: str,
        index_date: str | None = None,
    ) -> None:
        """Write a page and link it first on an index page (see insert_link)."""
        self.write_page(path, content)
        index_html = self.read_page(index_path)
        updated = insert_link(index_html, path, link_text, index_path, index_date)
        self.write_page(index_path, updated.encode(_charset_of(index_html)))

    def overlay(self, source: str | Path) -> list[str]:
        """Copy every file of another tree over root; returns the paths that changed."""
        changed = []
        for file in sorted(Path(source).rglob("*")):
            if not file.is_file():
                continue
            path = "/" + file.relative_to(source).as_posix()
            data = file.read_bytes()
            current = self.file_for(path)
            if not current.is_file() or current.read_bytes() != data:
                self.write_page(path, data)
                changed.append(path)
        return changed

    def set_robots(self, text: str | None) -> None:
        """Replace /robots.txt; None removes it (404)."""
        if text is not None:
            self.write_page("/robots.txt", text)
        elif self.file_for("/robots.txt").exists():
            self.delete_page("/robots.txt")

    def file_for(self, path: str) -> Path:
        """The file under root that serves a URL path (query ignored)."""
        url_path = unquote(_url_path(path))
        if url_path.endswith("/"):
            url_path += "index.html"
        return self.root / posixpath.normpath("/" + url_path).lstrip("/")

    def _next_mtime(self, target: Path) -> int:
        """A whole second past any earlier mtime: Last-Modified counts seconds."""
        try:
            previous = int(target.stat().st_mtime)
        except FileNotFoundError:
            previous = 0
        previous = max(previous, self._mtimes.get(target, 0))
        mtime = max(int(time.time()), previous + 1)
        self._mtimes[target] = mtime
        return mtime

    # faults

    def set_fault(self, path: str, fault: Fault) -> None:
        """Fault an exact path, or every path starting with P when given as "P*"."""
        with self._lock:
            self._faults[path] = _FaultEntry(fault)
            if fault.hold:
                self._released.clear()

    def release_held(self) -> None:
        """Let every request waiting on a held fault be answered, now and later."""
        self._released.set()

    def clear_fault(self, path: str) -> None:
        with self._lock:
            self._faults.pop(path, None)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        """The fault for this request, counting it against `times`."""
        with self._lock:
            keys = [path] if path in self._faults else []
            keys += sorted(
                (
                    k
                    for k in self._faults
                    if k.endswith("*") and path.startswith(k[:-1])
                ),
                key=len,
                reverse=True,
            )
            for key in keys:
                entry = self._faults[key]
                used = entry.used.get(path, 0)
                if entry.fault.times is not None and used >= entry.fault.times:
                    continue
                entry.used[path] = used + 1
                return entry.fault
        return None

    # responses

    def _respond(self, raw_path: str, headers: dict[str, str]) -> _Response:
        path = _url_path(raw_path)
        fault = self._take_fault(path)
        if fault is not None and fault.hold:
            self._released.wait(fault.delay)
        elif fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        if fault is None or fault.kind == FaultKind.SLOW:
            return self._file_response(path, headers)
        return _fault_response(fault)

    def _file_response(self, path: str, headers: dict[str, str]) -> _Response:
        file = self.file_for(path)
        try:
            with open(file, "rb") as fh:
                mtime = int(os.fstat(fh.fileno()).st_mtime)
                data = fh.read()
        except IsADirectoryError:
            return _page(301, "Moved Permanently", [("Location", path + "/")])
        except (OSError, ValueError):
            return _page(404, "Not Found")
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        validators = [
            ("ETag", etag),
            ("Last-Modified", email.utils.formatdate(mtime, usegmt=True)),
        ]
        if _not_modified(headers, etag, mtime):
            return _Response(304, validators)
        content_type = [("Content-Type", _content_type(file, data))]
        return _Response(200, content_type + validators, data)


def _url_path(raw: str) -> str:
    """The path of a request target, without query or fragment."""
    if raw.startswith("/"):  # origin form; urlsplit would read "//x" as a host
        return raw.split("?", 1)[0].split("#", 1)[0]
    return urlsplit(raw).path or "/"


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _not_modified(headers: dict[str, str], etag: str, mtime: int) -> bool:
    if_none_match = _header(headers, "If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = _header(headers, "If-Modified-Since")
    if not if_modified_since:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and since.timestamp() >= mtime


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I
)


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _charset_of(text: str) -> str:
    return _meta_charset(text[:4096].encode("ascii", "replace")) or "utf-8"


def _content_type(file: Path, data: bytes) -> str:
    if file.suffix.lower() in {".html", ".htm"}:
        return f"text/html; charset={_meta_charset(data) or 'utf-8'}"
    guessed = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def _page(
    status: int,
    title: str,
    extra: Sequence[tuple[str, str]] = (),
    body: str | None = None,
) -> _Response:
    text = (
        body
        if body is not None
        else (
            f"<!DOCTYPE html>\n<html><head><title>{status} {html.escape(title)}</title>"
            f"</head><body><h1>{html.escape(title)}</h1></body></html>\n"
        )
    )
    headers = [("Content-Type", "text/html; charset=utf-8"), *extra]
    return _Response(status, headers, text.encode("utf-8"))


def _fault_response(fault: Fault) -> _Response:
    kind = FaultKind(fault.kind)
    if kind == FaultKind.RESET:
        return _Response(0, [], reset=True)
    status = fault.status or _DEFAULT_STATUS[kind]
    extra = []
    if fault.retry_after is not None:
        extra.append(("Retry-After", str(fault.retry_after)))
    if kind == FaultKind.BLOCKED:
        extra += [("cf-mitigated", "challenge"), ("Server", "cloudflare")]
        extra.append(("Cache-Control", "private, max-age=0, no-store"))
        return _page(status, "Just a moment...", extra, fault.body or CHALLENGE_BODY)
    if kind in _HOSTILE_PAGES:
        return _hostile_response(fault, status, extra)
    if kind == FaultKind.REDIRECT and fault.location:
        extra.append(("Location", fault.location))
    titles = {404: "Not Found", 410: "Gone", 429: "Too Many Requests", 302: "Found"}
    return _page(status, titles.get(status, "Server Error"), extra, fault.body)


_HOSTILE_PAGES = frozenset(
    {
        FaultKind.BLOCK_PAGE,
        FaultKind.SOFT_404,
        FaultKind.OVERSIZED,
        FaultKind.ENDLESS,
        FaultKind.META_REFRESH,
    }
)
_FILLER = b"<p>" + b"filler " * 140 + b"</p>\n"  # about 1 KB of markup


def _hostile_response(
    fault: Fault, status: int, extra: list[tuple[str, str]]
) -> _Response:
    """A 200 that is not the page, carrying validators of its own."""
    kind = FaultKind(fault.kind)
    extra += [
        ("ETag", f'"{kind.value}-{status}"'),
        ("Last-Modified", HOSTILE_LAST_MODIFIED),
    ]
    if kind == FaultKind.ENDLESS:
        headers = [("Content-Type", "text/html; charset=utf-8"), *extra]
        return _Response(status, [*headers, ("Connection", "close")], endless=True)
    if kind == FaultKind.OVERSIZED:
        head = b"<!DOCTYPE html><html><head><title>Big</title></head><body>\n"
        body = (head + _FILLER * (fault.size // len(_FILLER) + 1))[: fault.size]
        headers = [("Content-Type", "text/html; charset=utf-8"), *extra]
        return _Response(status, headers, body)
    if kind == FaultKind.META_REFRESH:
        target = html.escape(fault.location or "")
        text = (
            "<!DOCTYPE html>\n<html><head><title>Moved</title>"
            f'<meta http-equiv="refresh" content="0; url={target}"></head>'
            f'<body><p>This page has moved to <a href="{target}">{target}</a>.</p>'
            "</body></html>\n"
        )
        return _page(status, "Moved", extra, text)
    default = SOFT_404_BODY if kind == FaultKind.SOFT_404 else ACCESS_DENIED_BODY
    return _page(status, kind.value, extra, fault.body or default)


# links added to index pages

_DL_OPEN = re.compile(r"<dl\b[^>]*\bclass=\"[^\"]*\btitle-list\b[^\"]*\"[^>]*>", re.I)
_DT_DATED = re.compile(
    r"<dt\b[^>]*\bclass=\"[^\"]*\blist-title\b[^\"]*\"[^>]*>\s*([^<]*?)\s*</dt>", re.I
)
_UL_LINKS = re.compile(r"<ul\b[^>]*\bclass=\"[^\"]*\blink-list\b[^\"]*\"[^>]*>", re.I)


def insert_link(
    index_html: str, href: str, text: str, index_path: str, index_date: str | None
) -> str:
    """Put a link first on an index page, in the shape of that page.

    dl.title-list with dt.list-title: the link goes first under the dt whose text is
    index_date (that dt is created at the top of the list if absent; without
    index_date the newest dt is used). dl.title-list with plain dt (the kaiken index):
    a new <dt><a>text</a></dt><dd></dd> first. Otherwise: a new <li> first in the
    first ul.link-list.
    """
    li = f'<li><a href="{html.escape(href)}">{html.escape(text, quote=False)}</a></li>'
    dl = _DL_OPEN.search(index_html)
    if dl is None:
        ul = _UL_LINKS.search(index_html)
        if ul is None:
            raise ValueError(
                f"{index_path}: no dl.title-list or ul.link-list to link from"
            )
        return index_html[: ul.end()] + li + index_html[ul.end() :]
    end = index_html.find("</dl>", dl.end())
    region = index_html[dl.end() : end if end >= 0 else len(index_html)]
    dated = _DT_DATED.search(region) is not None or (
        "<dt" not in region and index_date is not None and "/kaiken/" not in index_path
    )
    if not dated:
        entry = (
            f'\n<dt><a href="{html.escape(href)}">{html.escape(text, quote=False)}</a>'
        )
        return (
            index_html[: dl.end()] + entry + "</dt><dd></dd>" + index_html[dl.end() :]
        )
    return _insert_dated(index_html, dl.end(), li, index_path, index_date)


def _insert_dated(
    index_html: str, start: int, li: str, index_path: str, index_date: str | None
) -> str:
    dts = [m for m in _DT_DATED.finditer(index_html, start)]
    if index_date is None:
        if not dts:
            raise ValueError(f"{index_path}: empty dated list; pass index_date")
        index_date = dts[0].group(1)
    dt = next((m for m in dts if m.group(1) == index_date), None)
    dd = f'<dd><ul class="link-list">{li}</ul></dd>'
    if dt is None:
        new_dt = f'<dt class="list-title">{html.escape(index_date, quote=False)}</dt>'
        return index_html[:start] + f"\n{new_dt}\n{dd}" + index_html[start:]
    ul = _UL_LINKS.search(index_html, dt.end())
    next_dt = index_html.find("<dt", dt.end())
    if ul is not None and (next_dt < 0 or ul.start() < next_dt):
        return index_html[: ul.end()] + li + index_html[ul.end() :]
    return index_html[: dt.end()] + f"\n{dd}" + index_html[dt.end() :]


# the HTTP server


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sim: SiteSim) -> None:
        self.sim = sim
        self._open: set[socket.socket] = set()
        self._resets: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def mark_reset(self, request: socket.socket) -> None:
        request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with self._conn_lock:
            self._resets.add(request)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._open.discard(request)
            reset = request in self._resets
            self._resets.discard(request)
        if reset:
            self.close_request(
                request
            )  # no FIN first: SO_LINGER 0 makes close() an RST
        else:
            super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock keep-alive connections still waiting for a request."""
        with self._conn_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            logger.debug("client %s went away: %s", client_address, error)
        else:
            logger.error("sitesim failed serving %s", client_address, exc_info=error)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "sitesim/1"
    sys_version = ""
    timeout = 60

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate small writes; with Nagle's algorithm on,
        # the body then waits for the client's delayed ACK (~40 ms per response on a
        # kept-alive connection), and the simulator, not mofawatch, sets the pace.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _serve(self, *, head: bool) -> None:
        sim = self.server.sim
        headers = dict(self.headers.items())
        response = sim._respond(self.path, headers)
        sim._record(
            RecordedRequest(
                path=self.path,
                method=self.command,
                headers=headers,
                if_none_match=self.headers.get("If-None-Match"),
                if_modified_since=self.headers.get("If-Modified-Since"),
                user_agent=self.headers.get("User-Agent"),
                status=response.status,
                bytes_sent=0 if head else len(response.body),
                at=time.monotonic(),
            )
        )
        if response.reset:
            self.server.mark_reset(self.connection)
            self.close_connection = True
            return
        try:
            self._send(response, head=head)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _send(self, response: _Response, *, head: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status != 304 and not response.endless:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.endless:
            self.close_connection = True
            if not head:
                self._send_endless()
        elif not head and response.status != 304:
            self.wfile.write(response.body)

    def _send_endless(self) -> None:
        """Markup until the client hangs up or the site stops."""
        self.wfile.write(b"<!DOCTYPE html><html><head><title>More</title></head><body>")
        chunk = _FILLER * 64
        while not self.server.sim._stopping.is_set():
            self.wfile.write(chunk)


# pytest fixtures


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteSim]:
    """The fixture site copied under tmp_path and served; stopped after the test."""
    with SiteSim.from_fixture(tmp_path / "site") as sim:
        yield sim


@pytest.fixture
def site_factory() -> Iterator[Callable[..., SiteSim]]:
    """Start more sites: site_factory(root, **SiteSim kwargs) -> a started SiteSim."""
    made: list[SiteSim] = []

    def make(root: str | Path, **kwargs: Any) -> SiteSim:
        sim = SiteSim(root, **kwargs).start()
        made.append(sim)
        return sim

    yield make
    for sim in made:
        sim.stop()


# command line


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a folder until Ctrl-C or SIGTERM; the base URL is the first stdout line."""
    parser = argparse.ArgumentParser(prog="python -m tests.sitesim")
    parser.add_argument("root", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--generate", type=int, metavar="N", help="write N documents first"
    )
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--end-month", default="2026-10")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.generate is not None:
        generate_site(
            args.root,
            documents=args.generate,
            months=args.months,
            end_month=args.end_month,
            seed=args.seed,
        )
    if not args.root.is_dir():
        parser.error(f"not a folder: {args.root}")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with SiteSim(args.root, host=args.host, port=args.port) as sim:
        sys.stdout.write(sim.base_url + "\n")
        sys.stdout.flush()
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
