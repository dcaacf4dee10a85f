"""Replay throughput: a WARC of generated pages into a fresh SQLite database.

`python -m bench.replay [--pages 5000] [--rounds 5]` prints pages/s for the whole
replay path (read WARC, store, detect) and for extract alone over the same pages,
and their ratio (target >= 0.7: storage and detection add less than 30%).

Both are timed in every round, in alternating order, each replay into a new
database; the verdict is on the medians, so one pass slowed (or sped up) by the
rest of the machine does not decide it. The fastest passes are no better a guide
on a shared machine whose speed drifts over minutes (extract passes of one run
were seen between 11.8 and 17.2 s): the fastest extract pass and the fastest
replay pass need not have met the same speed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import logging
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler.extract.extractor import extract
from monitor.config import Settings, SiteSettings
from monitor.replay.replayer import check_sources, collect, replay
from storage.db import upgrade_database
from tests.sitegen import generate_site

logger = logging.getLogger(__name__)

BASE_URL = "https://www.mofa.go.jp"
START = datetime(2026, 1, 1, tzinfo=UTC)
TARGET = 0.7
WARM_UP = 50  # pages


def write_warc(
    site_root: Path, paths: list[str], target: Path
) -> list[tuple[str, bytes]]:
    """One response record per page, one second apart; returns (url, body) pairs."""
    pages = []
    with target.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        for n, path in enumerate(paths):
            body = (site_root / path.lstrip("/")).read_bytes()
            url = BASE_URL + path
            when = (START + timedelta(seconds=n)).replace(tzinfo=None)
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"),
                 ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )  # fmt: skip
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": datetime_to_iso_date(when, True)},
            )
            writer.write_record(record)
            pages.append((url, body))
    return pages


@dataclass(frozen=True, slots=True)
class Timing:
    wall_s: float
    cpu_s: float  # this process's CPU time: steadier than wall time on a busy machine


@contextlib.contextmanager
def timed(into: list[Timing]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.append(Timing(time.perf_counter() - wall, time.process_time() - cpu))


def time_extract(pages: list[tuple[str, bytes]]) -> Timing:
    found: list[Timing] = []
    with timed(found):
        for url, body in pages:
            # As in replay, an unrecognizable page (ValueError) is counted, not fatal.
            with contextlib.suppress(ValueError):
                extract(body, url, http_charset="utf-8").to_dict()
    return found[0]


def time_replay(warc: Path, database: Path) -> tuple[Timing, Timing, dict[str, int]]:
    """(reading the WARC, the whole replay including that read, outcome counts)."""
    url = f"sqlite:///{database}"
    upgrade_database(url)
    settings = Settings(database_url=url, site=SiteSettings(base_url=BASE_URL))
    read: list[Timing] = []
    whole: list[Timing] = []
    with timed(whole):
        with timed(read):
            collected = collect(check_sources([str(warc)]), BASE_URL)
        report = replay(settings, collected, datetime.now(UTC))
    return read[0], whole[0], report.counts


def _line(label: str, n: int, t: Timing) -> str:
    return (
        f"{label:<17}{t.wall_s:7.2f} s wall {n / t.wall_s:7.1f} pages/s | "
        f"{t.cpu_s:7.2f} s CPU {n / t.cpu_s:7.1f} pages/s"
    )


def _median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall_s for t in timings),
        statistics.median(t.cpu_s for t in timings),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replay")
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    extracts: list[Timing] = []
    replays: list[Timing] = []
    reads: list[Timing] = []
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        root = Path(tmp)
        site = generate_site(root / "site", documents=args.pages, months=24)
        warc = root / "pages.warc.gz"
        pages = write_warc(root / "site", site.detail_paths, warc)
        n = len(pages)
        print(f"pages: {n} in one WARC ({warc.stat().st_size / 1e6:.1f} MB gzip)")
        # Imports, compiled SQL and the schema upgrade are paid once per process,
        # not per page: a small untimed pass pays them before the rounds.
        warm = root / "warm.warc.gz"
        write_warc(root / "site", site.detail_paths[:WARM_UP], warm)
        time_extract(pages[:WARM_UP])
        time_replay(warm, root / "warm.db")
        for round_no in range(1, args.rounds + 1):
            # Alternate the order: neither pass always runs first in a round.
            steps = ["extract", "replay"]
            for step in steps if round_no % 2 else reversed(steps):
                gc.collect()
                if step == "extract":
                    extracts.append(time_extract(pages))
                    continue
                read_t, replay_t, counts = time_replay(
                    warc, root / f"bench-{round_no}.db"
                )
                reads.append(read_t)
                replays.append(replay_t)
                if counts != {"new_version": n}:
                    print(f"round {round_no}: unexpected outcomes {counts}")
                    return 1
            ratio = extracts[-1].wall_s / replays[-1].wall_s
            print(f"round {round_no}: extract {extracts[-1].wall_s:.2f} s, "
                  f"replay {replays[-1].wall_s:.2f} s, ratio {ratio:.2f}")  # fmt: skip
    extract_t, replay_t = _median(extracts), _median(replays)
    print(f"replay outcomes: {n} new versions in each round")
    print(f"medians of {args.rounds} rounds:")
    print(_line("extract only:", n, extract_t))
    print(_line("replay (all):", n, replay_t))
    print(f"  of which reading the WARC: {_median(reads).wall_s:.2f} s wall")
    wall = extract_t.wall_s / replay_t.wall_s
    cpu = extract_t.cpu_s / replay_t.cpu_s
    verdict = "ok" if wall >= TARGET else "BELOW TARGET"
    print(f"ratio replay/extract-only (medians): {wall:.2f} wall, {cpu:.2f} CPU "
          f"(target >= {TARGET}: {verdict})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
