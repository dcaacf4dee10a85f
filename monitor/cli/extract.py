"""`mofawatch extract FILE_OR_URL`: print one page's Document as JSON (no database).

Exit 0 with the JSON, 1 when the page is unrecognizable, 2 when it cannot be read.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from monitor.cli.output import complain, examples
from monitor.exitcodes import ExitCode

logger = logging.getLogger(__name__)

USER_AGENT = "mofawatch/0.1 (change monitor for www.mofa.go.jp; extract command)"
TIMEOUT_SECONDS = 30.0


class _UnreadableError(Exception):
    """The input could not be read (missing file, HTTP error, network failure)."""


@click.command(
    epilog=examples(
        "mofawatch extract saved/page4e_001274.html \\\n"
        "      --url https://www.mofa.go.jp/na/na1/us/page4e_001274.html",
        "mofawatch extract https://www.mofa.go.jp/press/release/index.html",
        "curl -s URL | mofawatch extract - --url URL --charset utf-8",
    )
)
@click.argument("target", metavar="FILE_OR_URL")
@click.option(
    "--url",
    metavar="URL",
    help="The page's address when reading a file or stdin (its kind depends on "
    "it).  [default: the file's file:// URL]",
)
@click.option(
    "--charset",
    metavar="CS",
    help="The HTTP charset, when known.  [default: from the page itself]",
)
def extract(target: str, url: str | None, charset: str | None) -> int:
    """Print the Document of one page as JSON (no database).

    FILE_OR_URL is a saved HTML file, '-' for standard input, or an http(s) URL.
    Exit 1 when the page is unrecognizable, 2 when it cannot be read.
    """
    from crawler.extract.extractor import ExtractionError
    from crawler.extract.extractor import extract as extract_document

    try:
        body, default_url, http_charset = _read(target)
    except _UnreadableError as exc:
        complain("extract", str(exc))
        return ExitCode.USAGE
    try:
        document = extract_document(
            body, url or default_url, http_charset=charset or http_charset
        )
    except ExtractionError as exc:
        complain("extract", f"unrecognizable page: {exc}")
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
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            charset = response.headers.get_content_charset()
            return response.read(), response.geturl(), charset
    except urllib.error.HTTPError as exc:
        raise _UnreadableError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _UnreadableError(f"{url}: cannot fetch: {reason}") from exc
