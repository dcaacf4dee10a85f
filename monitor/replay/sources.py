"""Replay sources: which kind a SOURCE is, its captures, and their bodies on demand.

Each reader yields Capture values and reports unreadable input as Problem values
(file and offset) instead of raising, so one bad record never stops a replay.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Self

from monitor.replay.capture import (
    BodyRef,
    Capture,
    Ignored,
    Item,
    Problem,
    SourceError,
    SourceKind,
    header,
)
from monitor.replay.dbmcache import DbmBodies, dbm_name, read_dbm_cache
from monitor.replay.folders import (
    cache_file,
    is_httpcache,
    read_html_folder,
    read_httpcache,
)
from monitor.replay.warc import read_warc, read_warc_body

__all__ = [
    "BodyReader",
    "BodyRef",
    "Capture",
    "Ignored",
    "Item",
    "Problem",
    "SourceError",
    "SourceKind",
    "header",
    "read_html_folder",
    "read_httpcache",
    "read_source",
    "read_warc",
    "source_kind",
]

logger = logging.getLogger(__name__)


def source_kind(path: Path) -> SourceKind:
    """What kind of source `path` is; SourceError when missing or unknown."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    name = path.name.lower()
    if path.is_file() and name.endswith((".warc", ".warc.gz")):
        return SourceKind.WARC
    if path.is_dir():
        return SourceKind.HTTPCACHE if is_httpcache(path) else SourceKind.HTML
    if dbm_name(path) is not None:
        return SourceKind.DBM
    raise SourceError(
        f"{path}: not a WARC file (.warc, .warc.gz), an HTTP-cache folder or "
        "DBM cache file (.db), or a folder of .html files"
    )


def read_source(path: Path, kind: SourceKind, base_url: str) -> Iterator[Item]:
    if kind is SourceKind.WARC:
        return read_warc(path)
    if kind is SourceKind.HTTPCACHE:
        return read_httpcache(path)
    if kind is SourceKind.DBM:
        return read_dbm_cache(dbm_name(path) or path)
    return read_html_folder(path, base_url)


class BodyReader:
    """Loads the bodies of captures again, keeping WARC files open until closed."""

    def __init__(self) -> None:
        self._files: dict[str, BinaryIO] = {}
        self._dbm = DbmBodies()

    def load(self, capture: Capture) -> Capture:
        """The capture with its body; OSError/ValueError if it can no longer be read."""
        ref = capture.body_ref
        if ref is None or capture.body is not None:
            return capture
        if ref.kind is SourceKind.WARC:
            body = self._warc_body(ref)
        elif ref.kind is SourceKind.HTTPCACHE:
            body = cache_file(Path(ref.path), "response_body")
        elif ref.kind is SourceKind.DBM:
            body = self._dbm.body(ref)
        else:
            body = Path(ref.path).read_bytes()
        return replace(capture, body=body, body_ref=None)

    def _warc_body(self, ref: BodyRef) -> bytes:
        fh = self._files.get(ref.path)
        if fh is None:
            # Kept open across records of one file; close() closes it.
            fh = self._files[ref.path] = Path(ref.path).open("rb")  # noqa: SIM115
        return read_warc_body(fh, ref.offset)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
        self._dbm.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
