"""WARC sources: response records in file order; a corrupt record is skipped."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from monitor.replay.capture import (
    BodyRef,
    Capture,
    Item,
    Problem,
    SourceKind,
    is_page_response,
    parse_time,
)

logger = logging.getLogger(__name__)

WARC_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
)


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
    except WARC_ERRORS as exc:
        offset: int = iterator.offset
        logger.debug("%s: WARC error at %d: %s", path, offset, exc)
        return offset, f"{type(exc).__name__}: {_readable(exc)}"
    return None


def _readable(exc: Exception) -> str:
    # warcio quotes the bad line itself, which for a damaged gzip member is binary.
    text = str(exc).split(", first line:", 1)[0].splitlines()[0] if str(exc) else ""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text[:120] or "unreadable"


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
    when = parse_time(headers.get_header("WARC-Date") or "")
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
        body=None if status == 304 else body,
        headers=http_headers,
        origin=f"{path}@{offset}",
        role=headers.get_header("WARC-Mofawatch-Role"),
        final_url=target if requested else None,
        body_ref=None if status == 304 else BodyRef(SourceKind.WARC, str(path), offset),
        is_page=is_page_response(status, http_headers, body),
    )


def read_warc_body(fh: BinaryIO, offset: int) -> bytes:
    """The payload of the record at `offset` (ValueError when it cannot be read)."""
    fh.seek(offset)
    try:
        record = next(iter(ArchiveIterator(fh)))
        body: bytes = record.content_stream().read()
    except (*WARC_ERRORS, StopIteration) as exc:
        raise ValueError(f"{fh.name} @ offset {offset}: {exc}") from exc
    return body
