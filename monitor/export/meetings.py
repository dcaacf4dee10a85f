"""The meetings table: one row per meeting readout, the columns analysts ask for.

Read from each document's newest version (its `meeting` facts, see
crawler.extract.meeting): when, in what format, who on each side, the counterpart
country, start times (local and Japan), duration, place, and the link. Rows go in
date order, then by URL.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from monitor.export.documents import ExportRow

logger = logging.getLogger(__name__)

MEETING_COLUMNS = (
    "date", "format", "japan_side", "counterpart", "country", "start_local",
    "start_jst", "duration_minutes", "place", "title", "link",
)  # fmt: skip
PEOPLE_SEPARATOR = "; "


def meeting_row(row: ExportRow) -> dict[str, Any] | None:
    """The table row of one document; None when it is no meeting readout."""
    doc = row.document
    meeting = doc.get("meeting")
    if not isinstance(meeting, Mapping):
        return None
    people = meeting.get("participants") or ()
    return {
        "date": doc.get("date"),
        "format": meeting.get("format"),
        "japan_side": _side(people, "japan"),
        "counterpart": _side(people, "counterpart"),
        "country": meeting.get("counterpart_country"),
        "start_local": meeting.get("started_at_local"),
        "start_jst": meeting.get("started_at_jst"),
        "duration_minutes": meeting.get("duration_minutes"),
        "place": meeting.get("location"),
        "title": doc.get("title"),
        "link": doc.get("url"),
    }


def _side(people: Sequence[Mapping[str, Any]], side: str) -> str:
    """'HAYASHI Yoshimasa (Minister for Foreign Affairs of Japan); ...'."""
    names = []
    for person in people:
        if str(person.get("side") or "counterpart") != side:
            continue
        name, role = str(person.get("name") or ""), person.get("role")
        names.append(f"{name} ({role})" if role else name)
    return PEOPLE_SEPARATOR.join(names)


def meeting_rows(rows: Iterable[ExportRow]) -> list[dict[str, Any]]:
    """The meeting readouts among `rows`, by date (undated last), then link."""
    found = [r for r in map(meeting_row, rows) if r is not None]
    found.sort(key=lambda r: (r["date"] is None, r["date"] or "", r["link"] or ""))
    return found


def write_meetings_csv(rows: Iterable[ExportRow], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=MEETING_COLUMNS, lineterminator="\n")
    writer.writeheader()
    table = meeting_rows(rows)
    writer.writerows(table)
    return len(table)


def write_meetings_jsonl(rows: Iterable[ExportRow], out: TextIO) -> int:
    table = meeting_rows(rows)
    for row in table:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(table)
