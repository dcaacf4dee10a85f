"""Meeting facts from lead paragraphs; press-conference exchanges."""

from __future__ import annotations

import pytest

from crawler.extract.meeting import meeting_format, parse_exchanges, parse_meeting

LEAD = (
    "On May 2, {when}, Mr. TANAKA Ichiro, Minister for Foreign Affairs of Japan, "
    "held a meeting with H.E. Mr. Erik Lund, Minister for Foreign Affairs of the "
    "Kingdom of Norway. The overview is as follows."
)


def _meeting(when, title="Japan-Norway Foreign Ministers\u2019 Meeting"):
    meeting = parse_meeting(title, [LEAD.format(when=when)], "en")
    assert meeting is not None
    return meeting


@pytest.mark.parametrize(
    ("when", "minutes"),
    [
        ("commencing at 9:00 a.m. for approximately 55 minutes", 55),
        ("commencing at 9:00 a.m. for about 40 minutes", 40),
        ("commencing at 9:00 a.m. for 55 minutes", 55),
        ("from 9:00 p.m. to 10:30 p.m.", 90),
        ("from 11:30 p.m. to 12:15 a.m.", 45),
        ("commencing at 9:00 a.m. for approximately 4 hours", 240),
        ("commencing at 9:00 a.m. for approximately 1 hour and 10 minutes", 70),
        ("commencing at 9:00 a.m. for an hour", 60),
        ("commencing at 9:00 a.m.", None),
    ],
)
def test_duration_is_read_from_each_phrasing(when, minutes):
    assert _meeting(when).duration_minutes == minutes


@pytest.mark.parametrize(
    ("when", "local"),
    [
        ("commencing at 12:05 p.m. for 30 minutes", "12:05"),
        ("commencing at 12:05 a.m. for 30 minutes", "00:05"),
        ("commencing at 9 p.m. for 30 minutes", "21:00"),
        ("from 9:00 p.m. to 10:30 p.m.", "21:00"),
    ],
)
def test_start_time_is_24_hour(when, local):
    assert _meeting(when).started_at_local == local


def test_japan_time_equals_local_time_when_meeting_is_in_japan_by_default():
    meeting = _meeting("commencing at 10:00 a.m. for 30 minutes")
    assert (meeting.location, meeting.started_at_jst) == (None, "10:00")


def test_japan_time_is_unknown_when_only_local_time_is_stated():
    meeting = _meeting("commencing at 10:00 a.m. (local time) for 30 minutes")
    assert meeting.started_at_jst is None


def test_explicit_japan_time_wins():
    when = "commencing at 11:50 a.m. (local time; around 5:00 a.m. Japan time on May 3)"
    meeting = _meeting(when)
    assert (meeting.started_at_local, meeting.started_at_jst) == ("11:50", "05:00")


def test_counterpart_country_and_sides():
    meeting = _meeting("commencing at 10:00 a.m. for 30 minutes")
    assert [(p.name, p.side) for p in meeting.participants] == [
        ("TANAKA Ichiro", "japan"),
        ("Erik Lund", "counterpart"),
    ]
    assert meeting.counterpart_country == "Kingdom of Norway"


@pytest.mark.parametrize(
    ("title", "fmt"),
    [
        ("Japan-X Foreign Ministers\u2019 Meeting", "meeting"),
        ("Japan-X Foreign Ministers\u2019 Telephone Talk", "telephone_talk"),
        ("Japan-X Summit Telephone Talk", "summit_telephone_talk"),
        ("Japan-X Summit Meeting", "summit_meeting"),
        ("Japan-X Foreign Ministers\u2019 Video Conference", "video_conference"),
        ("Courtesy Call on Prime Minister by X", "courtesy_call"),
        ("Japan-X Foreign Ministers\u2019 Working Lunch", "working_lunch"),
        ("Japan-X Summit Dinner", "dinner"),
        ("日・カナダ外相電話会談", "telephone_talk"),
        ("Press Conference by Foreign Minister X", None),
        ("Visa Information", None),
    ],
)
def test_meeting_format_from_title(title, fmt):
    assert meeting_format(title) == fmt


def test_no_meeting_without_a_readout_lead():
    assert parse_meeting("Japan-X Meeting", ["A list of documents."], "en") is None


def test_exchanges_join_continuations_and_skip_lines_before_the_first_speaker():
    lines = [
        "Preface without speaker.",
        "Reporter: A question?",
        "Minister Sato: An answer.",
        "More of the answer: with a colon, in lower case.",
        "Asahi Daily, Mori: Another question?",
    ]
    got = [(e.speaker, e.text) for e in parse_exchanges(lines)]
    assert got == [
        ("Reporter", "A question?"),
        (
            "Minister Sato",
            "An answer.\nMore of the answer: with a colon, in lower case.",
        ),
        ("Asahi Daily, Mori", "Another question?"),
    ]


@pytest.mark.parametrize(
    ("lead", "name", "role", "country"),
    [
        (
            "On June 3, commencing at 10:00 a.m., Mr. TANAKA Ichiro, Minister for "
            "Foreign Affairs of Japan, held a meeting with H.E. Mr. Paul Marceau, "
            "Minister for Europe and Foreign Affairs of the French Republic.",
            "Paul Marceau",
            "Minister for Europe and Foreign Affairs of the French Republic",
            "French Republic",
        ),
        (
            "On June 3, commencing at 10:00 a.m., Mr. TANAKA Ichiro, Minister for "
            "Foreign Affairs of Japan, held a meeting with H.E. Dr. Anna von der "
            "Berg, Minister of Foreign Affairs of the Republic of Austria.",
            "Anna von der Berg",
            "Minister of Foreign Affairs of the Republic of Austria",
            "Republic of Austria",
        ),
    ],
)
def test_counterpart_roles_keep_and_and_names_keep_particles(lead, name, role, country):
    meeting = parse_meeting("Japan-X Foreign Ministers\u2019 Meeting", [lead], "en")
    assert meeting is not None
    counterpart = meeting.participants[1]
    assert (counterpart.name, counterpart.role) == (name, role)
    assert meeting.counterpart_country == country


@pytest.mark.parametrize(
    ("tail", "place"),
    [
        (", who is visiting Washington D.C., held a meeting.", "Washington D.C."),
        (" held a meeting, in Jakarta.", "Jakarta"),
        (" held a meeting in accordance with the plan.", None),
    ],
)
def test_location_is_read_when_stated(tail, place):
    lead = "On May 3, commencing at 9:10 a.m., Mr. TANAKA Ichiro" + tail
    meeting = parse_meeting("Japan-X Meeting", [lead], "en")
    assert meeting is not None
    assert meeting.location == place
