"""storage.regression: which new extractions are regressions of the stored version."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storage.regression import has_prose, is_site_title, lost_fields, suspect_reason
from tests.conftest import fixture_text

READOUT = "expected/na/na1/us/page4e_001274.json"
CONFERENCE = "expected/press/kaiken/kaiken24e_000136.json"


def _doc(rel: str = READOUT) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(fixture_text(rel))
    return document


def test_an_unchanged_or_edited_page_is_no_regression():
    stored = _doc()
    edited = {**stored, "body": [*stored["body"][:-1], "A paragraph was rewritten."]}
    assert lost_fields(stored, stored) == []
    assert lost_fields(stored, edited) == []
    assert suspect_reason(stored, edited) is None


def test_nothing_stored_means_nothing_to_lose():
    garbage = {**_doc(), "body": ["Home", "Press"], "date": None, "meeting": None}
    assert lost_fields(None, garbage) == []


def test_a_redesign_that_leaves_navigation_links_loses_everything():
    stored = _doc()
    assert stored["meeting"] is not None
    garbage = {
        **stored,
        "title": "Ministry of Foreign Affairs of Japan",
        "body": ["Home", "Press", "Japan-U.S. Foreign Ministers\u2019 Meeting"],
        "date": None,
        "meeting": None,
        "topics": [],
    }
    assert lost_fields(stored, garbage) == [
        "body text",
        "date",
        "meeting facts",
        "title",
    ]
    reason = suspect_reason(stored, garbage)
    assert reason == "suspect extraction: lost body text, date, meeting facts, title"


@pytest.mark.parametrize(
    ("change", "lost"),
    [
        ({"date": None}, ["date"]),
        ({"meeting": None}, ["meeting facts"]),
        ({"title": ""}, ["title"]),
        ({"title": "外務省"}, ["title"]),
        ({"body": []}, ["body text"]),
    ],
)
def test_each_lost_field_alone_is_named(change, lost):
    stored = _doc()
    assert lost_fields(stored, {**stored, **change}) == lost


def test_a_conference_losing_its_exchanges_is_a_regression():
    stored = _doc(CONFERENCE)
    assert lost_fields(stored, {**stored, "exchanges": []}) == ["exchanges"]


def test_a_page_becoming_a_placeholder_keeps_the_body_rule_quiet():
    stored = _doc()
    placeholder = {**stored, "body": [], "placeholder": True}
    assert "body text" not in lost_fields(stored, placeholder)


def test_a_field_the_stored_version_never_had_is_not_lost():
    stored = {**_doc(), "date": None, "meeting": None}
    assert lost_fields(stored, {**stored, "body": stored["body"][:2]}) == []


def test_prose_is_running_text_not_links_or_headings():
    assert has_prose(["The two ministers exchanged their views on regional issues."])
    assert has_prose(["両外相は、地域情勢について意見交換を行いました。"])
    assert not has_prose(["Home", "Press Releases", "Countries & Regions"])
    assert not has_prose(
        ["Japan-Philippines Foreign Ministers\u2019 Working Lunch (April 9, 2024)"]
    )
    assert not has_prose([])
    assert not has_prose(None)


@pytest.mark.parametrize(
    "title",
    [
        "Ministry of Foreign Affairs of Japan",
        " MOFA ",
        "外務省",
        "The Ministry of Foreign Affairs",
    ],
)
def test_site_titles(title):
    assert is_site_title(title)


def test_a_page_title_naming_the_ministry_is_not_the_site_title():
    assert not is_site_title("Press Conference by the Ministry of Foreign Affairs")
