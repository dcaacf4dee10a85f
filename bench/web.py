"""Web view benchmark: response times of the Changes and Document pages over an
archive of generated documents (2,000 and 100,000 by default), on SQLite.

python -m bench.web [--sizes 2000,100000] [--requests 60] [--pg-url URL]

Each figure is the median and 95th percentile of requests over real HTTP to the
server `mofawatch serve` runs (waitress, in this process); the baseline is the
stylesheet, served by the same server in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.storage import _pg_database
from bench.web_archive import WORDS, fill
from monitor.config import Settings
from monitor.web.server import WebServer, bind_server

logger = logging.getLogger(__name__)

LIMIT_MS = 200.0  # the Changes page at 100,000 documents on SQLite


# --- measuring ------------------------------------------------------------------


@contextmanager
def serving(url: str) -> Iterator[WebServer]:
    settings = Settings(database_url=url)
    web = bind_server(settings, "127.0.0.1", 0)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        web.close()
        thread.join()


def timings(base: str, paths: Callable[[int], str], count: int) -> list[float]:
    """Milliseconds of `count` GETs (after three warm-ups) on one kept-alive
    connection; path i is paths(i). Each answer must be a 200."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
    out: list[float] = []
    try:
        for i in range(-3, count):
            start = time.perf_counter()
            connection.request("GET", paths(i))
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                raise SystemExit(f"{paths(i)}: HTTP {answer.status}")
            if i >= 0:
                out.append((time.perf_counter() - start) * 1000)
    finally:
        connection.close()
    return out


def _figures(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def pages(size: int) -> dict[str, Callable[[int], str]]:
    """The pages measured, each as a function of the request's number."""
    rng = random.Random(size)
    docs = [rng.randint(1, size) for _ in range(1000)]
    deep = size // 2
    return {
        "static (baseline)": lambda i: "/static/style.css",
        "changes, newest": lambda i: "/changes",
        "changes, deep page": lambda i: f"/changes?before={deep + i}",
        "changes, event=updated": lambda i: "/changes?event=updated",
        "changes, section": lambda i: "/changes?section=Press+Releases",
        "changes, kind": lambda i: "/changes?kind=press_release",
        "changes, rare words": lambda i: f"/changes?q=document+{docs[i % 1000]}",
        "changes, common word": lambda i: f"/changes?q={WORDS[i % len(WORDS)]}",
        "document": lambda i: f"/documents/{docs[i % len(docs)]}",
        "diff": lambda i: f"/documents/{10 * (1 + i % max(1, size // 10 - 1))}/diff",
    }


def measure(url: str, size: int, count: int) -> dict[str, tuple[float, float]]:
    with serving(url) as web:
        return {
            name: _figures(timings(web.url, path, count))
            for name, path in pages(size).items()
        }


def _report(label: str, results: dict[int, dict[str, tuple[float, float]]]) -> bool:
    sizes = sorted(results)
    print(f"\n{label}: median / p95 in ms (ratio to the stylesheet's median)")
    header = "".join(f"{f'{size:,} docs':>28}" for size in sizes)
    print(f"{'page':<26}{header}")
    for name in results[sizes[0]]:
        cells = ""
        for size in sizes:
            median, p95 = results[size][name]
            base = results[size]["static (baseline)"][0]
            cells += f"{median:>9.1f} / {p95:>6.1f} ({median / base:>5.1f}x)"
        print(f"{name:<26}{cells}")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for name in ("changes, newest", "document"):
            ratio = results[large][name][0] / results[small][name][0]
            print(f"{name}: {large:,} docs / {small:,} docs = {ratio:.2f}x")
    biggest = results[sizes[-1]]["changes, newest"]
    ok = biggest[1] < LIMIT_MS
    print(
        f"changes page at {sizes[-1]:,} documents: p95 {biggest[1]:.1f} ms "
        f"({'under' if ok else 'OVER'} {LIMIT_MS:.0f} ms)"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,100000")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--pg-url", help="also on this PostgreSQL server (in a scratch database)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="mofawatch-bench-web-") as tmp:
        for size in sizes:
            url = f"sqlite:///{Path(tmp) / f'web-{size}.db'}"
            results[size] = _filled_and_measured(url, size, args.requests)
    ok = _report("SQLite", results)
    if args.pg_url:
        on_pg = {}
        for size in sizes:
            with _pg_database(args.pg_url) as url:
                on_pg[size] = _filled_and_measured(url, size, args.requests)
        _report("PostgreSQL", on_pg)
    return 0 if ok else 1


def _filled_and_measured(
    url: str, size: int, count: int
) -> dict[str, tuple[float, float]]:
    started = time.perf_counter()
    fill(url, size)
    print(f"filled {size:,} documents in {time.perf_counter() - started:.1f} s")
    return measure(url, size, count)


if __name__ == "__main__":
    sys.exit(main())
