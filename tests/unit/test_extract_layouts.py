"""Layout invariance: the same readouts in eight templates give the same Document,
and so does every bundled site page with its classes and ids renamed.

Templates and readouts: tests/layouts.py, tests/fixtures/layouts/. The measures of
the extraction issue are asserted here: body token F1 >= 0.98 on every page in every
template, title and date exact, no caption, site chrome or furniture in any body,
and meeting format, start time, duration and every participant right on >= 95% of
readouts.
"""

from __future__ import annotations

import re

import pytest

from crawler.extract.extractor import ExtractionPath, extract, extract_with_report
from tests.conftest import FIXTURES
from tests.layout_measures import CHROME_TEXT, body_f1, expected_captions
from tests.layouts import BASE, TEMPLATES, load_readouts, renamed_page, url_of

READOUTS = [(lang, r) for lang in ("en", "ja") for r in load_readouts(lang)]
IDS = [str(r["path"]).rsplit("/", 1)[-1] for _, r in READOUTS]
PATHS = {
    "mofa": ExtractionPath.LANDMARKS,
    "html5": ExtractionPath.LANDMARKS,
    "legacy": ExtractionPath.STRUCTURE,
    "renamed": ExtractionPath.STRUCTURE,
    "photo_classes": ExtractionPath.LANDMARKS,
    "redesign": ExtractionPath.STRUCTURE,
    "furnished": ExtractionPath.LANDMARKS,
    "furnished_renamed": ExtractionPath.STRUCTURE,
}


# every bundled detail page (the ones with a hand-written expectation)
SITE_PAGES = sorted(
    p.relative_to(FIXTURES / "expected").with_suffix(".html").as_posix()
    for p in (FIXTURES / "expected").rglob("*.json")
)
UNNAMED = re.compile(rb'\s(?:class|id)="[^"]*"')


def test_f1_of_a_body_that_lost_a_paragraph_is_below_the_bar():
    want = ["one two three four", "five six seven eight", "nine ten"]
    assert body_f1(want, want, "en") == 1.0
    assert body_f1(want[:2], want, "en") < 0.98
    assert body_f1(["Home", "Press"], want, "en") == 0.0


@pytest.mark.parametrize(("language", "readout"), READOUTS, ids=IDS)
def test_every_template_gives_the_same_document(language, readout):
    url = url_of(readout)
    docs = {name: extract(render(readout), url) for name, render in TEMPLATES.items()}
    first = docs["mofa"].to_dict()
    for name, doc in docs.items():
        assert doc.to_dict() == first, name
        # the same canonical JSON, so the same content hash: no new version
        assert doc.to_json() == docs["mofa"].to_json(), name
    assert first["language"] == language


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize(("language", "readout"), READOUTS, ids=IDS)
def test_body_title_date_and_captions_hold_in_every_template(
    template, language, readout
):
    doc, report = extract_with_report(TEMPLATES[template](readout), url_of(readout))
    assert report.path is PATHS[template]
    assert body_f1(doc.body, readout["body"], language) >= 0.98
    assert (doc.title, doc.date, doc.section) == (
        readout["title"],
        readout["date"],
        readout["section"],
    )
    assert list(doc.captions) == expected_captions(readout)
    for line in doc.body:
        assert not any(caption in line for caption in doc.captions), line
        assert not any(chrome in line for chrome in CHROME_TEXT), line


def _facts_right(doc, want):
    m = doc.meeting
    if m is None:
        return False
    people = [[p.name, p.role, p.side] for p in m.participants]
    return (m.format, m.started_at_local, m.duration_minutes, people) == (
        want["format"],
        want["start"],
        want["duration"],
        want["participants"],
    )


@pytest.mark.parametrize("language", ["en", "ja"])
def test_meeting_facts_right_on_95_percent_of_readouts_in_every_template(language):
    readouts = load_readouts(language)
    for name, render in TEMPLATES.items():
        wrong = [
            r["path"]
            for r in readouts
            if not _facts_right(extract(render(r), url_of(r)), r["meeting"])
        ]
        assert len(wrong) <= 0.05 * len(readouts), (name, wrong)


def test_a_landmark_holding_only_links_gives_way_to_the_structure():
    readout = load_readouts("en")[0]
    _, report = extract_with_report(TEMPLATES["redesign"](readout), url_of(readout))
    assert report.path is ExtractionPath.STRUCTURE
    assert report.landmark_rejected == "main: only links"
    assert (
        "path" not in extract(TEMPLATES["redesign"](readout), url_of(readout)).to_dict()
    )


@pytest.mark.parametrize("readout", load_readouts("ja"), ids=lambda r: r["path"][-9:])
def test_a_legacy_japanese_page_in_shift_jis_reads_like_todays(readout):
    html = TEMPLATES["legacy"](readout).replace(
        '<meta charset="UTF-8">', '<meta charset="Shift_JIS">'
    )
    raw = html.encode("shift_jis")
    url = url_of(readout)
    assert extract(raw, url) == extract(TEMPLATES["mofa"](readout), url)


@pytest.mark.parametrize(
    "rename",
    [renamed_page, lambda page: UNNAMED.sub(b"", page)],
    ids=["renamed", "no-class-or-id"],
)
@pytest.mark.parametrize("page", SITE_PAGES)
def test_a_bundled_page_without_its_class_names_gives_the_same_document(page, rename):
    raw, url = (FIXTURES / "site" / page).read_bytes(), BASE + page
    stripped = rename(raw)
    assert b'id="maincontents"' not in stripped
    assert b"any-area" not in stripped
    doc, report = extract_with_report(stripped, url)
    assert report.path is ExtractionPath.STRUCTURE
    assert doc.to_dict() == extract(raw, url).to_dict()


def test_the_set_holds_the_pages_without_a_title_heading():
    """Pages whose title is only in <title> and og:title are in the set."""
    no_h1 = [
        p for p in SITE_PAGES if b"<h1" not in (FIXTURES / "site" / p).read_bytes()
    ]
    assert len(no_h1) == 3
    assert len(SITE_PAGES) == 15
