"""Read captures from replay sources: WARC files, Scrapy HTTP-cache folders, saved HTML.

Each reader yields Capture values and reports unreadable input as Problem values
(file and offset) instead of raising, so one bad record never stops a replay.
"""

from __future__ import annotations

import ast
import csv
import enum
import gzip
import io
import json
import logging
import pickle
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Self

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
MANIFESTS = ("urls.csv", "manifest.json")
CACHE_META = ("pickled_meta", "meta")
_SNIFF = 4096
_WARC_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
)


class SourceKind(enum.StrEnum):
    WARC = "warc"
    HTTPCACHE = "httpcache"
    HTML = "html"


class SourceError(ValueError):
    """A SOURCE argument that does not exist or is of no known type."""


@dataclass(frozen=True, slots=True)
class BodyRef:
    """Where a capture's body lives: bodies are read again batch by batch, so a
    replay of a large archive keeps only captures' metadata in memory."""

    kind: SourceKind
    path: str
    offset: int = 0  # WARC: the record's offset


@dataclass(frozen=True, slots=True)
class Capture:
    """One saved response, whatever it was saved in."""

    url: str
    fetched_at: datetime
    status: int
    body: bytes | None  # None: no body (304), or not loaded yet (see body_ref)
    headers: tuple[tuple[str, str], ...]
    origin: str  # "file" or "file@offset": where a message should point
    role: str | None = None  # "index" | "detail" when the crawl recorded it
    final_url: str | None = None  # the answering URL when it differs (redirects)
    body_ref: BodyRef | None = None
    is_page: bool = True  # False: robots.txt, images, CSS found in a WARC


@dataclass(frozen=True, slots=True)
class Problem:
    """Input that could not be replayed; reported and skipped."""

    path: str
    offset: int | None
    message: str

    def __str__(self) -> str:
        where = (
            self.path if self.offset is None else f"{self.path} @ offset {self.offset}"
        )
        return f"{where}: {self.message}"


Item = Capture | Problem


def source_kind(path: Path) -> SourceKind:
    """What kind of source `path` is; SourceError when missing or unknown."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    name = path.name.lower()
    if path.is_file() and name.endswith((".warc", ".warc.gz")):
        return SourceKind.WARC
    if path.is_dir():
        for meta in CACHE_META:
            if next(path.rglob(meta), None) is not None:
                return SourceKind.HTTPCACHE
        return SourceKind.HTML
    raise SourceError(
        f"{path}: not a WARC file (.warc, .warc.gz), an HTTP-cache folder "
        "or a folder of .html files"
    )


def read_source(path: Path, kind: SourceKind, base_url: str) -> Iterator[Item]:
    if kind is SourceKind.WARC:
        return read_warc(path)
    if kind is SourceKind.HTTPCACHE:
        return read_httpcache(path)
    return read_html_folder(path, base_url)


# --- WARC -------------------------------------------------------------------


def read_warc(path: Path) -> Iterator[Item]:
    """Response records of a WARC file; a corrupt record is reported and skipped."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield Problem(str(path), None, f"cannot be read: {exc.strerror or exc}")
        return
    with fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
        start: int | None = 0
        while start is not None:
            fh.seek(start)
            failure = yield from _warc_run(fh, path)
            if failure is None:
                return
            failed_at, reason = failure
            yield Problem(
                str(path), failed_at, f"corrupt WARC record skipped ({reason})"
            )
            start = _next_record_start(fh, failed_at + 1, gzipped)


def _warc_run(
    fh: BinaryIO, path: Path
) -> Generator[Item, None, tuple[int, str] | None]:
    """Read records from the current position; return the offset of a corrupt one."""
    iterator = ArchiveIterator(fh)
    try:
        for record in iterator:
            capture = _warc_capture(record, path, iterator.offset)
            if capture is not None:
                yield capture
    except _WARC_ERRORS as exc:
        offset: int = iterator.offset
        logger.debug("%s: WARC error at %d: %s", path, offset, exc)
        return offset, f"{type(exc).__name__}: {exc}"
    return None


def _next_record_start(fh: BinaryIO, position: int, gzipped: bool) -> int | None:
    """Where the next gzip member (or WARC header line) begins after `position`."""
    marker = b"\x1f\x8b\x08" if gzipped else b"\nWARC/"
    fh.seek(position)
    carry = b""
    base = position
    while chunk := fh.read(1 << 16):
        data = carry + chunk
        found = data.find(marker)
        if found >= 0:
            return base - len(carry) + found + (0 if gzipped else 1)
        carry = data[-(len(marker) - 1) :]
        base += len(chunk)
    return None


def _warc_capture(record: Any, path: Path, offset: int) -> Capture | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    headers = record.rec_headers
    target = headers.get_header("WARC-Target-URI")
    when = _parse_time(headers.get_header("WARC-Date") or "")
    if not target or when is None:
        raise ValueError("response record without WARC-Target-URI or WARC-Date")
    status = int(record.http_headers.get_statuscode())
    body = record.content_stream().read()
    # A cut-off file ends in a short record that decompresses without complaint.
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        raise EOFError(f"record truncated: {missing} bytes missing")
    requested = headers.get_header("WARC-Mofawatch-Requested-URL")
    http_headers = tuple(record.http_headers.headers)
    return Capture(
        url=requested or target,
        fetched_at=when,
        status=status,
        body=None,
        headers=http_headers,
        origin=f"{path}@{offset}",
        role=headers.get_header("WARC-Mofawatch-Role"),
        final_url=target if requested else None,
        body_ref=None if status == 304 else BodyRef(SourceKind.WARC, str(path), offset),
        is_page=_is_page(status, http_headers, body),
    )


# --- Scrapy HTTP cache --------------------------------------------------------


class _DataOnlyUnpickler(pickle.Unpickler):
    """pickled_meta holds plain dicts; refusing every class keeps a cache inert."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def read_httpcache(root: Path) -> Iterator[Item]:
    """Entries of a FilesystemCacheStorage folder (HTTPCACHE_DIR or one spider's)."""
    folders = sorted({m.parent for name in CACHE_META for m in root.rglob(name)})
    for folder in folders:
        try:
            yield _cache_entry(folder)
        except (OSError, ValueError, SyntaxError, pickle.UnpicklingError) as exc:
            yield Problem(str(folder), None, f"unreadable cache entry: {exc}")


def _cache_file(folder: Path, name: str) -> bytes:
    data = (folder / name).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _cache_meta(folder: Path) -> dict[str, Any]:
    if (folder / "pickled_meta").exists():
        meta = _DataOnlyUnpickler(
            io.BytesIO(_cache_file(folder, "pickled_meta"))
        ).load()
    else:
        meta = ast.literal_eval(_cache_file(folder, "meta").decode("utf-8"))
    if not isinstance(meta, dict) or "url" not in meta:
        raise ValueError("meta has no url")
    return meta


def _cache_entry(folder: Path) -> Item:
    meta = _cache_meta(folder)
    headers = _parse_raw_headers(_cache_file(folder, "response_headers"))
    body = _cache_file(folder, "response_body")
    when = datetime.fromtimestamp(float(meta.get("timestamp", 0)), UTC)
    if not _looks_like_html(body, headers):
        return Problem(str(folder), None, "response body is not HTML")
    return Capture(
        url=str(meta.get("response_url") or meta["url"]),
        fetched_at=when,
        status=int(meta.get("status", 200)),
        body=None,
        headers=headers,
        origin=str(folder),
        body_ref=BodyRef(SourceKind.HTTPCACHE, str(folder)),
    )


def _parse_raw_headers(raw: bytes) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in raw.decode("latin-1").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


# --- folders of saved HTML ----------------------------------------------------


def read_html_folder(root: Path, base_url: str) -> Iterator[Item]:
    """Saved pages; URLs from urls.csv / manifest.json, else from the path."""
    listed = _manifest(root)
    files = sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel in MANIFESTS or path.name.startswith("."):
            continue
        entry = listed.get(rel)
        if entry is None and not path.name.lower().endswith(HTML_SUFFIXES):
            yield Problem(str(path), None, "not an HTML file")
            continue
        yield _html_file(path, rel, entry, base_url)


def _html_file(
    path: Path, rel: str, entry: tuple[str, datetime | None] | None, base_url: str
) -> Item:
    try:
        body = path.read_bytes()
        when = entry[1] if entry and entry[1] else None
        if when is None:
            when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        return Problem(str(path), None, f"cannot be read: {exc.strerror or exc}")
    if not _looks_like_html(body, ()):
        return Problem(str(path), None, "not HTML")
    url = entry[0] if entry else f"{base_url.rstrip('/')}/{rel}"
    return Capture(
        url=url,
        fetched_at=when,
        status=200,
        body=None,
        headers=(),
        origin=str(path),
        body_ref=BodyRef(SourceKind.HTML, str(path)),
    )


def _manifest(root: Path) -> dict[str, tuple[str, datetime | None]]:
    entries: dict[str, tuple[str, datetime | None]] = {}
    csv_path, json_path = root / "urls.csv", root / "manifest.json"
    if csv_path.is_file():
        with csv_path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("path") and row.get("url"):
                    entries[row["path"]] = (
                        row["url"],
                        _parse_time(row.get("fetched_at")),
                    )
    elif json_path.is_file():
        data = json.loads(json_path.read_text(encoding="utf-8"))
        rows = data.get("files", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):
            rows = [{"path": k, "url": v} for k, v in rows.items()]
        for row in rows:
            entries[str(row["path"])] = (
                str(row["url"]),
                _parse_time(row.get("fetched_at")),
            )
    return entries


# --- shared ---------------------------------------------------------------


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] if text[-6:-5] in ("+", "-") else text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _looks_like_html(body: bytes, headers: tuple[tuple[str, str], ...]) -> bool:
    for name, value in headers:
        if name.lower() == "content-type" and "html" in value.lower():
            return True
    head = body[:_SNIFF]
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", "replace").lower()
    return any(tag in text for tag in ("<html", "<!doctype html", "<head", "<body"))


def header(capture: Capture, name: str) -> str | None:
    """First value of an HTTP header of the capture (case-insensitive)."""
    wanted = name.lower()
    for key, value in capture.headers:
        if key.lower() == wanted:
            return value
    return None


def _is_page(
    status: int, headers: tuple[tuple[str, str], ...], body: bytes | None
) -> bool:
    """Whether a WARC response is a page (robots.txt, images and CSS are not).

    Only 200s are judged: a 304, 404 or 403 means something for the page itself.
    """
    if status != 200:
        return True
    for name, value in headers:
        if name.lower() == "content-type":
            return "html" in value.lower()
    return body is None or _looks_like_html(body, ())


class BodyReader:
    """Loads the bodies of captures again, keeping WARC files open until closed."""

    def __init__(self) -> None:
        self._files: dict[str, BinaryIO] = {}

    def load(self, capture: Capture) -> Capture:
        """The capture with its body; OSError/ValueError if it can no longer be read."""
        ref = capture.body_ref
        if ref is None:
            return capture
        if ref.kind is SourceKind.WARC:
            body = self._warc_body(ref)
        elif ref.kind is SourceKind.HTTPCACHE:
            body = _cache_file(Path(ref.path), "response_body")
        else:
            body = Path(ref.path).read_bytes()
        return replace(capture, body=body, body_ref=None)

    def _warc_body(self, ref: BodyRef) -> bytes:
        fh = self._files.get(ref.path)
        if fh is None:
            # Kept open across records of one file; close() closes it.
            fh = self._files[ref.path] = Path(ref.path).open("rb")  # noqa: SIM115
        fh.seek(ref.offset)
        try:
            record = next(iter(ArchiveIterator(fh)))
            body: bytes = record.content_stream().read()
        except (*_WARC_ERRORS, StopIteration) as exc:
            raise ValueError(f"{ref.path} @ offset {ref.offset}: {exc}") from exc
        return body

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
