"""Document JSON edge: keys as DESIGN.md names them, lossless round trip."""

from __future__ import annotations

import json
from dataclasses import replace

from crawler.extract.document import Document, Exchange, Meeting, Participant

KEYS = {
    "url", "doc_id", "language", "kind", "section", "title", "date", "body",
    "captions", "provisional_translation", "placeholder", "japanese_url",
    "english_url", "topics", "meeting", "exchanges",
}  # fmt: skip


def _document(**over):
    doc = Document(
        url="https://www.mofa.go.jp/na/na1/us/page4e_001274.html",
        doc_id="page4e_001274",
        language="en",
        kind="page",
        section="Japan-United States of America Relations",
        title="Japan-U.S. Foreign Ministers\u2019 Meeting",
        date="2022-07-29",
        body=("First.", "1. Second."),
        captions=("Photo",),
        provisional_translation=False,
        placeholder=False,
        japanese_url=None,
        english_url=None,
        topics=("China",),
        meeting=Meeting(
            format="meeting",
            started_at_local="13:43",
            started_at_jst="02:43",
            duration_minutes=55,
            location="Washington D.C.",
            participants=(
                Participant("HAYASHI Yoshimasa", "Minister", "japan"),
                Participant("Antony Blinken", None, "counterpart"),
            ),
            counterpart_country="United States of America",
        ),
        exchanges=(Exchange("Reporter", "Question?"),),
    )
    return replace(doc, **over)


def test_to_dict_uses_design_key_names_and_lists():
    data = _document().to_dict()
    assert set(data) == KEYS
    assert data["body"] == ["First.", "1. Second."]
    assert data["meeting"]["participants"][1] == {
        "name": "Antony Blinken",
        "role": None,
        "side": "counterpart",
    }
    assert data["exchanges"] == [{"speaker": "Reporter", "text": "Question?"}]


def test_from_dict_round_trips_through_json():
    doc = _document()
    assert Document.from_dict(json.loads(doc.to_json())) == doc
    bare = _document(meeting=None, exchanges=())
    assert Document.from_dict(bare.to_dict()) == bare


def test_to_json_is_sorted_indented_and_keeps_non_ascii():
    text = _document(title="日米外相会談").to_json()
    assert "日米外相会談" in text
    assert text.startswith('{\n  "body"')
    assert list(json.loads(text)) == sorted(KEYS)
