"""Meetings per month by counterpart country, as SVG drawn on the server (pygal)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from xml.etree import ElementTree as ET

import pygal
from pygal.style import Style

from monitor.web.meetings import MeetingRow


def _drop_pygal_finder() -> None:
    """pygal adds an import finder of its own (for pygal.maps plugins, unused here)
    that knows only the old finder protocol: every later import would warn."""
    sys.meta_path[:] = [
        finder
        for finder in sys.meta_path
        if (type(finder).__module__, type(finder).__name__)
        != ("pygal", "PluginImportFixer")
    ]


_drop_pygal_finder()
SVG = "http://www.w3.org/2000/svg"
MAX_MONTHS = 120
MAX_COUNTRIES = 8  # the rest are drawn as one "other countries" series
_STYLE = Style(
    background="white",
    plot_background="white",
    font_family="sans-serif",
    colors=("#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#16a085",
            "#7f8c8d", "#2c3e50", "#b3b3b3"),
)  # fmt: skip


def meetings_chart(rows: Sequence[MeetingRow]) -> str:
    """A stacked bar chart of the rows: one bar per month, one colour per country."""
    chart = pygal.StackedBar(
        style=_STYLE,
        js=[],  # no script, from the internet or anywhere
        width=900,
        height=360,
        x_label_rotation=45,
        legend_at_bottom=True,
        show_minor_x_labels=True,
        title="Meetings per month by counterpart country",
        no_data_text="No meeting readouts",
    )
    months = month_range(row.date[:7] for row in rows if len(row.date) >= 7)
    chart.x_labels = months
    series = _series(rows, months)
    for country, counts in series:
        chart.add(country, counts)
    tallest = max(
        (sum(c) for c in zip(*(s for _, s in series), strict=True)), default=0
    )
    if 0 < tallest <= 10:  # whole meetings on the axis, not 0.2 steps
        chart.y_labels = list(range(tallest + 1))
    return without_script(chart.render(is_unicode=True))


def without_script(svg: str) -> str:
    """The SVG without the <script> pygal writes its settings into (the chart is
    drawn without it; the page's policy would refuse to run it anyway)."""
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}script", "script"):
                parent.remove(child)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def month_range(months: Iterable[str]) -> list[str]:
    """Every month from the first to the last of `months` ("YYYY-MM"), at most the
    newest MAX_MONTHS."""
    present = sorted(set(months))
    if not present:
        return []
    year, month = map(int, present[0].split("-"))
    out: list[str] = []
    while (label := f"{year:04d}-{month:02d}") <= present[-1]:
        out.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out[-MAX_MONTHS:]


def _series(
    rows: Sequence[MeetingRow], months: Sequence[str]
) -> list[tuple[str, list[int]]]:
    dated = [row for row in rows if row.date[:7] in months]
    totals = Counter(row.country or "unknown" for row in dated)
    shown = [country for country, _ in totals.most_common(MAX_COUNTRIES)]
    per: dict[str, Counter[str]] = {}
    for row in dated:
        country = row.country or "unknown"
        name = country if country in shown else "other countries"
        per.setdefault(name, Counter())[row.date[:7]] += 1
    order = [*shown, *(["other countries"] if "other countries" in per else [])]
    return [(name, [per[name][month] for month in months]) for name in order]
