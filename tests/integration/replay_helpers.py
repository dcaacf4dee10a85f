"""Helpers shared by the replay, reextract and export tests (plain functions)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.extract.current import current_extractor
from monitor.config import Settings, SiteSettings
from monitor.replay.replayer import check_sources, collect, replay
from storage.db import opened_database, unit_of_work, upgrade_database
from storage.ingest import Extracted, Extractor
from storage.models import Alert, Change, Document, Snapshot, Version

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "replay"
BASE_URL = "https://www.mofa.go.jp"
URL_A = f"{BASE_URL}/press/release/pressite_000001_09001.html"
URL_B = f"{BASE_URL}/press/release/pressite_000001_09002.html"
URL_C = f"{BASE_URL}/press/release/pressite_000001_09003.html"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def upgraded_extractor() -> Extractor:
    """The extractor after an upgrade that calls the topic "China" "PRC"."""
    current = current_extractor()

    def extract(body: bytes, url: str, charset: str | None) -> Extracted:
        found = current.extract(body, url, charset)
        assert isinstance(found, Extracted)
        topics = [
            "PRC" if topic == "China" else topic
            for topic in found.document.get("topics") or ()
        ]
        return Extracted({**found.document, "topics": topics}, found.path)

    return Extractor("test-upgrade", extract)


def fresh_sqlite(tmp_path: Path, name: str = "replay.db") -> str:
    url = f"sqlite:///{tmp_path / name}"
    upgrade_database(url)
    return url


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, site=SiteSettings(base_url=BASE_URL))


def replay_paths(url: str, *names: str, **options):
    settings = settings_for(url)
    collected = collect(check_sources([str(FIXTURES / n) for n in names]), BASE_URL)
    return replay(settings, collected, NOW, **options)


@contextmanager
def session_on(url: str) -> Iterator[Session]:
    """One transaction on its own engine, disposed afterwards (no pooled leftovers)."""
    with opened_database(url) as factory, unit_of_work(factory) as session:
        yield session


def history(url: str) -> dict[str, list[str]]:
    """URL -> content hashes of its versions in seq order."""
    found: dict[str, list[str]] = defaultdict(list)
    with session_on(url) as session:
        stmt = (
            select(Document.url, Version.content_sha256)
            .join(Version, Version.document_id == Document.id)
            .order_by(Document.url, Version.seq)
        )
        for doc_url, digest in session.execute(stmt):
            found[doc_url].append(digest)
    return dict(found)


def contents(url: str) -> dict[str, list[dict[str, Any]]]:
    """URL -> the stored Document of each of its versions, in seq order."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with session_on(url) as session:
        stmt = (
            select(Document.url, Version.content)
            .join(Version, Version.document_id == Document.id)
            .order_by(Document.url, Version.seq)
        )
        for doc_url, content in session.execute(stmt):
            found[doc_url].append(content)
    return dict(found)


def row_counts(url: str) -> dict[str, int]:
    with session_on(url) as session:
        return {
            model.__tablename__: int(
                session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Document, Snapshot, Version, Change, Alert)
        }


def changes_of(url: str) -> list[tuple[str, str, bool]]:
    """(document url, change kind, is_silent) in detection order."""
    with session_on(url) as session:
        stmt = (
            select(Document.url, Change.kind, Change.is_silent)
            .join(Document, Document.id == Change.document_id)
            .order_by(Change.id)
        )
        return [(u, str(k), bool(s)) for u, k, s in session.execute(stmt)]


def point_cli_at(monkeypatch, tmp_path: Path, url: str) -> None:
    """Make `monitor.cli.main.main` use this database, and undo its logging set-up."""
    monkeypatch.chdir(tmp_path)  # no stray mofawatch.toml
    monkeypatch.delenv("MOFAWATCH_CONFIG", raising=False)
    monkeypatch.setenv("MOFAWATCH_DATABASE_URL", url)
    monkeypatch.setenv("MOFAWATCH_BASE_URL", BASE_URL)
    root = logging.getLogger()
    # main() replaces the root handlers with one bound to this test's stderr.
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)


class RecordingNotifier:
    """A console stand-in that keeps what it was asked to send."""

    def __init__(self, name: str = "console") -> None:
        self.name = name
        self.sent: list[Any] = []

    def send(self, message) -> None:
        self.sent.append(message)
