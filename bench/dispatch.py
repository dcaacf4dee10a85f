"""Dispatch benchmark: alerts delivered per second from the outbox (SQLite).

Baseline: N alerts about N different documents, all delivered in one pass. Against
it, in the same process: N alerts about N/2 documents (a "new" and its update each)
delivered after an outage, when every "new" has failed once and each update brings
its earlier alert along (the ordering path), and the channel's recovery makes the
rest due at once.

python -m bench.dispatch [--n 1000]
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.storage import _document
from monitor.alerts.dispatch import dispatch_due
from monitor.alerts.notifiers.base import NotifyError
from monitor.config import AlertSettings, ChannelSettings, Settings
from monitor.detect.changes import detect_changes
from storage.db import open_database, unit_of_work, upgrade_database
from storage.versions import record_version

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SETTINGS = Settings(
    channels=(ChannelSettings(name="desk", type="console"),),
    alerts=AlertSettings(backoff_seconds=600, max_backoff_seconds=3600),
)


class Counting:
    """A channel that fails while `down`, and counts what it accepts."""

    name = "desk"

    def __init__(self) -> None:
        self.down = False
        self.accepted = 0

    def send(self, message: Any) -> None:
        if self.down:
            raise NotifyError("server down")
        self.accepted += 1


def _store(url: str, documents: list[dict[str, Any]], now: datetime) -> None:
    factory = open_database(url)
    with unit_of_work(factory) as session:
        for document in documents:
            record_version(session, document["url"], document, None, "bench", now)
    detect_changes(factory, SETTINGS, now)
    factory.kw["bind"].dispose()


def _timed_dispatch(url: str, channel: Counting, now: datetime) -> tuple[float, int]:
    factory = open_database(url)
    started = time.perf_counter()
    sent = 0
    for n in range(100):  # passes until nothing is due (20 rounds of 50 each)
        result = dispatch_due(
            factory, SETTINGS, now + timedelta(seconds=n), notifiers={"desk": channel}
        )
        if result.sent == 0:
            break
        sent += result.sent
    elapsed = time.perf_counter() - started
    factory.kw["bind"].dispose()
    return elapsed, sent


def baseline(url: str, n: int) -> float:
    upgrade_database(url)
    _store(url, [_document(i) for i in range(n)], T0)
    elapsed, sent = _timed_dispatch(url, Counting(), T0 + timedelta(minutes=1))
    print(f"baseline: {sent} alerts, {n} documents: {sent / elapsed:8.0f} alerts/s")
    return elapsed / sent


def after_outage(url: str, n: int) -> float:
    upgrade_database(url)
    documents = [_document(i) for i in range(n // 2)]
    _store(url, documents, T0)
    channel = Counting()
    channel.down = True
    _timed_dispatch(url, channel, T0 + timedelta(minutes=1))
    edited = []
    for document in documents:
        copy_ = copy.deepcopy(document)
        copy_["body"] = [*copy_["body"], "They also discussed the Indo-Pacific."]
        edited.append(copy_)
    _store(url, edited, T0 + timedelta(minutes=2))
    channel.down = False
    elapsed, sent = _timed_dispatch(url, channel, T0 + timedelta(minutes=2))
    print(
        f"ordered after an outage: {sent} alerts, {n // 2} documents: "
        f"{sent / elapsed:8.0f} alerts/s"
    )
    return elapsed / sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch")
    parser.add_argument("--n", type=int, default=1000, help="alerts per scenario")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the outage's failures are expected
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (wall times vary)")
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline(f"sqlite:///{tmp}/base.db", args.n)
        ordered = after_outage(f"sqlite:///{tmp}/ordered.db", args.n)
    print(f"ordered/baseline time per alert: {ordered / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
