"""Helpers for crawl tests: a crawled baseline to copy, and one crawl via run_crawl."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.contract import CrawlStats, RunConfig
from crawler.contract import RevisitPolicy as CrawlRevisit
from monitor.config import RevisitPolicy, Settings, SiteSettings
from monitor.detect.changes import detect_changes
from monitor.detect.ops import evaluate_ops
from monitor.runner.crawl import CrawlResult, run_config_for, run_crawl
from storage.db import opened_database, unit_of_work, upgrade_database
from storage.models import Document, OpsEvent, Version
from storage.runs import start_run
from tests.sitesim import Fault, SiteSim

# A readout added to the press-release index by add_failing_page.
ADDED_PAGE = "/press/release/pressite_000001_00998.html"
# Fast, but with the same code paths: no delay, tiny back-off.
FAST: dict[str, object] = {"retry_backoff_seconds": 0.05}
# Every known document due every cycle (the fixture documents are years old).
EVERY_CYCLE: dict[str, object] = {"revisit": CrawlRevisit(every_cycle_days=36500)}


@dataclass
class World:
    site: SiteSim
    database_url: str

    def settings(self, **site: object) -> Settings:
        values: dict[str, object] = {
            "base_url": self.site.base_url,
            "download_delay": 0.0,
            "timeout_seconds": 5.0,
            "since": "2022-01",
            "revisit": RevisitPolicy(),
        }
        values.update(site)
        return Settings(site=SiteSettings(**values), database_url=self.database_url)

    def run_config(self, **overrides: object) -> RunConfig:
        """A RunConfig for a new run of this world, with RunConfig fields replaced."""
        with self.session() as session:
            run_id = start_run(session, datetime.now(UTC))
        run = run_config_for(
            self.settings(), database_url=self.database_url, run_id=run_id
        )
        return run.model_copy(update={**FAST, **overrides})

    def crawl(self, **overrides: object) -> CrawlResult:
        result = run_crawl(self.run_config(**overrides), timeout=90)
        assert result.reported, result.tail
        return result

    @contextmanager
    def session(self) -> Iterator[Session]:
        with (
            opened_database(self.database_url) as factory,
            unit_of_work(factory) as session,
        ):
            yield session

    def documents(self) -> dict[str, Document]:
        with self.session() as session:
            docs = session.scalars(select(Document)).all()
            return {d.url.removeprefix(self.site.base_url): d for d in docs}

    def versions(self) -> dict[str, list[Version]]:
        with self.session() as session:
            rows = session.execute(
                select(Document.url, Version)
                .join(Version.document)
                .order_by(Version.id)
            ).all()
        out: dict[str, list[Version]] = {}
        for url, version in rows:
            out.setdefault(url.removeprefix(self.site.base_url), []).append(version)
        return out


@dataclass(frozen=True)
class Baseline:
    """The fixture site crawled once: its folder, port and SQLite file."""

    site_root: Path
    port: int
    db_path: Path
    first: CrawlResult
    requests: tuple[tuple[str, int], ...]


def add_failing_page(site: SiteSim) -> str:
    """List a new readout on the press-release index whose fetches answer 500 until
    the site's faults are cleared; its path."""
    site.add_page(
        ADDED_PAGE,
        site.read_page("/press/release/press4e_003170.html"),
        index_path="/press/release/index.html",
        link_text="Japan-U.S. Vice-Ministers' Meeting (again)",
    )
    site.set_fault(ADDED_PAGE, Fault.error(500))
    return ADDED_PAGE


def make_baseline(root: Path) -> Baseline:
    db_path = root / "baseline.db"
    url = f"sqlite:///{db_path}"
    upgrade_database(url)
    site = SiteSim.from_fixture(root / "site").start()
    try:
        world = World(site, url)
        first = world.crawl(**EVERY_CYCLE)
        requests = tuple((r.path, r.status) for r in site.requests)
        port = site.port
    finally:
        site.stop()
    return Baseline(root / "site", port, db_path, first, requests)


def world_from(baseline: Baseline, tmp_path: Path) -> World:
    """A private copy of the baseline site (same port: URLs match) and database."""
    shutil.copytree(baseline.site_root, tmp_path / "site")
    db = tmp_path / "crawl.db"
    for suffix in ("", "-wal", "-shm"):  # SQLite in WAL mode: copy the log with it
        source = Path(f"{baseline.db_path}{suffix}")
        if source.exists():
            shutil.copy(source, f"{db}{suffix}")
    site = SiteSim(tmp_path / "site", port=baseline.port).start()
    return World(site, f"sqlite:///{db}")


@dataclass(frozen=True)
class JudgedCycle:
    """A crawl's statistics and run, and the ops events detect and ops then raised."""

    stats: CrawlStats
    run_id: int
    events: list[tuple[str, str]]  # (kind, phase)


def crawl_detect_ops(world: World) -> JudgedCycle:
    """One crawl with every document due, then detect and ops as a cycle runs them."""
    run = world.run_config(**EVERY_CYCLE)
    result = run_crawl(run, timeout=90)
    assert result.reported, result.tail
    assert run.run_id is not None
    with opened_database(world.database_url) as factory:
        now = datetime.now(UTC)
        detect_changes(factory, world.settings(), now)
        ids = evaluate_ops(factory, world.settings(), now, run_id=run.run_id)
        with factory() as session:
            events = session.scalars(select(OpsEvent).where(OpsEvent.id.in_(ids)))
            phases = [(e.kind, e.phase) for e in events]
    return JudgedCycle(result.stats, run.run_id, phases)
