"""`mofawatch extract FILE_OR_URL`: print one page's Document as JSON (no database).

Exit 0 with the JSON, 1 when the page is unrecognizable, 2 when it cannot be read.
"""

from __future__ import annotations

import argparse
import logging
import sys
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.extract.extractor import ExtractionError, extract
from monitor.exitcodes import ExitCode

if TYPE_CHECKING:
    from monitor.cli.context import Context

logger = logging.getLogger(__name__)

USER_AGENT = "mofawatch/0.1 (change monitor for www.mofa.go.jp; extract command)"
TIMEOUT_SECONDS = 30.0


class _UnreadableError(Exception):
    """The input could not be read (missing file, HTTP error, network failure)."""


def cmd_extract(args: argparse.Namespace, ctx: Context) -> int:
    """Read a file, stdin or URL; print its Document as UTF-8 JSON."""
    target: str = args.target
    try:
        body, default_url, charset = _read(target)
    except _UnreadableError as exc:
        print(f"mofawatch extract: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    url = args.url or default_url
    try:
        document = extract(body, url, http_charset=args.charset or charset)
    except ExtractionError as exc:
        print(f"mofawatch extract: unrecognizable page: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    sys.stdout.buffer.write(document.to_json().encode("utf-8") + b"\n")
    sys.stdout.flush()
    return ExitCode.OK


def _read(target: str) -> tuple[bytes, str, str | None]:
    """(body, the URL to use when --url is absent, HTTP charset if any)."""
    if target == "-":
        return sys.stdin.buffer.read(), "file:///dev/stdin", None
    if target.startswith(("http://", "https://")):
        return _fetch(target)
    path = Path(target)
    try:
        return path.read_bytes(), path.resolve().as_uri(), None
    except OSError as exc:
        raise _UnreadableError(f"cannot read {target}: {exc.strerror or exc}") from exc


def _fetch(url: str) -> tuple[bytes, str, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            headers: Message = response.headers
            return response.read(), response.geturl(), headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise _UnreadableError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _UnreadableError(f"{url}: cannot fetch: {reason}") from exc
