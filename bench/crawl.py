"""Crawl benchmark: a generated site (2,000 documents, 24 monthly archives), delay 0.

First crawl: pages per second. Then a no-change cycle: requests, share answered 304,
bytes, wall time including the subprocess start, against index pages in scope plus
the revisits the schedule says are due (computed by the spider's own planner).
Run: python -m bench.crawl [--documents N] [--months M]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crawler import plan
from crawler.contract import LogLevel
from crawler.revisit import RevisitPolicy
from monitor.config import Settings, SiteSettings
from monitor.runner.crawl import CrawlResult, run_config_for, run_crawl
from storage.db import open_database, unit_of_work, upgrade_database
from storage.runs import start_run
from tests.sitegen import generate_site
from tests.sitesim import SiteSim

logger = logging.getLogger(__name__)

END_MONTH = "2026-10"
FIRST_NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
SECOND_NOW = FIRST_NOW + timedelta(minutes=30)  # the next cycle of a 30-minute schedule


def _crawl(settings: Settings, now: datetime) -> tuple[CrawlResult, float, float]:
    with unit_of_work(open_database(settings.database_url)) as session:
        run_id = start_run(session, datetime.now(UTC))
    run = run_config_for(
        settings, database_url=settings.database_url, run_id=run_id, now=now
    ).model_copy(update={"log_level": LogLevel.WARNING})
    started = time.perf_counter()
    cpu_before = _child_cpu()
    result = run_crawl(run, timeout=900)
    elapsed = time.perf_counter() - started
    cpu = _child_cpu() - cpu_before
    if not result.ok:
        sys.stderr.write(result.tail)
        raise SystemExit(result.describe())
    return result, elapsed, cpu


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _planned(settings: Settings, since: tuple[int, int]) -> plan.CrawlPlan:
    return plan.load_plan(
        open_database(settings.database_url),
        base_url=settings.site.base_url,
        sections=settings.site.sections,
        now=SECOND_NOW,
        revisit=RevisitPolicy(),
        archives=plan.ArchivePolicy(since=since),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generated = generate_site(
            root / "site",
            documents=args.documents,
            months=args.months,
            end_month=END_MONTH,
        )
        first_month = generated.months[0]
        since = (int(first_month[:4]), int(first_month[4:]))
        database_url = f"sqlite:///{root / 'bench.db'}"
        upgrade_database(database_url)
        with SiteSim(generated.root) as site:
            settings = Settings(
                site=SiteSettings(
                    base_url=site.base_url,
                    download_delay=0.0,
                    since=f"{since[0]:04d}-{since[1]:02d}",
                    # The generated site has no statement list pages.
                    sections=("press_releases", "press_conferences", "japan_us"),
                ),
                database_url=database_url,
            )
            first, first_wall, _cpu = _crawl(settings, FIRST_NOW)
            pages = len(site.requests)
            _report_first(generated.detail_paths, first, first_wall, pages)

            planned = _planned(settings, since)
            site.clear_requests()
            second, second_wall, second_cpu = _crawl(settings, SECOND_NOW)
            _report_second(planned, second, second_wall, second_cpu, site)
            _report_due(planned, generated.dates, site.base_url)
    return 0


def _report_first(
    details: list[str], result: CrawlResult, wall: float, pages: int
) -> None:
    stats = result.stats
    print(f"generated site: {len(details)} documents")
    print(
        f"first crawl: {pages} requests ({stats.index_pages} index pages, "
        f"{stats.new_documents} new documents, {stats.extract_errors} extract "
        f"errors) in {wall:.1f} s wall = {pages / wall:.0f} pages/s"
    )


def _report_second(
    planned: plan.CrawlPlan, result: CrawlResult, wall: float, cpu: float, site: SiteSim
) -> None:
    stats = result.stats
    index_scope = len(planned.entry_pages) + len(planned.archives)
    requests = len(site.requests)
    answered_304 = sum(1 for r in site.requests if r.status == 304)
    robots = sum(1 for r in site.requests if r.path == "/robots.txt")
    bytes_sent = sum(r.bytes_sent for r in site.requests)
    budget = index_scope + len(planned.revisits) + robots
    print(
        f"no-change cycle: {requests} requests; budget = {index_scope} index pages "
        f"in scope + {len(planned.revisits)} revisits due + {robots} robots.txt "
        f"= {budget} -> {'OK' if requests <= budget else 'OVER'}"
    )
    share = answered_304 / requests if requests else 0.0
    print(
        f"  answered 304: {answered_304}/{requests} = {share:.1%} "
        f"({'OK' if share >= 0.95 else 'BELOW 95%'})"
    )
    print(
        f"  bytes received: {bytes_sent} body bytes sent by the site; "
        f"{stats.bytes} response bytes counted by Scrapy (headers included)"
    )
    print(
        f"  wall time incl. subprocess start: {wall:.2f} s "
        f"({'OK' if wall < 5 else 'OVER 5 s'}); crawl process CPU {cpu:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"  new versions: {stats.new_versions}, sections: {stats.sections}")


def _report_due(planned: plan.CrawlPlan, dates: dict[str, date], base: str) -> None:
    young = SECOND_NOW.date() - timedelta(days=RevisitPolicy().every_cycle_days)
    recent = sum(
        1 for url in planned.revisits if dates[url.removeprefix(base)] >= young
    )
    print(
        f"  revisits due: {len(planned.revisits)} = {recent} documents dated on or "
        f"after {young} (every cycle for 3 days) + "
        f"{len(planned.revisits) - recent} placeholders or pending checks"
    )


if __name__ == "__main__":
    raise SystemExit(main())
