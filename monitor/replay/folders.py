"""Folder sources: a Scrapy HTTP cache (FilesystemCacheStorage), saved .html pages."""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import logging
import pickle
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.replay.capture import (
    BodyRef,
    Capture,
    Item,
    Problem,
    SourceKind,
    looks_like_html,
    parse_time,
)

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
MANIFESTS = ("urls.csv", "manifest.json")
CACHE_META = ("pickled_meta", "meta")


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
    headers = _parse_raw_headers(cache_file(folder, "response_headers"))
    body = cache_file(folder, "response_body")
    when = datetime.fromtimestamp(float(meta.get("timestamp", 0)), UTC)
    if not looks_like_html(body, headers):
        return Problem(str(folder), None, "response body is not HTML")
    return Capture(
        url=str(meta.get("response_url") or meta["url"]),
        fetched_at=when,
        status=int(meta.get("status", 200)),
        body=body,
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
    if not looks_like_html(body, ()):
        return Problem(str(path), None, "not HTML")
    url = entry[0] if entry else f"{base_url.rstrip('/')}/{rel}"
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
