"""The five seed documents: body, title, date, section, captions and meeting facts."""

from __future__ import annotations

import re

import pytest

from crawler.extract.extractor import extract
from tests.conftest import FIXTURES

BASE = "https://www.mofa.go.jp/"
TITLE_FM = "Japan-U.S. Foreign Ministers\u2019 Meeting"
# seed file -> (page, section, title, title line in seed?, date line, date, preamble)
SEEDS = {
    "000_59b02d8fab3ebd8f.txt": (
        "press/release/press4e_003170.html",
        "Press Releases",
        "Japan-U.S. Vice-Ministers\u2019 Meeting",
        True,
        "October 25, 2022",
        "2022-10-25",
        [],
    ),
    "001_2c954b49fa667ff7.txt": (
        "na/na1/us/page4e_001274.html",
        "Japan-United States of America Relations",
        TITLE_FM,
        True,
        "July 29, 2022",
        "2022-07-29",
        [],
    ),
    "002_04140026fd49e5bf.txt": (
        "na/na1/us/page1e_000678.html",
        "Japan-United States of America Relations",
        TITLE_FM,
        False,
        "May 19, 2023",
        "2023-05-19",
        [],
    ),
    "003_9b4ca5d1cf0520e0.txt": (
        "na/na1/us/page4e_001196.html",
        "Japan-United States of America Relations",
        TITLE_FM,
        False,
        "February 11, 2022",
        "2022-02-11",
        [],
    ),
    "004_264c6993be0bb2bb.txt": (
        "press/kaiken/kaiken24e_000136.html",
        "Press Conferences",
        "Extraordinary Press Conference by Foreign Minister HAYASHI Yoshimasa",
        True,
        "Monday, May 23, 2022, 6:38 p.m. Happo-en Tokyo",
        "2022-05-23",
        ["Japanese"],
    ),
}
_MARKER = re.compile(r"^\s*(?:\d+\.|•|-)\s+")


def _norm(line):
    return " ".join(_MARKER.sub("", line).split())


def _doc(seed):
    page = SEEDS[seed][0]
    return extract((FIXTURES / "site" / page).read_bytes(), BASE + page)


def _seed_parts(seed, doc):
    _, section, title, has_title, date_line, _, preamble = SEEDS[seed]
    text = (FIXTURES / "expected" / "seeds" / seed).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    header = [section, *([title] if has_title else []), date_line]
    header += list(doc.captions) + preamble
    body = [ln for ln in lines[len(header) :] if not ln.startswith("Back to ")]
    return lines[: len(header)], header, body


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_body_equals_seed_text_without_list_markers(seed):
    doc = _doc(seed)
    _, _, body = _seed_parts(seed, doc)
    assert [_norm(b) for b in doc.body] == [_norm(b) for b in body]


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_title_date_section_and_captions_match_seed_header(seed):
    doc = _doc(seed)
    _, section, title, _, _, date, _ = SEEDS[seed]
    seen, header, _ = _seed_parts(seed, doc)
    assert seen == header  # captions appear in the seed right after the date line
    assert (doc.title, doc.section, doc.date) == (title, section, date)


def _facts(doc):
    m = doc.meeting
    names = [p.name for p in m.participants]
    return m.started_at_local, m.started_at_jst, m.duration_minutes, names, m.location


def test_seed_000_vice_ministers_meeting_facts():
    local, _, minutes, names, _ = _facts(_doc("000_59b02d8fab3ebd8f.txt"))
    assert (local, minutes, names) == ("11:25", 55, ["MORI Takeo", "Wendy R. Sherman"])


def test_seed_001_meeting_in_washington_with_local_and_japan_time():
    doc = _doc("001_2c954b49fa667ff7.txt")
    assert _facts(doc) == (
        "13:43",
        "02:43",
        55,
        ["HAYASHI Yoshimasa", "Antony Blinken"],
        "Washington D.C.",
    )
    assert doc.meeting.counterpart_country == "United States of America"
    sides = [(p.side, p.role) for p in doc.meeting.participants]
    assert sides == [
        ("japan", "Minister for Foreign Affairs of Japan"),
        ("counterpart", "Secretary of State of the United States of America"),
    ]


def test_seed_002_meeting_starts_1745_for_45_minutes():
    local, _, minutes, _, _ = _facts(_doc("002_04140026fd49e5bf.txt"))
    assert (local, minutes) == ("17:45", 45)


def test_seed_003_meeting_local_and_japan_time_differ():
    local, jst, minutes, _, _ = _facts(_doc("003_9b4ca5d1cf0520e0.txt"))
    assert (local, jst, minutes) == ("12:25", "10:25", 55)


def test_seed_004_press_conference_opens_with_the_reporters_question():
    doc = _doc("004_264c6993be0bb2bb.txt")
    assert doc.kind == "press_conference"
    assert doc.meeting is None
    first, second = doc.exchanges
    assert first.speaker == "Reporter"
    assert first.text.startswith("Thank you for your time.")
    assert second.speaker == "Mr. HAYASHI Yoshimasa, Minister for Foreign Affairs"
    assert second.text.count("\n") == 10
