"""detect_changes: versions -> changes + outbox alerts, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from monitor.alerts import queue as alert_queue
from monitor.config import ChannelSettings, RuleSettings, Settings
from monitor.detect.changes import detect_changes
from storage.db import unit_of_work
from storage.documents import note_missing, note_present
from storage.models import AlertStatus, ChangeKind, Version
from storage.outbox import enqueue_alert
from tests.integration.alerting import (
    READOUT,
    URL,
    alerts,
    changes,
    document,
    later,
    store,
)

TWO_CHANNELS = Settings(
    channels=(
        ChannelSettings(name="desk", type="console"),
        ChannelSettings(name="team", type="console"),
    )
)
TYPO_FIXED = document(
    body=[
        READOUT["body"][0],
        "The two ministers confirmed close cooperation on North Korea and China.",
    ]
)


def test_new_document_gives_a_new_change_and_one_alert_per_channel(session_factory):
    store(session_factory, document(), later(0))
    result = detect_changes(session_factory, TWO_CHANNELS, later(1))
    (change,) = changes(session_factory)
    assert change.kind == ChangeKind.NEW
    assert not change.is_silent
    assert result.changes == 1
    assert result.alerts == 2
    queued = alerts(session_factory)
    assert sorted(a.channel for a in queued) == ["desk", "team"]
    assert {a.change_id for a in queued} == {change.id}
    assert all(a.status == AlertStatus.PENDING for a in queued)
    with session_factory() as session:
        (version,) = session.scalars(select(Version))
        assert version.detected_at is not None


def test_baseline_records_changes_silently_without_alerts(session_factory):
    store(session_factory, document(), later(0))
    result = detect_changes(session_factory, TWO_CHANNELS, later(1), silent=True)
    (change,) = changes(session_factory)
    assert change.is_silent
    assert change.reason == "baseline"
    assert result.silent == 1
    assert alerts(session_factory) == []


def test_edit_gives_an_updated_change_with_the_field_diff(session_factory):
    store(session_factory, document(), later(0))
    detect_changes(session_factory, TWO_CHANNELS, later(1), silent=True)
    store(session_factory, TYPO_FIXED, later(30))
    detect_changes(session_factory, TWO_CHANNELS, later(31))
    updated = changes(session_factory)[-1]
    assert updated.kind == ChangeKind.UPDATED
    assert not updated.is_silent
    assert [d["field"] for d in updated.diff] == ["body"]
    assert updated.diff[0]["op"] == "changed"
    assert sorted(a.channel for a in alerts(session_factory)) == ["desk", "team"]


def test_each_version_is_compared_once_and_never_queued_twice(session_factory):
    store(session_factory, document(), later(0))
    detect_changes(session_factory, TWO_CHANNELS, later(1))
    again = detect_changes(session_factory, TWO_CHANNELS, later(2))
    assert again.changes == 0
    assert len(changes(session_factory)) == 1
    change_id = changes(session_factory)[0].id
    with unit_of_work(session_factory) as session:
        assert (
            enqueue_alert(session, channel="desk", now=later(3), change_id=change_id)
            is None
        )
    assert len(alerts(session_factory)) == 2


def test_content_flipping_back_to_an_earlier_version_is_not_announced(
    session_factory,
):
    store(session_factory, document(), later(0))
    detect_changes(session_factory, TWO_CHANNELS, later(1), silent=True)
    store(session_factory, TYPO_FIXED, later(30))
    detect_changes(session_factory, TWO_CHANNELS, later(31))
    before = len(alerts(session_factory))
    store(session_factory, document(), later(60))  # back to the first text
    result = detect_changes(session_factory, TWO_CHANNELS, later(61))
    flap = changes(session_factory)[-1]
    assert flap.is_silent
    assert flap.reason == "flap"
    assert result.alerts == 0
    assert len(alerts(session_factory)) == before


def test_flap_window_is_the_last_n_versions(session_factory):
    settings = Settings(
        channels=TWO_CHANNELS.channels,
        alerts=type(TWO_CHANNELS.alerts)(compared_versions=1),
    )
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1), silent=True)
    store(session_factory, TYPO_FIXED, later(30))
    detect_changes(session_factory, settings, later(31), silent=True)
    store(session_factory, document(), later(60))
    detect_changes(session_factory, settings, later(61))
    assert not changes(session_factory)[-1].is_silent


def test_difference_from_a_new_extractor_on_the_same_page_is_silent(session_factory):
    page = b"<html><body>the same bytes</body></html>"
    store(session_factory, document(), later(0), extractor="1", body=page)
    detect_changes(session_factory, TWO_CHANNELS, later(1), silent=True)
    store(
        session_factory,
        document(topics=["North Korea", "China"]),
        later(30),
        extractor="2",
        body=page,
    )
    result = detect_changes(session_factory, TWO_CHANNELS, later(31))
    change = changes(session_factory)[-1]
    assert change.kind == ChangeKind.UPDATED
    assert change.is_silent
    assert change.reason == "extractor"
    assert result.alerts == 0


def test_new_extractor_on_a_changed_page_is_announced(session_factory):
    store(session_factory, document(), later(0), extractor="1", body=b"<p>one</p>")
    detect_changes(session_factory, TWO_CHANNELS, later(1), silent=True)
    store(session_factory, TYPO_FIXED, later(30), extractor="2", body=b"<p>two</p>")
    assert detect_changes(session_factory, TWO_CHANNELS, later(31)).alerts == 2


def test_difference_that_renders_empty_is_never_alerted(session_factory):
    store(session_factory, document(), later(0))
    detect_changes(session_factory, TWO_CHANNELS, later(1), silent=True)
    # The link to the Japanese page is not a field users see in a diff.
    store(
        session_factory,
        document(japanese_url="https://www.mofa.go.jp/mofaj/x.html"),
        later(30),
    )
    result = detect_changes(session_factory, TWO_CHANNELS, later(31))
    change = changes(session_factory)[-1]
    assert change.is_silent
    assert change.reason == "empty_diff"
    assert result.alerts == 0


def test_removed_document_is_announced_once_and_its_return_once(session_factory):
    store(session_factory, document(), later(0))
    detect_changes(session_factory, TWO_CHANNELS, later(1), silent=True)
    with unit_of_work(session_factory) as session:
        note_missing(session, URL, later(30))
        note_missing(session, URL, later(60))
    detect_changes(session_factory, TWO_CHANNELS, later(61))
    detect_changes(session_factory, TWO_CHANNELS, later(62))
    kinds = [c.kind for c in changes(session_factory)]
    assert kinds == [ChangeKind.NEW, ChangeKind.REMOVED]
    removed = changes(session_factory)[-1]
    assert removed.from_version_id is not None
    assert len(alerts(session_factory)) == 2
    with unit_of_work(session_factory) as session:
        note_present(session, URL, later(90))
    detect_changes(session_factory, TWO_CHANNELS, later(91))
    detect_changes(session_factory, TWO_CHANNELS, later(92))
    kinds = [c.kind for c in changes(session_factory)]
    assert kinds == [ChangeKind.NEW, ChangeKind.REMOVED, ChangeKind.RESTORED]


def test_change_and_its_alerts_are_written_together_or_not_at_all(
    session_factory, monkeypatch
):
    store(session_factory, document(), later(0))
    calls = []
    real = enqueue_alert

    def enqueue_then_crash(session, **kwargs):
        calls.append(kwargs["channel"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(session, **kwargs)

    monkeypatch.setattr(alert_queue, "enqueue_alert", enqueue_then_crash)
    with pytest.raises(RuntimeError):
        detect_changes(session_factory, TWO_CHANNELS, later(1))
    assert changes(session_factory) == []
    assert alerts(session_factory) == []
    monkeypatch.setattr(alert_queue, "enqueue_alert", real)
    assert detect_changes(session_factory, TWO_CHANNELS, later(2)).alerts == 2


def test_change_matching_no_rule_is_recorded_without_alert(session_factory):
    settings = Settings(
        channels=TWO_CHANNELS.channels,
        rules=(RuleSettings(channels=("desk",), keywords=("Ukraine",)),),
    )
    store(session_factory, document(), later(0))
    result = detect_changes(session_factory, settings, later(1))
    (change,) = changes(session_factory)
    assert not change.is_silent
    assert result.alerts == 0


def test_rules_route_by_keyword_and_digest(session_factory):
    settings = Settings(
        channels=TWO_CHANNELS.channels,
        rules=(
            RuleSettings(channels=("desk",), keywords=("North Korea",)),
            RuleSettings(channels=("team",), mode="daily", digest_at="08:00"),
        ),
    )
    store(session_factory, document(), later(0))
    detect_changes(session_factory, settings, later(1))
    desk, team = alerts(session_factory)
    assert (desk.channel, desk.mode) == ("desk", "immediate")
    assert (team.channel, team.mode) == ("team", "daily")
    assert team.next_attempt_at.replace(tzinfo=None) > desk.next_attempt_at.replace(
        tzinfo=None
    )
