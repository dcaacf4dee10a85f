"""The web view's pure parts: the meetings table, its CSV and chart, query parameters,
who may bind where, and the [web] table."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from monitor.config import ConfigError, WebTable, load_settings
from monitor.web import params
from monitor.web.app import web_link
from monitor.web.chart import meetings_chart, month_range
from monitor.web.meetings import MeetingQuery, MeetingRow, select_rows, to_csv
from monitor.web.security import is_loopback, require_protection
from storage.vocabulary import ChangeKind


def _row(n: int, date: str, country: str, counterpart: str, **over) -> MeetingRow:
    values: dict[str, Any] = {
        "date": date, "format": "Meeting", "japan": "KAMIKAWA Yoko",
        "counterpart": counterpart, "country": country, "start_local": "10:00",
        "start_jst": "", "duration": 30 + n, "place": "Tokyo", "title": f"T{n}",
        "url": f"https://example.org/{n}", "document_id": n,
    }  # fmt: skip
    values.update(over)
    return MeetingRow(**values)


ROWS = [
    _row(1, "2024-01-05", "Chile", "Ana Quiroga"),
    _row(2, "2023-03-01", "Canada", "Mel Joly", format="Telephone talk"),
    _row(3, "2024-02-10", "Chile", "Alberto van Klaveren", duration=None),
    _row(4, "", "", "Nobody Known"),
]


def test_filters_are_case_blind_and_combine():
    chile = select_rows(ROWS, MeetingQuery(country="chile"))
    assert [r.document_id for r in chile] == [3, 1]
    assert [r.document_id for r in select_rows(ROWS, MeetingQuery(year=2023))] == [2]
    people = select_rows(ROWS, MeetingQuery(participant="kamikawa", counterpart="joly"))
    assert [r.document_id for r in people] == [2]
    phone = select_rows(ROWS, MeetingQuery(format="telephone talk"))
    assert [r.document_id for r in phone] == [2]


def test_sorting_keeps_empty_values_last_both_ways():
    up = select_rows(ROWS, MeetingQuery(sort="duration", descending=False))
    down = select_rows(ROWS, MeetingQuery(sort="duration", descending=True))
    assert [r.document_id for r in up] == [1, 2, 4, 3]
    assert [r.document_id for r in down] == [4, 2, 1, 3]
    by_date = select_rows(ROWS, MeetingQuery(sort="date", descending=False))
    assert [r.document_id for r in by_date] == [2, 1, 3, 4]


def test_csv_has_a_header_and_one_line_per_row():
    text = to_csv([*ROWS[:2], _row(9, "2024-01-01", "X", 'A "quoted", name')])
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:5] == ["Date", "Format", "Japan side", "Counterpart", "Country"]
    assert table[0][-2:] == ["Title", "URL"]
    assert len(table) == 4
    assert table[3][3] == 'A "quoted", name'


def test_csv_cells_that_a_spreadsheet_would_run_are_defused():
    table = list(csv.reader(io.StringIO(to_csv([_row(5, "2024-01-01", "X", "=1+2")]))))
    assert table[1][3] == "'=1+2"


def test_chart_is_svg_without_script_with_a_bar_per_month():
    svg = meetings_chart(ROWS)
    assert svg.startswith("<?xml")
    assert "<script" not in svg
    for month in ("2023-03", "2023-12", "2024-02"):
        assert month in svg
    assert "Chile" in svg
    assert "<script" not in meetings_chart([])


def test_month_range_fills_the_gaps():
    assert month_range(["2023-11", "2024-02", "2023-11"]) == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]
    assert month_range([]) == []


def test_parameters_are_read_strictly():
    args = MultiDict([("event", "new"), ("event", "updated"), ("q", " x ")])
    assert params.choices(args, "event", ChangeKind) == (
        ChangeKind.NEW,
        ChangeKind.UPDATED,
    )
    assert params.one(args, "q") == "x"
    with pytest.raises(params.BadParameter, match="event"):
        params.choices(MultiDict([("event", "moved")]), "event", ChangeKind)
    with pytest.raises(params.BadParameter, match="unknown parameter 'zz'"):
        params.check_known(MultiDict([("zz", "1")]), ("q",))
    with pytest.raises(params.BadParameter, match="positive"):
        params.positive(MultiDict([("before", "0")]), "before")
    day = params.day(MultiDict([("to", "2024-02-29")]), "to", end=True)
    assert day is not None
    assert day.isoformat() == "2024-03-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.4", False),
        ("example.org", False),
    ],
)
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_credentials_come_from_the_environment_only():
    bare = WebTable().resolve({})
    assert not bare.has_credentials
    with pytest.raises(ConfigError, match="not loopback"):
        require_protection(bare, "0.0.0.0")
    require_protection(bare, "127.0.0.1")
    token = WebTable().resolve({"MOFAWATCH_WEB_TOKEN": "s3cr3t"})
    require_protection(token, "0.0.0.0")
    assert "s3cr3t" not in repr(token)
    with pytest.raises(ConfigError, match="MOFAWATCH_WEB_PASSWORD"):
        WebTable().resolve({"MOFAWATCH_WEB_USER": "reader"})


def test_the_web_table_of_the_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[web]\nenabled = true\nhost = "::1"\nport = 9001\n')
    settings = load_settings({}, good)
    assert (settings.web.enabled, settings.web.host, settings.web.port) == (
        True,
        "::1",
        9001,
    )
    for text, key in (
        ('[web]\nport = "8080"\n', "port"),
        ("[web]\nport = 70000\n", "port"),
        ('[web]\ntoken = "x"\n', "token"),
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(ConfigError, match=key):
            load_settings({}, bad)


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://www.mofa.go.jp/a.html", "https://www.mofa.go.jp/a.html"),
        ("http://example.org/", "http://example.org/"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_addresses_become_links(url, linked):
    assert web_link(url) == linked
