"""monitor.detect.pairs: which documents pair, and what counts as a disagreement."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

from monitor.alerts.render.pairs import pair_note
from monitor.detect.pairs import disagreements, find_pairs
from monitor.detect.places import Agreement, compare_places, place_key
from storage.pair_candidates import PairCandidate
from storage.vocabulary import PairMethod
from tests.conftest import fixture_text

JA = json.loads(fixture_text("expected/mofaj/press/release/pressit_000001_00873.json"))
EN = json.loads(fixture_text("expected/press/release/pressite_000001_00412.json"))
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def candidate(content, number, *, days=0):
    return PairCandidate(
        id=number,
        url=content["url"],
        language=content["language"],
        first_seen_at=T0 + timedelta(days=days),
        version_id=number * 10,
        content=content,
    )


def unlinked(content, url):
    changed = copy.deepcopy(content)
    changed.update(url=url, japanese_url=None, english_url=None)
    return changed


def test_the_pages_own_link_makes_the_pair_from_either_side():
    (found,) = find_pairs([candidate(JA, 1), candidate(EN, 2)])
    assert (found.japanese.id, found.english.id) == (1, 2)
    assert found.method is PairMethod.LINK
    english_only_link = dict(JA, english_url=None)
    (found,) = find_pairs([candidate(english_only_link, 1), candidate(EN, 2)])
    assert found.method is PairMethod.LINK


def test_without_a_link_the_same_meeting_is_paired_as_inferred():
    ja = unlinked(
        JA, "https://www.mofa.go.jp/mofaj/press/release/pressit_000001_1.html"
    )
    en = unlinked(EN, "https://www.mofa.go.jp/press/release/pressite_000001_1.html")
    (found,) = find_pairs([candidate(ja, 1), candidate(en, 2)])
    assert found.method is PairMethod.INFERRED


def test_no_inferred_pair_on_another_date_or_when_two_fit():
    ja = unlinked(
        JA, "https://www.mofa.go.jp/mofaj/press/release/pressit_000001_1.html"
    )
    en = unlinked(EN, "https://www.mofa.go.jp/press/release/pressite_000001_1.html")
    other_day = dict(en, date="2024-03-05")
    assert find_pairs([candidate(ja, 1), candidate(other_day, 2)]) == []
    twin = dict(en, url="https://www.mofa.go.jp/press/release/pressite_000001_2.html")
    assert find_pairs([candidate(ja, 1), candidate(en, 2), candidate(twin, 3)]) == []


def test_agreeing_versions_have_no_disagreement():
    assert disagreements(JA, EN) == []


def test_start_duration_and_format_differences_keep_both_values():
    en = copy.deepcopy(EN)
    en["meeting"].update(
        started_at_local="08:30", duration_minutes=45, format="meeting"
    )
    found = {(c.field, c.old, c.new) for c in disagreements(JA, en)}
    assert found == {
        ("started_at_local", "08:10", "08:30"),
        ("duration_minutes", 20, 45),
        ("format", "telephone_talk", "meeting"),
    }


def test_participants_compare_by_side_and_a_missing_fact_is_no_disagreement():
    en = copy.deepcopy(EN)
    en["meeting"]["participants"].append(
        {"name": "Someone Else", "role": "Minister", "side": "counterpart"}
    )
    en["meeting"]["duration_minutes"] = None
    (change,) = disagreements(JA, en)
    assert change.field == "participants"
    assert (change.old, change.new) == (
        "Japan 1, counterpart 1",
        "Japan 1, counterpart 2",
    )


def located(content, place):
    changed = copy.deepcopy(content)
    changed["meeting"]["location"] = place
    return changed


def test_places_in_two_scripts_agree_and_places_apart_keep_both_values():
    assert disagreements(located(JA, "東京"), located(EN, "Tokyo")) == []
    assert (
        disagreements(located(JA, "ワシントンD.C."), located(EN, "Washington, D.C."))
        == []
    )
    # The Ministry lies in Tokyo: no contradiction.
    assert disagreements(located(JA, "外務省"), located(EN, "Tokyo")) == []
    (change,) = disagreements(
        located(JA, "ニューヨーク"), located(EN, "Washington, D.C.")
    )
    assert (change.field, change.op, change.old, change.new) == (
        "location",
        "differs",
        "ニューヨーク",
        "Washington, D.C.",
    )
    (change,) = disagreements(located(JA, "東京"), located(EN, "New York"))
    assert (change.old, change.new) == ("東京", "New York")


def test_a_place_the_table_does_not_know_is_not_comparable_never_a_disagreement():
    assert compare_places("ヴィリニュス", "Vilnius") is Agreement.NOT_COMPARABLE
    assert compare_places("東京", "Vilnius") is Agreement.NOT_COMPARABLE
    assert disagreements(located(JA, "ヴィリニュス"), located(EN, "Tokyo")) == []
    assert disagreements(located(JA, None), located(EN, "Tokyo")) == []
    assert compare_places("Tokyo", "tokyo") is Agreement.SAME


def test_the_place_is_shown_side_by_side_in_the_alert_note():
    (change,) = disagreements(
        located(JA, "ニューヨーク"), located(EN, "Washington, D.C.")
    )
    note = pair_note("discrepancy", [change])
    assert "Place: 日本語 ニューヨーク / English Washington, D.C." in note


def test_a_japanese_place_written_after_its_country_is_the_inner_place():
    assert place_key("米国ニューヨーク") == place_key("New York")
    assert compare_places("米国ワシントンD.C.", "Washington, D.C.") is Agreement.SAME
    assert compare_places("米国ニューヨーク", "Washington, D.C.") is Agreement.DIFFERENT
    assert place_key("カナダニューヨーク") is None  # New York does not lie in Canada
