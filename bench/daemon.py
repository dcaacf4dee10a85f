"""Daemon figures: publish-to-inbox latency, and resident memory over many cycles.

`python -m bench.daemon [--samples 3] [--cycles-long 200] [--every 20]` from the
project root.
Latency: daemon on a 10 s interval, pages published on the simulated site, alerts to
an in-process loopback SMTP server (aiosmtpd). Memory: daemon on a 1 s interval
(cycles run back to back), RSS of the daemon process after 10 cycles and then every
`--every` cycles, to see whether it levels off.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from storage.db import open_database
from storage.models import Run
from tests.demo import demo_env, publish_new_meeting
from tests.servers import HOST, SmtpServer, free_port
from tests.sitesim import SiteSim

LATENCY_INTERVAL = 10
MEMORY_INTERVAL = 1


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


def _finished_runs(db_url: str) -> int:
    try:
        factory = open_database(db_url)
    except Exception:
        return 0
    try:
        with factory() as session:
            stmt = select(func.count(Run.id)).where(Run.finished_at.is_not(None))
            return session.scalar(stmt) or 0
    except OperationalError:
        return 0
    finally:
        factory.kw["bind"].dispose()


def _start_daemon(
    site: SiteSim, folder: Path, config: str
) -> tuple[subprocess.Popen[bytes], str]:
    env = demo_env(site.base_url, folder)
    Path(env["MOFAWATCH_CONFIG"]).write_text(config, encoding="utf-8")
    log = (folder / "daemon.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "daemon"],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, env["MOFAWATCH_DATABASE_URL"]


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=120)


def _wait_runs(db_url: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _finished_runs(db_url) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {count} cycles")
        time.sleep(0.2)


def latency(samples: int) -> list[float]:
    smtp = SmtpServer(HOST, free_port())
    smtp.start()
    figures = []
    with tempfile.TemporaryDirectory(prefix="bench-daemon-") as tmp:
        folder = Path(tmp)
        site = SiteSim.from_fixture(folder / "site").start()
        proc, db_url = _start_daemon(site, folder, _config(LATENCY_INTERVAL, smtp.port))
        try:
            _wait_runs(db_url, 1, 120)
            rng = random.Random(6)
            for i in range(samples):
                time.sleep(rng.uniform(0, LATENCY_INTERVAL))  # anywhere in the cycle
                title = f"Japan-Chile Foreign Ministers\u2019 Meeting No. {i + 1}"
                publish_new_meeting(site, serial=700 + i, title=title)
                began = time.monotonic()
                while not any(title in str(m["Subject"]) for m in smtp.messages):
                    if time.monotonic() - began > 120:
                        raise SystemExit("no alert within 120 s")
                    time.sleep(0.05)
                figures.append(time.monotonic() - began)
                print(
                    f"  sample {i + 1}: published -> in the SMTP inbox in "
                    f"{figures[-1]:.1f} s",
                    flush=True,
                )
            print(f"  daemon exit code after SIGTERM: {_stop(proc)}")
        finally:
            if proc.poll() is None:
                proc.kill()
            site.stop()
            smtp.stop()
    return figures


def memory(cycles_long: int, every: int) -> list[tuple[int, float]]:
    """RSS of the daemon after 10 cycles, then every `every` cycles up to the end."""
    marks = sorted({10, *range(every, cycles_long + 1, every), cycles_long})
    with tempfile.TemporaryDirectory(prefix="bench-daemon-") as tmp:
        folder = Path(tmp)
        site = SiteSim.from_fixture(folder / "site").start()
        proc, db_url = _start_daemon(site, folder, _config(MEMORY_INTERVAL, None))
        series: list[tuple[int, float]] = []
        try:
            daemon = psutil.Process(proc.pid)
            began = time.monotonic()
            for mark in marks:
                _wait_runs(db_url, mark, 20 * cycles_long)
                series.append((mark, daemon.memory_info().rss / 2**20))
                print(
                    f"  after {mark} cycles: RSS {series[-1][1]:.1f} MiB "
                    f"({time.monotonic() - began:.0f} s)",
                    flush=True,
                )
            print(f"  daemon exit code after SIGTERM: {_stop(proc)}")
        finally:
            if proc.poll() is None:
                proc.kill()
            site.stop()
    return series


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


def _memory_report(cycles_long: int, every: int) -> None:
    print(f"Memory: daemon interval {MEMORY_INTERVAL} s (cycles back to back)")
    series = memory(cycles_long, every)
    rss10, rss_n = series[0][1], series[-1][1]
    late = [rss for mark, rss in series if mark >= cycles_long // 2]
    print(
        f"memory: RSS {rss10:.1f} MiB after 10 cycles, {rss_n:.1f} MiB after "
        f"{cycles_long}; growth {rss_n - rss10:+.1f} MiB; from cycle "
        f"{cycles_long // 2} on {min(late):.1f}..{max(late):.1f} MiB; "
        f"target growth < 10 MiB: {'met' if rss_n - rss10 < 10 else 'MISSED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.daemon")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--cycles-long", type=int, default=200)
    parser.add_argument("--every", type=int, default=20, help="cycles between samples")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if not args.skip_latency:
        _latency_report(args.samples)
    if not args.skip_memory:
        _memory_report(args.cycles_long, args.every)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
