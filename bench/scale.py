"""Scaling benchmark: 2,000 and 20,000 documents (100,000 with --large).

For each size: a generated site (tests/sitegen.py) served over loopback, a database
filled in bulk as a finished baseline leaves it (bench/scalefill.py), then
- the quiet cycle end to end (`mofawatch run`'s execute_cycle: lock, crawl process,
  detection, dispatch), wall and CPU (this process and its children), the median of
  three after one warm-up cycle; its ratio to the smallest size's;
- requests per cycle over a simulated month of 30-minute cycles at the default delay
  and budget, from the crawl's own planner (crawler.plan.load_plan) with each planned
  revisit recorded as fetched, against the former rule (every due document at once,
  unstaggered) computed over the same cycles in this process;
- wall time (the median of three runs after a warm-up run) and peak memory (the
  child's VmHWM) of `changes`, `feed` and `export --format jsonl`, and of `changes
  --limit 0` (every change, streamed), beside `mofawatch --help`: starting Python
  and the command line, without the database layer's imports or any reading; each
  figure's ratio to the smallest size's at the end.

The crawl process and the commands run from bytecode Python caches once, as an
installed mofawatch does (pip compiles it at install), even where the environment
sets PYTHONDONTWRITEBYTECODE; `--bytecode source` has every process compile them
from source again, as such an environment does with a checkout.

python -m bench.scale [--sizes 2000,20000] [--large] [--port 0] [--scratch DIR]
                      [--database-name scale-{n}.db] [--bytecode cached|source]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bench.scalefill import fill
from bench.scalemonth import former_rule_counts, simulate_month
from monitor.config import ScheduleSettings, Settings, SiteSettings
from monitor.runner.cycle import execute_cycle
from storage.db import close_database, open_database, upgrade_database
from tests.sitegen import GeneratedSite, generate_site
from tests.sitesim import SiteSim

logger = logging.getLogger(__name__)

T = TypeVar("T")

END_MONTH = "2026-10"
SECTIONS = ("press_releases", "press_conferences", "japan_us")  # no statements
NO_BYTECODE = "PYTHONDONTWRITEBYTECODE"
START_COMMAND = ("--help",)  # starting alone: no database layer, no reading
READ_COMMANDS = (
    START_COMMAND,
    ("changes",),
    ("feed",),
    ("export", "--format", "jsonl"),
    ("changes", "--limit", "0"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--large", action="store_true", help="add 100,000")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--scratch", help="folder for sites and databases")
    parser.add_argument("--database-name", default="scale-{n}.db")
    parser.add_argument("--month-days", type=int, default=30)
    parser.add_argument(
        "--bytecode",
        choices=("cached", "source"),
        default="cached",
        help="cached: as installed; source: recompiled by every process",
    )
    args = parser.parse_args(argv)
    if args.bytecode == "cached":
        os.environ.pop(NO_BYTECODE, None)  # the crawl and the commands inherit it
    else:
        os.environ[NO_BYTECODE] = "1"
    print(f"bytecode: {args.bytecode}")
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    sizes += [100_000] if args.large else []
    if args.scratch:
        Path(args.scratch).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.scratch) as tmp:
        results = {n: _one_size(Path(tmp), n, args) for n in sizes}
    smallest = results[sizes[0]]
    for name in smallest:
        for n, figures in results.items():
            wall, first = figures[name], smallest[name]
            print(f"{name} at {n}: {wall:.2f} s = {wall / first:.2f}x {sizes[0]}")
    return 0


def _one_size(root: Path, n: int, args: argparse.Namespace) -> dict[str, float]:
    """Wall times at this size: the quiet cycle's, then each read command's."""
    started = time.perf_counter()
    site = generate_site(
        root / f"site-{n}", documents=n, months=max(24, n // 500), end_month=END_MONTH
    )
    database = root / args.database_name.format(n=n)
    url = f"sqlite:///{database}"
    upgrade_database(url)
    with SiteSim(site.root, port=args.port) as sim:
        settings = generated_site_settings(sim.base_url, url, site)
        herd = datetime.now(UTC) - timedelta(hours=1)
        factory = open_database(url)
        with factory.begin() as session:
            filled = fill(session.connection(), site, sim.base_url, herd)
        print(f"\n== {n} documents ({len(site.months)} months), filled {filled} in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        quiet = _quiet_cycles(settings)
        _month(settings, factory, site, herd, args.month_days)
        close_database(factory)
    reads = _read_commands(url, root)
    print(f"  database: {database.stat().st_size / 1e6:.1f} MB")
    return {"quiet cycle": quiet} | reads


def generated_site_settings(
    base_url: str, database_url: str, site: GeneratedSite, **fields: Any
) -> Settings:
    """Settings for a generated site: its sections from its first month, no delay
    (and any other [site] fields given)."""
    first = site.months[0]
    values: dict[str, Any] = {
        "base_url": base_url,
        "sections": SECTIONS,
        "since": f"{first[:4]}-{first[4:]}",
        "download_delay": 0.0,
        **fields,
    }
    return Settings(site=SiteSettings(**values), database_url=database_url)


def _quiet_cycles(settings: Settings) -> float:
    walls, cpus = [], []
    for attempt in range(4):
        wall, cpu, report = _timed(lambda: execute_cycle(settings, _now))
        if report.exit_code != 0:
            raise SystemExit(f"cycle failed: {report.exit_code} {report.lines}")
        if attempt:  # the first cycle fetches the index pages for the first time
            walls.append(wall)
            cpus.append(cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"  quiet cycle: {wall:.2f} s wall, {cpu:.2f} s CPU (median of 3; "
          f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")  # fmt: skip
    return wall


def _month(
    settings: Settings, factory: object, site: GeneratedSite, herd: datetime, days: int
) -> None:
    # The month runs at the defaults of a real deployment: 2 s delay, 30 minutes.
    real = settings.model_copy(
        update={
            "site": settings.site.model_copy(update={"download_delay": 2.0}),
            "schedule": ScheduleSettings(),
        }
    )
    start = datetime.now(UTC)
    new = simulate_month(real, factory, start, days)
    old = former_rule_counts(site, herd, start, new, real)
    for name, counts in (("budgeted, staggered", new.requests), ("former rule", old)):
        print(f"  requests per cycle over {days} days ({name}): min {min(counts)}, "
              f"median {statistics.median(counts):.0f}, max {max(counts)}, "
              f"total {sum(counts)}")  # fmt: skip
    print(f"  revisit budget per cycle: {new.budget}; plan time per cycle: median "
          f"{statistics.median(new.plan_seconds) * 1000:.1f} ms")  # fmt: skip


# Runs one command and reports its peak resident memory (VmHWM: this process's own,
# not inherited from the benchmark it was forked from) on its last stderr line.
_MEASURED = """
import runpy, sys
sys.argv = ["mofawatch", *sys.argv[1:]]
try:
    runpy.run_module("monitor", run_name="__main__", alter_sys=True)
finally:
    peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]
    sys.stderr.write("peak " + peak[0].split()[1] + "\\n")
"""


def _read_commands(database_url: str, cwd: Path) -> dict[str, float]:
    """command -> median wall time of three runs after one not timed, printed with
    the peak memory of the three."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    env["MOFAWATCH_DATABASE_URL"] = database_url
    walls: dict[str, float] = {}
    for command in READ_COMMANDS:
        argv = [sys.executable, "-c", _MEASURED, "-q", *command]
        runs, peaks, codes = [], [], set()
        subprocess.run(argv, env=env, cwd=cwd, capture_output=True)  # warm-up
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run(
                argv,
                env=env,
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            runs.append(time.perf_counter() - started)
            peaks.append(int(done.stderr.decode().split()[-1]) / 1024)
            codes.add(done.returncode)
        name = " ".join(command)
        walls[name] = statistics.median(runs)
        print(f"  {name}: {walls[name]:.2f} s (median of 3), peak {max(peaks):.0f} "
              f"MB (exit {', '.join(map(str, sorted(codes)))})")  # fmt: skip
    return walls


def _timed(call: Callable[[], T]) -> tuple[float, float, T]:
    before = _cpu()
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, _cpu() - before, result


def _cpu() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _now() -> datetime:
    return datetime.now(UTC)


if __name__ == "__main__":
    raise SystemExit(main())
