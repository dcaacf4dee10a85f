"""check's findings and exit code, from Documents and page reports (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from monitor.check.findings import findings_of, missing_fields
from monitor.check.probe import PageReport, Role, Verdict
from monitor.check.report import exit_code, page_lines
from tests.conftest import fixture_text


def _readout() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        fixture_text("expected/na/na1/us/page4e_001274.json")
    )
    return document


def test_a_full_readout_misses_nothing():
    found = findings_of(_readout())
    assert found.missing == ()
    assert found.title == "Japan-U.S. Foreign Ministers\u2019 Meeting"
    assert found.meeting is not None
    assert found.path is None


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"date": None}, ("date",)),
        ({"title": ""}, ("title",)),
        ({"body": []}, ("body",)),
        ({"meeting": None}, ("meeting facts",)),
    ],
)
def test_what_is_missing_is_named(change, missing):
    assert missing_fields({**_readout(), **change}) == missing


def test_a_placeholder_without_body_misses_nothing():
    page = {**_readout(), "title": "Press Conference", "meeting": None}
    assert missing_fields({**page, "body": [], "placeholder": True}) == ()


@dataclass(frozen=True)
class _WithPath:
    data: dict[str, Any]
    path: str

    def to_dict(self) -> dict[str, Any]:
        return self.data


def test_the_extraction_path_is_shown_when_the_extractor_gives_one():
    found = findings_of(_WithPath(_readout(), "structural"))
    assert found.path == "structural"
    page = PageReport(Role.DETAIL, "japan_us", "u", 200, Verdict.OK, "", found)
    assert "path: structural" in "\n".join(page_lines(page))
    assert findings_of({**_readout(), "path": "landmarks"}).path == "landmarks"


def _page(verdict: Verdict, role: Role = Role.DETAIL) -> PageReport:
    return PageReport(role, "s", "u", 200, verdict, "")


def test_exit_codes():
    robots = _page(Verdict.OK, Role.ROBOTS)
    assert exit_code([robots, _page(Verdict.OK)]) == 0
    assert exit_code([robots, _page(Verdict.OK), _page(Verdict.MISSING)]) == 1
    assert exit_code([robots, _page(Verdict.FAILED), _page(Verdict.BLOCKED)]) == 4
    assert exit_code([robots]) == 1  # no detail page seen: nothing says it works
