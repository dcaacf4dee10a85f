"""The meetings table: one row per meeting readout, filtered, sorted, as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any

from monitor.detect.diff import format_value
from storage.browse import MeetingReadout

COLUMNS = {
    "date": "Date",
    "format": "Format",
    "japan": "Japan side",
    "counterpart": "Counterpart",
    "country": "Country",
    "start_local": "Start (local)",
    "start_jst": "Start (JST)",
    "duration": "Duration (min)",
    "place": "Place",
    "title": "Title",
    "url": "URL",
}


@dataclass(frozen=True, slots=True)
class MeetingRow:
    date: str
    format: str
    japan: str
    counterpart: str
    country: str
    start_local: str
    start_jst: str
    duration: int | None
    place: str
    title: str
    url: str
    document_id: int


@dataclass(frozen=True, slots=True)
class MeetingQuery:
    counterpart: str | None = None
    participant: str | None = None
    country: str | None = None
    format: str | None = None
    year: int | None = None
    sort: str = "date"
    descending: bool = True


def meeting_row(readout: MeetingReadout) -> MeetingRow:
    meeting, content = readout.meeting, readout.content
    people = meeting.get("participants") or ()
    duration = meeting.get("duration_minutes")
    return MeetingRow(
        date=str(content.get("date") or ""),
        format=format_value("format", meeting["format"])
        if meeting.get("format")
        else "",
        japan=_names(people, "japan"),
        counterpart=_names(people, "counterpart"),
        country=str(meeting.get("counterpart_country") or ""),
        start_local=str(meeting.get("started_at_local") or ""),
        start_jst=str(meeting.get("started_at_jst") or ""),
        duration=duration if isinstance(duration, int) else None,
        place=str(meeting.get("location") or ""),
        title=str(content.get("title") or readout.doc_id),
        url=readout.url,
        document_id=readout.document_id,
    )


def _names(people: Iterable[Mapping[str, Any]], side: str) -> str:
    return "; ".join(
        str(p.get("name") or "") for p in people if (p.get("side") or "") == side
    )


def select_rows(rows: Sequence[MeetingRow], query: MeetingQuery) -> list[MeetingRow]:
    """The rows the query keeps, in its order (empty values last either way)."""
    kept = [row for row in rows if _keeps(row, query)]
    filled = [r for r in kept if _key(r, query.sort) != ""]
    empty = [r for r in kept if _key(r, query.sort) == ""]
    filled.sort(key=lambda r: _key(r, query.sort), reverse=query.descending)
    return filled + empty


def _keeps(row: MeetingRow, query: MeetingQuery) -> bool:
    checks = (
        (query.counterpart, row.counterpart),
        (query.participant, f"{row.japan}; {row.counterpart}"),
    )
    if any(want and want.casefold() not in have.casefold() for want, have in checks):
        return False
    if query.country and query.country.casefold() != row.country.casefold():
        return False
    if query.format and query.format.casefold() != row.format.casefold():
        return False
    return query.year is None or row.date.startswith(f"{query.year:04d}-")


def _key(row: MeetingRow, column: str) -> Any:
    value = getattr(row, column)
    if value is None:
        return ""
    return value if isinstance(value, int) else str(value).casefold()


# A cell starting with one of these is a formula to a spreadsheet: quote it.
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable[MeetingRow]) -> str:
    """The rows as CSV with a header line (the table's columns and the link)."""
    out = io.StringIO()
    names = [f.name for f in fields(MeetingRow) if f.name in COLUMNS]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([COLUMNS[name] for name in names])
    for row in rows:
        values = dict(
            zip([f.name for f in fields(MeetingRow)], astuple(row), strict=True)
        )
        writer.writerow([_cell(values[n]) for n in names])
    return out.getvalue()
