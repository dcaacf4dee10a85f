"""Layout drift from the structural fallback: it starts when more than drift_share
of a cycle's extracted pages took the fallback, with one alert per ops channel, and
ends when they are back on the landmarks; fewer say nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crawler.extract.current import extract_for_storage
from monitor.config import ChannelSettings, OpsSettings, Settings
from monitor.detect.ops import evaluate_ops
from storage.db import unit_of_work
from storage.ingest import Extractor, Outcome
from storage.models import Alert, OpsEvent
from storage.runs import start_run, update_run_stats
from storage.snapshots import FetchRecord
from tests.factories import T0
from tests.integration.ingest_helpers import ingest_one
from tests.layouts import TEMPLATES, load_readouts, url_of

READOUTS = load_readouts("en")[:6]
EXTRACTOR = Extractor("1", extract_for_storage)
SETTINGS = Settings(
    channels=(
        ChannelSettings(name="desk", type="console"),
        ChannelSettings(name="ops", type="console"),
    ),
    ops=OpsSettings(channels=("ops",), drift_share=0.5),
)


def _cycle(factory, day: int, renamed: int) -> list[tuple[str, str]]:
    """A cycle fetching every readout, the first `renamed` ones in the renamed
    template; the ops events it made."""
    now = T0 + timedelta(days=day)
    with unit_of_work(factory) as session:
        run_id = start_run(session, now)
    outcomes = []
    for n, readout in enumerate(READOUTS):
        page = TEMPLATES["renamed" if n < renamed else "mofa"](readout)
        fetch = FetchRecord(url_of(readout), now, 200, body=page.encode("utf-8"))
        with unit_of_work(factory) as session:
            result = ingest_one(session, fetch, EXTRACTOR, run_id=run_id)
        outcomes.append(result.outcome)
    crawl = {
        "new_versions": outcomes.count(Outcome.NEW_VERSION),
        "unchanged": outcomes.count(Outcome.UNCHANGED),
        "extract_errors": 0,
    }
    assert sum(crawl.values()) == len(READOUTS)  # each page read, one way or another
    with unit_of_work(factory) as session:
        update_run_stats(session, run_id, {"crawl": crawl})
    ids = evaluate_ops(factory, SETTINGS, now, run_id=run_id)
    with factory() as session:
        events = session.scalars(select(OpsEvent).where(OpsEvent.id.in_(ids)))
        return [(e.kind, e.phase) for e in events]


def _ops_alerts(factory) -> list[str]:
    with factory() as session:
        return [a.channel for a in session.scalars(select(Alert))]


def test_drift_follows_the_share_of_pages_on_the_fallback(session_factory):
    assert _cycle(session_factory, 0, renamed=0) == []
    assert _cycle(session_factory, 1, renamed=2) == []  # a third: not a drift
    assert _cycle(session_factory, 2, renamed=4) == [("layout_drift", "started")]
    assert _cycle(session_factory, 3, renamed=6) == []  # still drifting: no repeat
    assert _ops_alerts(session_factory) == ["ops"]
    assert _cycle(session_factory, 4, renamed=0) == [("layout_drift", "ended")]
    assert _ops_alerts(session_factory) == ["ops", "ops"]
