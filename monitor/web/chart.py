"""Meetings per month by counterpart country, as SVG drawn on the server (pygal)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pygal
from pygal.style import Style

from monitor.web.meetings import MeetingRow

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
    months = sorted({row.date[:7] for row in rows if len(row.date) >= 7})
    chart.x_labels = months
    for country, counts in _series(rows, months):
        chart.add(country, counts)
    svg: str = chart.render(is_unicode=True)
    return svg


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
