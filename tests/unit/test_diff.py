"""Field-level diff of two Document dicts, and its plain-text form."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.detect.diff import (
    FieldChange,
    diff_documents,
    excerpt,
    inline_words,
    render_diff_text,
    word_diff,
)
from tests.conftest import fixture_text

SEED_001 = "documents/seed_001_page4e_001274.json"
EDIT_001 = "documents/edit_001_page4e_001274.json"


def load(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_text(rel))
    return data


@pytest.fixture
def doc() -> dict[str, Any]:
    return load(SEED_001)


def test_same_document_gives_no_changes(doc):
    assert diff_documents(doc, copy.deepcopy(doc)) == []


def test_whitespace_only_differences_give_no_changes(doc):
    new = copy.deepcopy(doc)
    new["title"] = "  Japan-U.S.   Foreign Ministers\u2019\u00a0Meeting\n"
    new["body"] = [" " + p.replace(" ", "  ") + "\t" for p in new["body"]]
    new["body"].insert(2, "   ")
    assert diff_documents(doc, new) == []


def test_quote_and_dash_only_differences_give_no_changes(doc):
    new = copy.deepcopy(doc)
    new["title"] = new["title"].replace("\u2019", "'").replace("-", "\u2010")
    new["body"] = [p.replace("\u2019", "'") for p in new["body"]]
    new["meeting"]["participants"][0]["role"] += ""
    assert diff_documents(doc, new) == []


def test_title_change_is_reported_with_old_and_new(doc):
    new = dict(doc, title="Japan-U.S. Foreign Ministers\u2019 Working Lunch")
    assert diff_documents(doc, new) == [
        FieldChange("title", "changed", doc["title"], new["title"])
    ]


def test_date_added_and_removed_are_named_so():
    old = {"title": "T", "date": None}
    assert diff_documents(old, {"title": "T", "date": "2022-07-30"}) == [
        FieldChange("date", "added", None, "2022-07-30")
    ]
    assert diff_documents({"title": "T", "date": "2022-07-30"}, old) == [
        FieldChange("date", "removed", "2022-07-30", None)
    ]


def test_participant_added_is_one_change_with_the_person(doc):
    new = load(EDIT_001)
    new["body"] = doc["body"]
    changes = diff_documents(doc, new)
    assert changes == [
        FieldChange(
            "participants",
            "added",
            None,
            {
                "name": "KITAMURA Aoi",
                "role": "Director-General of the North American Affairs Bureau",
                "side": "japan",
            },
        )
    ]


def test_participant_role_change_is_a_change_not_add_and_remove(doc):
    new = copy.deepcopy(doc)
    new["meeting"]["participants"][1]["role"] = "Secretary of State"
    [change] = diff_documents(doc, new)
    assert (change.field, change.op) == ("participants", "changed")
    assert change.old["role"] != change.new["role"]
    assert change.new["name"] == "Antony Blinken"


def test_participant_removed(doc):
    new = copy.deepcopy(doc)
    del new["meeting"]["participants"][0]
    [change] = diff_documents(doc, new)
    assert (change.field, change.op, change.new) == ("participants", "removed", None)
    assert change.old["name"] == "HAYASHI Yoshimasa"


def test_duration_and_start_changes(doc):
    new = copy.deepcopy(doc)
    new["meeting"]["duration_minutes"] = 60
    new["meeting"]["started_at_jst"] = "02:45"
    assert diff_documents(doc, new) == [
        FieldChange("started_at_jst", "changed", "02:43", "02:45"),
        FieldChange("duration_minutes", "changed", 55, 60),
    ]


def test_meeting_dropped_lists_each_fact_removed(doc):
    new = dict(doc, meeting=None)
    changes = diff_documents(doc, new)
    assert {c.op for c in changes} == {"removed"}
    assert [c.field for c in changes][:2] == ["format", "started_at_local"]
    assert sum(c.field == "participants" for c in changes) == 2


def test_topics_added_and_removed_by_item(doc):
    new = dict(doc, topics=["Ukraine", "China", "North Korea", "TPP", "IPEF", "G7"])
    assert diff_documents(doc, new) == [
        FieldChange("topics", "removed", "Taiwan", None),
        FieldChange("topics", "added", None, "G7"),
    ]


def test_edited_paragraph_carries_a_word_diff(doc):
    new = load(EDIT_001)
    new["meeting"] = doc["meeting"]
    [change] = diff_documents(doc, new)
    assert (change.field, change.op) == ("body", "changed")
    assert "importantce" in change.old
    assert "importance" in change.new
    assert ("-", "importantce") in change.words
    assert ("+", "importance") in change.words
    assert change.words[0][0] == "="


def test_paragraph_added_and_removed(doc):
    new = copy.deepcopy(doc)
    removed = new["body"].pop(3)
    new["body"].append("The two ministers agreed to meet again in the autumn.")
    assert diff_documents(doc, new) == [
        FieldChange("body", "removed", removed, None),
        FieldChange("body", "added", None, new["body"][-1]),
    ]


def test_rewritten_paragraph_is_removed_and_added_not_changed(doc):
    new = copy.deepcopy(doc)
    new["body"][2] = "Entirely different words appear here now, nothing shared at all."
    ops = [(c.field, c.op) for c in diff_documents(doc, new)]
    assert ops == [("body", "removed"), ("body", "added")]


def test_exchanges_changed_with_word_diff():
    old = {
        "exchanges": [
            {"speaker": "Reporter", "text": "A question on trade."},
            {"speaker": "Minister", "text": "We agreed on it."},
        ]
    }
    new = copy.deepcopy(old)
    new["exchanges"][1]["text"] = "We firmly agreed on it."
    [change] = diff_documents(old, new)
    assert (change.field, change.op) == ("exchanges", "changed")
    assert ("+", "firmly") in change.words
    assert change.new == {"speaker": "Minister", "text": "We firmly agreed on it."}


def test_captions_and_flags():
    old = {
        "captions": ["Photo A"],
        "placeholder": True,
        "provisional_translation": False,
    }
    new = {
        "captions": ["Photo A", "Photo B"],
        "placeholder": False,
        "provisional_translation": True,
    }
    assert diff_documents(old, new) == [
        FieldChange("placeholder", "changed", True, False),
        FieldChange("provisional_translation", "changed", False, True),
        FieldChange("captions", "added", None, "Photo B"),
    ]


def test_word_diff_ignores_quote_style_and_shows_the_new_spelling():
    runs = word_diff('the "Free and Open" region', "the “Free and Open” wide region")
    assert runs == (("=", "the “Free and Open”"), ("+", "wide"), ("=", "region"))


def test_field_change_round_trips_through_json(doc):
    changes = diff_documents(doc, load(EDIT_001))
    stored = json.loads(json.dumps([c.to_dict() for c in changes]))
    assert [FieldChange.from_dict(d) for d in stored] == changes


def test_render_diff_text_shows_old_new_and_inline_words(doc):
    new = load(EDIT_001)
    new["title"] = "Japan-U.S. Foreign Ministers\u2019 Talks"
    text = render_diff_text(diff_documents(doc, new))
    assert "Title changed\n  - Japan-U.S. Foreign Ministers\u2019 Meeting\n" in text
    assert "  + Japan-U.S. Foreign Ministers\u2019 Talks" in text
    assert "Participant added\n  + KITAMURA Aoi (Director-General" in text
    assert "[-importantce-] {+importance+}" in text
    assert "Paragraph changed\n  … " in text


def test_excerpt_cuts_long_unchanged_runs_around_the_change():
    words = (
        ("=", " ".join(f"a{i}" for i in range(40))),
        ("-", "x"),
        ("+", "y"),
        ("=", " ".join(f"b{i}" for i in range(40))),
    )
    line = inline_words(excerpt(words, context=3))
    assert line == "… a37 a38 a39 [-x-] {+y+} b0 b1 b2 …"


def test_item_inserted_into_a_numbered_list_is_one_change_not_a_renumbering(doc):
    old = dict(
        doc,
        body=[
            "Intro.",
            "1. Alpha text here.",
            "2. Beta text here.",
            "3. Gamma text here.",
        ],
    )
    new = dict(
        doc,
        body=[
            "Intro.",
            "1. Alpha text here.",
            "2. Inserted point.",
            "3. Beta text here.",
            "4. Gamma text here.",
        ],
    )
    assert diff_documents(old, new) == [
        FieldChange("body", "added", None, "2. Inserted point.")
    ]


def test_a_pure_renumbering_is_still_reported(doc):
    old = dict(doc, body=["1. Alpha text here.", "1. Beta text here."])
    new = dict(doc, body=["1. Alpha text here.", "2. Beta text here."])
    [change] = diff_documents(old, new)
    assert change.words == (("-", "1."), ("+", "2."), ("=", "Beta text here."))


def test_date_change_reads_as_a_calendar_date(doc):
    text = render_diff_text(diff_documents(doc, dict(doc, date="2022-07-30")))
    assert text == "Date changed\n  - 29 July 2022\n  + 30 July 2022"


words = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
paragraphs = st.lists(words, max_size=6)


@given(body=paragraphs, title=words)
def test_any_document_equals_itself_with_respaced_text(body, title):
    old = {"title": title, "body": body, "topics": body[:2]}
    new = {
        "title": f"  {title}\n",
        "body": [" \t".join(p.split()) for p in body],
        "topics": [f" {t} " for t in body[:2]],
    }
    assert diff_documents(old, new) == []


@given(old=paragraphs, new=paragraphs)
def test_any_body_diff_round_trips_through_json(old, new):
    changes = diff_documents({"body": old}, {"body": new})
    stored = json.loads(json.dumps([c.to_dict() for c in changes]))
    assert [FieldChange.from_dict(d) for d in stored] == changes
    for change in changes:
        assert change.field == "body"
        assert change.op in ("added", "removed", "changed")
        assert all(op in "=+-" for op, _ in change.words)
