"""Routing of changes to channels by [[rules]] (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.alerts.rules import (
    Route,
    due_time,
    ops_channels,
    route_change,
    rule_matches,
)
from monitor.config import ChannelSettings, RuleSettings, ScheduleSettings, Settings

NOW = datetime(2026, 11, 23, 11, 40, tzinfo=UTC)  # 20:40 in Tokyo

READOUT: dict[str, object] = {
    "kind": "press_release",
    "title": "Japan-U.S. Foreign Ministers' Meeting",
    "body": ["The two ministers discussed North Korea.", "They agreed to meet again."],
    "topics": ["North Korea", "IPEF"],
    "meeting": {
        "format": "meeting",
        "participants": [
            {"name": "HAYASHI Yoshimasa", "role": "Minister", "side": "japan"},
            {"name": "Antony Blinken", "role": "Secretary", "side": "counterpart"},
        ],
        "counterpart_country": "United States",
    },
}
STATEMENT: dict[str, object] = {
    "kind": "statement",
    "title": "On Koreans abroad",
    "body": [],
    "meeting": None,
    "topics": [],
}


def _channels(*names):
    return tuple(ChannelSettings(name=n, type="console") for n in names)


def test_without_rules_every_event_goes_to_every_channel_now():
    settings = Settings(channels=_channels("desk", "team"))
    routes = route_change("removed", READOUT, settings, NOW)
    assert routes == [Route("desk", "immediate", NOW), Route("team", "immediate", NOW)]


def test_without_channels_alerts_go_to_the_console():
    assert route_change("new", READOUT, Settings(), NOW) == [
        Route("console", "immediate", NOW)
    ]
    assert ops_channels(Settings()) == ["console"]


def test_rule_filters_by_event_and_document_kind():
    rule = RuleSettings(channels=("desk",), events=("new",), kinds=("press_release",))
    assert rule_matches(rule, "new", READOUT)
    assert not rule_matches(rule, "updated", READOUT)
    assert not rule_matches(rule, "new", STATEMENT)


def test_meetings_only_skips_documents_without_a_meeting():
    rule = RuleSettings(channels=("desk",), meetings_only=True)
    assert rule_matches(rule, "new", READOUT)
    assert not rule_matches(rule, "new", STATEMENT)


def test_keywords_match_whole_words_in_title_or_body_ignoring_case():
    assert rule_matches(
        RuleSettings(channels=("d",), keywords=("AGREED",)), "new", READOUT
    )
    assert rule_matches(
        RuleSettings(channels=("d",), keywords=("ministers'",)), "new", READOUT
    )
    assert not rule_matches(
        RuleSettings(channels=("d",), keywords=("korea",)), "new", STATEMENT
    )
    assert not rule_matches(
        RuleSettings(channels=("d",), keywords=("trade",)), "new", READOUT
    )


def test_participants_match_a_substring_of_any_name():
    assert rule_matches(
        RuleSettings(channels=("d",), participants=("hayashi",)), "new", READOUT
    )
    assert not rule_matches(
        RuleSettings(channels=("d",), participants=("Kishida",)), "new", READOUT
    )
    assert not rule_matches(
        RuleSettings(channels=("d",), participants=("Kishida",)), "new", STATEMENT
    )


def test_topics_and_countries_match_ignoring_case():
    assert rule_matches(RuleSettings(channels=("d",), topics=("ipef",)), "new", READOUT)
    assert not rule_matches(
        RuleSettings(channels=("d",), topics=("TPP",)), "new", READOUT
    )
    assert rule_matches(
        RuleSettings(channels=("d",), countries=("united states",)), "new", READOUT
    )
    assert not rule_matches(
        RuleSettings(channels=("d",), countries=("China",)), "new", READOUT
    )


def test_channel_matched_by_two_rules_gets_the_sooner_mode_once():
    settings = Settings(
        channels=_channels("desk", "team"),
        rules=(
            RuleSettings(channels=("desk", "team"), mode="daily", digest_at="08:00"),
            RuleSettings(channels=("desk",), keywords=("North Korea",)),
        ),
    )
    routes = route_change("new", READOUT, settings, NOW)
    assert [r.channel for r in routes] == ["desk", "team"]
    assert routes[0] == Route("desk", "immediate", NOW)
    assert routes[1].mode == "daily"


def test_no_matching_rule_means_no_channel():
    settings = Settings(
        channels=_channels("desk"),
        rules=(RuleSettings(channels=("desk",), events=("removed",)),),
    )
    assert route_change("new", READOUT, settings, NOW) == []


def test_hourly_digest_is_due_at_the_next_full_hour():
    assert due_time("hourly", None, "Asia/Tokyo", NOW) == datetime(
        2026, 11, 23, 12, 0, tzinfo=UTC
    )
    # Kolkata is UTC+5:30: its full hours fall on half past in UTC.
    assert due_time("hourly", None, "Asia/Kolkata", NOW) == datetime(
        2026, 11, 23, 12, 30, tzinfo=UTC
    )


def test_daily_digest_is_due_at_the_next_digest_time_in_the_configured_zone():
    # 20:40 in Tokyo: 08:00 Tokyo tomorrow is 23:00 UTC today.
    assert due_time("daily", "08:00", "Asia/Tokyo", NOW) == datetime(
        2026, 11, 23, 23, 0, tzinfo=UTC
    )
    # 21:00 Tokyo is still ahead today: 12:00 UTC.
    assert due_time("daily", "21:00", "Asia/Tokyo", NOW) == datetime(
        2026, 11, 23, 12, 0, tzinfo=UTC
    )


def test_daily_digest_follows_daylight_saving_time():
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert due_time("daily", "08:00", "Europe/Paris", summer).hour == 6
    assert due_time("daily", "08:00", "Europe/Paris", winter).hour == 7


def test_schedule_timezone_is_used_for_rule_digests():
    settings = Settings(
        channels=_channels("desk"),
        schedule=ScheduleSettings(timezone="UTC"),
        rules=(RuleSettings(channels=("desk",), mode="daily", digest_at="12:00"),),
    )
    (route,) = route_change("new", READOUT, settings, NOW)
    assert route.due_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
