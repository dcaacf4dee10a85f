"""Daemon figures: publish-to-inbox latency, and resident memory over many cycles.

`python -m bench.daemon [--samples 3] [--cycles 200]` from the
project root.
Latency: daemon on a 10 s interval, pages published on the simulated site, alerts to
an in-process loopback SMTP server (aiosmtpd). Memory: a quiet daemon on a 1 s
interval (cycles run back to back), RSS of the daemon process after cycles 10, 50,
100, 150 and 200 (scaled to `--cycles`), the growth per cycle over the last half, and
the bound of tests/daemon_memory.py.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from tests.daemon_memory import (
    BOUND_FROM,
    BOUND_TO,
    RSS_GROWTH_BOUND_MIB,
    running_daemon,
    sample_rss,
    stop_daemon,
    wait_runs,
)
from tests.demo import publish_new_meeting
from tests.servers import HOST, SmtpServer, free_port
from tests.sitesim import SiteSim

LATENCY_INTERVAL = 10


def _config(interval: int, smtp_port: int | None) -> str:
    text = (
        "[site]\ndownload_delay = 0\nretry_times = 0\n"
        f'[schedule]\ninterval = "{interval}s"\njitter_seconds = 0\n'
    )
    if smtp_port is not None:
        text += (
            '[[channels]]\nname = "desk"\ntype = "email"\nto = ["desk@example.org"]\n'
            f'smtp_host = "{HOST}"\nsmtp_port = {smtp_port}\nsecurity = "none"\n'
        )
    return text


def latency(samples: int) -> list[float]:
    smtp = SmtpServer(HOST, free_port())
    smtp.start()
    config = _config(LATENCY_INTERVAL, smtp.port)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-daemon-") as tmp:
            folder = Path(tmp)
            with (
                SiteSim.from_fixture(folder / "site") as site,
                running_daemon(site, folder, config) as (proc, db_url),
            ):
                wait_runs(db_url, 1, 120)
                rng = random.Random(6)
                figures = [_sample(site, smtp, i, rng) for i in range(samples)]
                print(f"  daemon exit code after SIGTERM: {stop_daemon(proc)}")
    finally:
        smtp.stop()
    return figures


def _sample(site: SiteSim, smtp: SmtpServer, i: int, rng: random.Random) -> float:
    """Seconds from publishing a page, anywhere in the cycle, to its alert's arrival."""
    time.sleep(rng.uniform(0, LATENCY_INTERVAL))
    title = f"Japan-Chile Foreign Ministers\u2019 Meeting No. {i + 1}"
    publish_new_meeting(site, serial=700 + i, title=title)
    began = time.monotonic()
    while not any(title in str(m["Subject"]) for m in smtp.messages):
        if time.monotonic() - began > 120:
            raise SystemExit("no alert within 120 s")
        time.sleep(0.05)
    figure = time.monotonic() - began
    print(
        f"  sample {i + 1}: published -> in the SMTP inbox in {figure:.1f} s",
        flush=True,
    )
    return figure


def _scaled(cycles: int, mark: int) -> int:
    """Cycle `mark` of the stretch the bound is stated for, in a run of `cycles`."""
    return max(1, cycles * mark // BOUND_TO)


def memory(cycles: int) -> list[tuple[int, float]]:
    """RSS of a real quiet daemon after cycles 10, 50, 100, 150 and 200 (scaled)."""
    marks = {_scaled(cycles, k) for k in (10, BOUND_FROM, 100, 150, BOUND_TO)}
    began = time.monotonic()

    def show(mark: int, rss: float) -> None:
        print(
            f"  after {mark} cycles: RSS {rss:.1f} MiB "
            f"({time.monotonic() - began:.0f} s)",
            flush=True,
        )

    return sample_rss(marks, on_sample=show)


def _latency_report(samples: int) -> None:
    print(
        f"Latency: daemon interval {LATENCY_INTERVAL} s, jitter 0, "
        f"{samples} pages published at random moments"
    )
    figures = latency(samples)
    worst = max(figures)
    target = LATENCY_INTERVAL + 5
    print(
        f"latency: mean {sum(figures) / len(figures):.1f} s, worst {worst:.1f} s; "
        f"target < {target} s: {'met' if worst < target else 'MISSED'}"
    )


def _memory_report(cycles: int) -> None:
    print(f"Memory: quiet daemon, interval 1 s (cycles back to back), {cycles} cycles")
    series = dict(memory(cycles))
    last, half, quarter = cycles, max(1, cycles // 2), _scaled(cycles, BOUND_FROM)
    per_cycle = (series[last] - series[half]) / max(1, last - half) * 1024
    growth = series[last] - series[quarter]
    print(
        f"memory: growth over the last half {per_cycle:+.1f} KiB per cycle; "
        f"RSS after cycle {last} less after cycle {quarter}: {growth:+.1f} MiB; "
        f"bound < {RSS_GROWTH_BOUND_MIB:.0f} MiB: "
        f"{'met' if growth < RSS_GROWTH_BOUND_MIB else 'MISSED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.daemon")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument(
        "--cycles", "--cycles-long", type=int, default=200, help="quiet cycles to run"
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if not args.skip_latency:
        _latency_report(args.samples)
    if not args.skip_memory:
        _memory_report(args.cycles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
