"""evaluate_ops: conditions start and end once, with one alert per ops channel."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from monitor.alerts.dispatch import dispatch_due
from monitor.config import ChannelSettings, OpsSettings, Settings
from monitor.detect.ops import evaluate_ops
from storage.db import unit_of_work
from storage.models import OpsEvent
from storage.runs import start_run, update_run_stats
from tests.integration.alerting import RecordingNotifier, alerts, document, later, store

SECTIONS = ("press_releases", "japan_us")
SETTINGS = Settings(
    channels=(
        ChannelSettings(name="desk", type="console"),
        ChannelSettings(name="ops", type="console"),
    ),
    ops=OpsSettings(channels=("ops",), failing_cycles=2, drift_share=0.5),
)


def _crawl(outcome="ok", *, sections=None, **extra):
    sections = sections or dict.fromkeys(SECTIONS, outcome)
    blocked = sum(1 for v in sections.values() if v == "blocked")
    stats = {
        "index_pages": len(sections),
        "index_blocked": blocked,
        "index_failed": 0,
        "responses": 10,
        "new_versions": 1,
        "unchanged": 5,
        "extract_errors": 0,
        "sections": sections,
    }
    stats.update(extra)
    return stats


def _cycle(factory, settings, minute, crawl):
    with unit_of_work(factory) as session:
        run_id = start_run(session, later(minute))
        update_run_stats(session, run_id, {"crawl": crawl})
    return evaluate_ops(factory, settings, later(minute + 1), run_id=run_id)


def _events(factory):
    with factory() as session:
        return [
            (e.kind, e.subject, e.phase)
            for e in session.scalars(select(OpsEvent).order_by(OpsEvent.id))
        ]


def test_block_over_three_cycles_then_recovery_is_one_start_and_one_end(
    session_factory,
):
    store(session_factory, document(), later(0))
    for minute in (0, 30, 60):
        _cycle(session_factory, SETTINGS, minute, _crawl("blocked"))
    _cycle(session_factory, SETTINGS, 90, _crawl("ok"))
    _cycle(session_factory, SETTINGS, 120, _crawl("ok"))
    assert _events(session_factory) == [
        ("blocked", "site", "started"),
        ("blocked", "site", "ended"),
    ]
    assert [a.channel for a in alerts(session_factory)] == ["ops", "ops"]
    ops = RecordingNotifier("ops")
    dispatch_due(
        session_factory,
        SETTINGS,
        later(121),
        notifiers={"ops": ops, "desk": RecordingNotifier("desk")},
    )
    first, second = ops.subjects
    assert "Blocked" in first
    assert "Recovered" in second


def test_one_blocked_section_is_its_own_condition(session_factory):
    store(session_factory, document(), later(0))
    partly = {"press_releases": "blocked", "japan_us": "ok"}
    _cycle(session_factory, SETTINGS, 0, _crawl(sections=partly))
    _cycle(session_factory, SETTINGS, 30, _crawl(sections=partly))
    _cycle(session_factory, SETTINGS, 60, _crawl("ok"))
    assert _events(session_factory) == [
        ("blocked", "press_releases", "started"),
        ("blocked", "press_releases", "ended"),
    ]


def test_failing_is_announced_after_the_configured_cycles_in_a_row(session_factory):
    store(session_factory, document(), later(0))
    failing = {"press_releases": "failing", "japan_us": "ok"}
    assert _cycle(session_factory, SETTINGS, 0, _crawl(sections=failing)) == []
    _cycle(session_factory, SETTINGS, 30, _crawl(sections=failing))
    _cycle(session_factory, SETTINGS, 60, _crawl(sections=failing))
    _cycle(session_factory, SETTINGS, 90, _crawl("ok"))
    assert _events(session_factory) == [
        ("failing", "press_releases", "started"),
        ("failing", "press_releases", "ended"),
    ]


def test_a_single_failed_cycle_between_good_ones_is_not_announced(session_factory):
    store(session_factory, document(), later(0))
    failing = {"press_releases": "failing", "japan_us": "ok"}
    for minute, crawl in enumerate([_crawl(sections=failing), _crawl("ok")] * 2):
        _cycle(session_factory, SETTINGS, minute * 30, crawl)
    assert _events(session_factory) == []


def test_layout_drift_starts_above_the_error_share_and_ends_below(session_factory):
    store(session_factory, document(), later(0))
    _cycle(
        session_factory,
        SETTINGS,
        0,
        _crawl(extract_errors=6, new_versions=0, unchanged=2),
    )
    _cycle(
        session_factory,
        SETTINGS,
        30,
        _crawl(extract_errors=5, new_versions=0, unchanged=1),
    )
    _cycle(session_factory, SETTINGS, 60, _crawl(extract_errors=0))
    assert _events(session_factory) == [
        ("layout_drift", "site", "started"),
        ("layout_drift", "site", "ended"),
    ]


def test_required_field_lost_on_a_known_page_is_layout_drift(session_factory):
    store(session_factory, document(), later(0))
    with unit_of_work(session_factory) as session:
        run_id = start_run(session, later(30))
        update_run_stats(session, run_id, {"crawl": _crawl("ok")})
    from storage.snapshots import FetchRecord, store_snapshot
    from storage.versions import record_version

    with unit_of_work(session_factory) as session:
        snapshot = store_snapshot(
            session,
            FetchRecord(
                url=document()["url"],
                fetched_at=later(30),
                status=200,
                body=b"<html>new layout</html>",
            ),
            run_id=run_id,
        )
        record_version(
            session, document()["url"], document(date=None), snapshot, "1", later(30)
        )
    evaluate_ops(session_factory, SETTINGS, later(31), run_id=run_id)
    assert _events(session_factory) == [("layout_drift", "site", "started")]
    with session_factory() as session:
        event = session.scalars(select(OpsEvent)).one()
        assert event.detail["missing_fields"] == [f"{document()['url']}: date"]


def test_silence_longer_than_the_limit_is_announced_once(session_factory):
    store(session_factory, document(), later(0))
    settings = Settings(channels=SETTINGS.channels, ops=OpsSettings(silence_days=14))
    days = timedelta(days=1) / timedelta(minutes=1)
    _cycle(session_factory, settings, 13 * days, _crawl("ok"))
    _cycle(session_factory, settings, 15 * days, _crawl("ok"))
    _cycle(session_factory, settings, 16 * days, _crawl("ok"))
    store(
        session_factory,
        document(url="https://www.mofa.go.jp/press/release/x.html", doc_id="x"),
        later(17 * days),
    )
    _cycle(session_factory, settings, 17 * days, _crawl("ok"))
    assert _events(session_factory) == [
        ("silence", "site", "started"),
        ("silence", "site", "ended"),
    ]
    # No [ops] channels: every channel hears about it.
    assert sorted(a.channel for a in alerts(session_factory)) == [
        "desk",
        "desk",
        "ops",
        "ops",
    ]


def test_without_channels_ops_alerts_go_to_the_console(session_factory):
    store(session_factory, document(), later(0))
    _cycle(session_factory, Settings(), 0, _crawl("blocked"))
    assert [a.channel for a in alerts(session_factory)] == ["console"]


def test_run_without_crawl_statistics_changes_nothing(session_factory):
    store(session_factory, document(), later(0))
    _cycle(session_factory, SETTINGS, 0, _crawl("blocked"))
    assert _cycle(session_factory, SETTINGS, 30, {}) == []
    assert _events(session_factory) == [("blocked", "site", "started")]
