"""Folder sources: a Scrapy HTTP cache (FilesystemCacheStorage and DbmCacheStorage),
saved .html pages and `wget --mirror` folders (whose first folder is the host)."""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import logging
import pickle
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.replay.capture import (
    BodyRef,
    Capture,
    Ignored,
    Item,
    Problem,
    SourceKind,
    is_page_response,
    looks_like_html,
    parse_time,
)
from monitor.replay.dbmcache import dbm_files, read_dbm_cache

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
MANIFESTS = ("urls.csv", "manifest.json")
CACHE_META = ("pickled_meta", "meta")
# A folder named like a host, as wget --mirror lays them out: "www.mofa.go.jp",
# "127.0.0.1:8000", or "127.0.0.1+8000" under --restrict-file-names=windows.
_HOST_FOLDER = re.compile(
    r"^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})"
    r"(?:[:+]\d{1,5})?$",
    re.IGNORECASE,
)


class _DataOnlyUnpickler(pickle.Unpickler):
    """pickled_meta holds plain dicts; refusing every class keeps a cache inert."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def is_httpcache(root: Path) -> bool:
    """A folder holding Scrapy HTTP-cache entries of either storage."""
    for meta in CACHE_META:
        if next(root.rglob(meta), None) is not None:
            return True
    return bool(dbm_files(root))


def read_httpcache(root: Path) -> Iterator[Item]:
    """Entries of an HTTPCACHE_DIR (or one spider's part of it): the folders of
    FilesystemCacheStorage, then the files of DbmCacheStorage."""
    folders = sorted({m.parent for name in CACHE_META for m in root.rglob(name)})
    for folder in folders:
        try:
            yield _cache_entry(folder)
        except (OSError, ValueError, SyntaxError, pickle.UnpicklingError) as exc:
            yield Problem(str(folder), None, f"unreadable cache entry: {exc}")
    for path in dbm_files(root):
        yield from read_dbm_cache(path)


def cache_file(folder: Path, name: str) -> bytes:
    """One file of a cache entry, gunzipped when HTTPCACHE_GZIP wrote it."""
    data = (folder / name).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _cache_meta(folder: Path) -> dict[str, Any]:
    if (folder / "pickled_meta").exists():
        meta = _DataOnlyUnpickler(io.BytesIO(cache_file(folder, "pickled_meta"))).load()
    else:
        meta = ast.literal_eval(cache_file(folder, "meta").decode("utf-8"))
    if not isinstance(meta, dict) or "url" not in meta:
        raise ValueError("meta has no url")
    return meta


def _cache_entry(folder: Path) -> Item:
    meta = _cache_meta(folder)
    headers = parse_raw_headers(cache_file(folder, "response_headers"))
    body = cache_file(folder, "response_body")
    when = datetime.fromtimestamp(float(meta.get("timestamp", 0)), UTC)
    status = int(meta.get("status", 200))
    if not is_page_response(status, headers, body):
        return Ignored(str(folder), "not a page")
    return Capture(
        url=str(meta.get("response_url") or meta["url"]),
        fetched_at=when,
        status=status,
        body=body,
        headers=headers,
        origin=str(folder),
        body_ref=BodyRef(SourceKind.HTTPCACHE, str(folder)),
    )


def parse_raw_headers(raw: bytes) -> tuple[tuple[str, str], ...]:
    pairs = []
    for line in raw.decode("latin-1").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def read_html_folder(root: Path, base_url: str) -> Iterator[Item]:
    """Saved pages; URLs from urls.csv / manifest.json, else from the path.

    A file not named .html is replayed if it reads as HTML (wget keeps a URL's
    own name) and otherwise counted as not a page: robots.txt, images, CSS, PDFs.
    """
    listed = _manifest(root)
    files = sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel in MANIFESTS or path.name.startswith("."):
            continue
        entry = listed.get(rel)
        named_html = path.name.lower().endswith(HTML_SUFFIXES)
        if entry is None and not named_html and not _reads_as_html(path):
            yield Ignored(str(path), "not a page")
            continue
        yield _html_file(path, rel, entry, base_url)


def _reads_as_html(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return looks_like_html(fh.read(4096), ())
    except OSError:
        return True  # let the page reader name the problem


def url_for_path(rel: str, base_url: str) -> str:
    """The URL of a saved file: under the base URL, or under the host its first
    folder names (wget --mirror), with the base URL's scheme for the same host."""
    first, sep, rest = rel.partition("/")
    if not (sep and _HOST_FOLDER.match(first)):
        return f"{base_url.rstrip('/')}/{rel}"
    host = first.replace("+", ":").lower()
    base = urlsplit(base_url)
    scheme = base.scheme if host == base.netloc.lower() else "https"
    return f"{scheme}://{host}/{rest}"


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
    if not looks_like_html(body, ()):
        return Problem(str(path), None, "not HTML")
    url = entry[0] if entry else url_for_path(rel, base_url)
    return Capture(
        url=url,
        fetched_at=when,
        status=200,
        body=body,
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
                        parse_time(row.get("fetched_at")),
                    )
    elif json_path.is_file():
        data = json.loads(json_path.read_text(encoding="utf-8"))
        rows = data.get("files", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):
            rows = [{"path": k, "url": v} for k, v in rows.items()]
        for row in rows:
            entries[str(row["path"])] = (
                str(row["url"]),
                parse_time(row.get("fetched_at")),
            )
    return entries
