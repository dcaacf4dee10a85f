"""Rendering of change, ops and digest alerts; golden files for the seed documents.

Golden files live in tests/fixtures/golden/. After a deliberate layout change, rewrite
them with `MOFAWATCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_render.py`, read
the diff by eye, and commit them.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.alerts.render.cards import (
    ChangeView,
    OpsView,
    render_change,
    render_digest,
    render_ops,
)
from monitor.alerts.render.facts import document_facts, document_summary, trim
from monitor.alerts.render.slack import fit
from monitor.detect.diff import FieldChange, diff_documents
from tests.conftest import fixture_path, fixture_text
from tests.views import change_view

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SEEDS = [
    "seed_000_press4e_003170",
    "seed_001_page4e_001274",
    "seed_002_page1e_000678",
    "seed_003_page4e_001196",
    "seed_004_kaiken24e_000136",
]
UPDATE_GOLDEN = os.environ.get("MOFAWATCH_UPDATE_GOLDEN") == "1"


def doc(name):
    return json.loads(fixture_text(f"documents/{name}.json"))


def view(content, *, alert_id=101, root=None, **over):
    """An alert of `content` that starts its own thread unless `root` is given."""
    thread = alert_id if root is None else root
    ids = {"alert_id": alert_id, "change_id": alert_id + 1000}
    return change_view(content, NOW, **ids, root=thread, **over)


def seed_view(index):
    return view(doc(SEEDS[index]), alert_id=100 + index)


def edit_view():
    old, new = doc(SEEDS[1]), doc("edit_001_page4e_001274")
    return view(
        new,
        alert_id=201,
        kind="updated",
        changes=diff_documents(old, new),
        root=101,
        seq=2,
    )


def ops_view(phase):
    return OpsView(
        alert_id=301,
        event_id=31,
        kind="blocked",
        subject="press_releases",
        phase=phase,
        detail={"status": 403, "cycles": 3},
        created_at=NOW,
    )


GOLDEN_CASES = {f"new_{name}": index for index, name in enumerate(SEEDS)}
GOLDEN_CASES["updated_edit_001_page4e_001274"] = -1
GOLDEN_CASES["removed_seed_002_page1e_000678"] = -2
GOLDEN_CASES["ops_blocked_started"] = -3
GOLDEN_CASES["ops_blocked_ended"] = -4
GOLDEN_CASES["digest_seed_000_and_edit_001"] = -5


def golden_rendering(case):
    index = GOLDEN_CASES[case]
    if index >= 0:
        return render_change(seed_view(index))
    if index == -1:
        return render_change(edit_view())
    if index == -2:
        return render_change(
            view(doc(SEEDS[2]), alert_id=401, kind="removed", root=102)
        )
    if index in (-3, -4):
        return render_ops(ops_view("started" if index == -3 else "ended"))
    return render_digest([seed_view(0), edit_view()])


def check_golden(name, actual):
    path = fixture_path(f"golden/{name}")
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.exists(), f"{path} missing: run with MOFAWATCH_UPDATE_GOLDEN=1"
    assert actual.encode("utf-8") == path.read_bytes(), f"{name} differs from golden"


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_rendering_matches_golden_files(case):
    rendered = golden_rendering(case)
    check_golden(f"{case}.txt", f"Subject: {rendered.subject}\n\n{rendered.text}")
    check_golden(f"{case}.html", rendered.html)
    blocks = json.dumps(rendered.slack_blocks, ensure_ascii=False, indent=2)
    check_golden(f"{case}.slack.json", blocks + "\n")


@pytest.mark.parametrize(
    ("index", "subject"),
    [
        (0, "New meeting: Japan-U.S. Vice-Ministers\u2019 Meeting (25 October 2022)"),
        (1, "New meeting: Japan-U.S. Foreign Ministers\u2019 Meeting (29 July 2022)"),
        (
            4,
            "New press conference: Extraordinary Press Conference by Foreign "
            "Minister HAYASHI Yoshimasa (23 May 2022)",
        ),
    ],
)
def test_subject_names_the_kind_title_and_date(index, subject):
    assert render_change(seed_view(index)).subject == subject


def test_press_release_without_meeting_is_a_new_press_release():
    content = dict(doc(SEEDS[0]), meeting=None, title="Statement on Trade")
    assert render_change(view(content)).subject == (
        "New press release: Statement on Trade (25 October 2022)"
    )


@pytest.mark.parametrize(
    ("kind", "word"),
    [("updated", "Updated"), ("removed", "Removed"), ("restored", "Restored")],
)
def test_subject_of_later_changes(kind, word):
    rendered = render_change(view(doc(SEEDS[2]), kind=kind))
    assert rendered.subject == (
        f"{word}: Japan-U.S. Foreign Ministers\u2019 Meeting (19 May 2023)"
    )


def test_message_facts_come_first_in_reading_order():
    text = render_change(seed_view(1)).text
    order = [
        "NEW MEETING",
        "Japan-U.S. Foreign Ministers",
        "Type:",
        "Date:",
        "Japan:        HAYASHI Yoshimasa",
        "Counterpart:  Antony Blinken",
        "Start:        13:43 local time (02:43 Japan time)",
        "Duration:     55 min",
        "Location:     Washington D.C.",
        "Topics:",
        "Link:         https://www.mofa.go.jp/",
        "Summary",
        "On July 29, commencing",
    ]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)


def test_same_start_in_both_zones_is_shown_once_as_japan_time():
    assert "Start:        11:25 Japan time\n" in render_change(seed_view(0)).text


def test_message_id_is_deterministic_and_updates_reply_to_the_thread_root():
    first = render_change(seed_view(1))
    update = render_change(edit_view())
    assert first.message_id == "<alert-101.page4e_001274@mofawatch>"
    assert first.in_reply_to is None
    assert update.message_id == "<alert-201.page4e_001274@mofawatch>"
    assert update.in_reply_to == first.message_id
    assert render_change(edit_view()) == update


def test_update_shows_what_changed_after_the_facts():
    rendered = render_change(edit_view())
    text = rendered.text
    assert "Changed: 1 participant added \u00b7 1 paragraph changed" in text
    assert text.index("Summary") < text.index("What changed")
    assert "[-importantce-] {+importance+}" in text
    assert "Participant added\n  + KITAMURA Aoi (Director-General" in text
    assert ">importantce</del>" in rendered.html


def test_new_alert_shows_no_diff_even_if_changes_are_given():
    changes = (FieldChange("title", "added", None, "X"),)
    rendered = render_change(view(doc(SEEDS[1]), changes=changes))
    assert "What changed" not in rendered.text


def test_page_text_is_escaped_in_html_and_slack_but_not_in_plain_text():
    content = doc(SEEDS[1])
    content["title"] = "<script>alert(1)</script>"
    content["body"][0] = "Tom & Jerry <b>met</b>."
    content["meeting"]["location"] = '"><img src=x>'
    rendered = render_change(view(content))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "Tom &amp; Jerry &lt;b&gt;met&lt;/b&gt;" in rendered.html
    assert "&quot;&gt;&lt;img src=x&gt;" in rendered.html
    slack = json.dumps(rendered.slack_blocks[1:])
    assert "Tom &amp; Jerry &lt;b&gt;met&lt;/b&gt;" in slack
    assert "<b>" not in slack
    assert "Tom & Jerry <b>met</b>" in rendered.text


def test_only_web_links_become_anchors():
    content = doc(SEEDS[1])
    rendered = render_change(
        ChangeView(
            1, 2, "new", "javascript:alert(1)", "x", "page", 1, content, (), NOW, None
        )
    )
    assert "href=" not in rendered.html


def test_payload_is_json_with_document_and_changes():
    rendered = render_change(edit_view())
    payload = json.loads(json.dumps(rendered.payload))
    assert payload["kind"] == "updated"
    assert payload["alert_id"] == 201
    assert payload["document"]["title"] == "Japan-U.S. Foreign Ministers\u2019 Meeting"
    assert payload["document"]["meeting"]["started_at_local"] == "13:43"
    assert [c["field"] for c in payload["changes"]] == ["participants", "body"]
    assert payload["detected_at"] == "2026-11-23T12:00:00+00:00"


def test_summary_is_the_first_paragraph_trimmed_at_a_word():
    content = doc(SEEDS[1])
    content["body"][0] = "word " * 200
    text = render_change(view(content)).text
    summary = text.split("Summary\n", 1)[1].split("\n", 1)[0]
    assert summary.endswith("word\u2026")
    assert len(summary) <= 320


def test_trim_keeps_short_text_and_cuts_long_text():
    assert trim("short text", 20) == "short text"
    assert trim("alpha beta gamma delta", 15) == "alpha beta\u2026"


def test_placeholder_document_says_the_text_is_coming():
    content = dict(doc(SEEDS[0]), body=[], placeholder=True, meeting=None)
    assert "The text will be coming soon." in render_change(view(content)).text


def test_removed_alert_explains_itself():
    text = render_change(view(doc(SEEDS[2]), kind="removed")).text
    assert "gone from the site" in text


@pytest.mark.parametrize(
    ("phase", "subject"),
    [
        ("started", "[mofawatch] Blocked: press_releases"),
        ("ended", "[mofawatch] Recovered: press_releases"),
    ],
)
def test_ops_alert_subjects(phase, subject):
    ops = OpsView(
        alert_id=9,
        event_id=4,
        kind="blocked",
        subject="press_releases",
        phase=phase,
        detail={"status": 403, "cycles": 3},
        created_at=NOW,
    )
    rendered = render_ops(ops)
    assert rendered.subject == subject
    assert "Status:       403" in rendered.text
    assert rendered.message_id == "<alert-9.ops-4@mofawatch>"
    assert rendered.payload["phase"] == phase
    assert rendered.slack_blocks[0]["text"]["text"] == subject


def test_digest_lists_every_change_in_one_message():
    views = [seed_view(i) for i in range(5)] + [edit_view()]
    rendered = render_digest(views)
    assert rendered.subject == "[mofawatch] Digest: 6 changes (5 new, 1 updated)"
    for i in range(5):
        assert doc(SEEDS[i])["title"] in rendered.text
    assert "[-importantce-]" in rendered.text
    assert len(rendered.payload["alerts"]) == 6
    assert render_digest(list(reversed(views))).message_id == rendered.message_id


def test_digest_of_many_changes_stays_within_fifty_blocks():
    views = [view(doc(SEEDS[i % 5]), alert_id=i) for i in range(120)]
    blocks = render_digest(views).slack_blocks
    assert len(blocks) == 50
    assert blocks[-1]["elements"][0]["text"] == "\u2026and 72 more"


ALLOWED_TAGS = {
    "html",
    "div",
    "head",
    "meta",
    "title",
    "body",
    "p",
    "h2",
    "h3",
    "a",
    "table",
    "tr",
    "th",
    "td",
    "del",
    "ins",
    "hr",
}
nasty = st.text(alphabet=st.sampled_from(list("<>&\"' abc/=x;\u2019")), max_size=60)


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


@settings(max_examples=60)
@given(title=nasty, paragraph=nasty, name=nasty)
def test_page_text_never_becomes_markup_or_breaks_slack_limits(title, paragraph, name):
    content = doc(SEEDS[1])
    content["title"] = title or "x"
    content["body"] = [paragraph, paragraph + " more"]
    content["meeting"]["participants"][0]["name"] = name
    old = dict(content, body=[paragraph + " less"])
    rendered = render_change(
        view(content, kind="updated", changes=diff_documents(old, content))
    )
    collector = TagCollector()
    collector.feed(rendered.html)
    assert collector.tags <= ALLOWED_TAGS
    for block in rendered.slack_blocks:
        if block["type"] == "section" and "text" in block:
            text = block["text"]["text"]
            assert len(text) <= 3000
            stripped = re.sub(r"<https://[^|>]+\|[^>]*>", "", text)
            assert "<" not in stripped
            assert ">" not in stripped


@pytest.mark.parametrize("text", ["&" * 5000, "a<b>" * 2000, "x" * 2999 + "&&"])
def test_slack_fit_never_cuts_inside_an_entity(text):
    fitted = fit(text, 3000)
    assert len(fitted) <= 3000
    assert fitted.endswith("\u2026")
    body = fitted[:-1]
    assert re.fullmatch(r"(?:[^&<>]|&amp;|&lt;|&gt;)*", body)


def _conference():
    return json.loads(fixture_text("expected/press/kaiken/kaikenite_000001_00112.json"))


def test_press_conference_summary_is_its_first_real_paragraph_not_a_heading():
    content = _conference()
    assert content["body"][:2] == [
        "Opening Remarks",
        "(1) Visit to the Pacific Island Countries",
    ]
    summary = document_summary(content)
    assert summary is not None
    assert summary.startswith("Mr. SAKURADA Kenji, Minister for Foreign Affairs: From")
    assert "Summary\nMr. SAKURADA Kenji" in render_change(view(content)).text


def test_speakers_name_each_person_once_as_first_named():
    facts = dict(document_facts(_conference(), "press_conference"))
    assert facts["Speakers"] == (
        "Mr. SAKURADA Kenji, Minister for Foreign Affairs; "
        "Nippon Daily, Kato; Coast Wire, Hill"
    )  # "Minister Sakurada" answers later: the same person
