"""Email layouts of alert cards: a plain-text part and an HTML part.

Every page-derived string in the HTML part goes through html.escape. The difference
shown is capped (the first MAX_SHOWN_CHANGES changes, then "and N more" with the
link) and every value is trimmed, so each part stays under PART_LIMIT bytes however
large the edit; a digest beyond the limit lists its remaining alerts by title only.
The HTML part reads on a phone: a viewport, a maximum width, long words wrapped.
"""

from __future__ import annotations

import email.utils
import html
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitor.alerts.render.limits import (
    within_limit,
)
from monitor.detect.diff import (
    ELLIPSIS,
    FieldChange,
    change_heading,
    excerpt,
    format_value,
    render_diff_text,
)

if TYPE_CHECKING:
    from monitor.alerts.render.cards import Card

logger = logging.getLogger(__name__)

LABEL_WIDTH = 13
RULE = "-" * 72
FONT = "font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222222;"
MUTED = "color:#666666;font-size:12px;"
DEL = "background:#ffe3e3;color:#8a1f1f;text-decoration:line-through;"
INS = "background:#ddf6dd;color:#1d5e1d;text-decoration:none;"
# word-wrap first: it is an alias, and the later declaration wins where both are known.
WRAP = "word-wrap:break-word;overflow-wrap:anywhere;"
MAX_WIDTH_PX = 640
_DOMAIN = re.compile(r"^[A-Za-z0-9.-]+$")
SEPARATOR = '<hr style="border:0;border-top:1px solid #dddddd;margin:20px 0;">'


def text_body(cards: Sequence[Card]) -> str:
    """The text/plain part: one block per card, separated by a rule."""
    blocks = within_limit(cards, _text_card, _text_brief, len(RULE) + 3)
    return ("\n" + RULE + "\n\n").join(blocks) + "\n"


def html_body(cards: Sequence[Card], *, title: str) -> str:
    """The text/html part: simple inline styles, <del>/<ins> for the difference."""
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title></head>",
        f'<body style="margin:0;padding:0;{FONT}">',
        f'<div style="max-width:{MAX_WIDTH_PX}px;margin:0 auto;padding:12px;{WRAP}">',
    ]
    blocks = within_limit(
        cards, _html_card, _html_brief, len(SEPARATOR) + 1, reserve=1024
    )
    parts.append(SEPARATOR.join(blocks))
    parts.append("</div></body></html>")
    return "\n".join(parts) + "\n"


def message_id_for_sender(message_id: str, sender: str | None) -> str:
    """`message_id` with the domain of the From address as its right-hand side."""
    address = email.utils.parseaddr(sender or "")[1]
    domain = address.rpartition("@")[2].strip().lower()
    if not domain or not _DOMAIN.match(domain):
        domain = "localhost"
    local = message_id.strip().strip("<>").rpartition("@")[0] or message_id.strip("<>")
    return f"<{local}@{domain}>"


def _more_line(card: Card) -> str | None:
    if not card.hidden_changes:
        return None
    noun = "change" if card.hidden_changes == 1 else "changes"
    where = f": {card.link}" if card.link else ""
    return f"{ELLIPSIS} and {card.hidden_changes} more {noun}{where}"


def _text_brief(card: Card) -> str:
    lines = [f"{card.headline.upper()}: {card.title}"]
    if card.link:
        lines.append(card.link)
    return "\n".join(lines)


def _html_brief(card: Card) -> str:
    title = _e(card.title)
    if card.link and _is_web_url(card.link):
        title = f'<a href="{_e(card.link)}" style="color:#1a4f8b;">{title}</a>'
    return f'<p style="margin:0;"><b>{_e(card.headline)}:</b> {title}</p>'


def _text_card(card: Card) -> str:
    lines = [card.headline.upper(), card.title]
    if card.lead:
        lines.append(f"Changed: {card.lead}")
    lines.append("")
    lines += [f"{label + ':':<{LABEL_WIDTH}} {value}" for label, value in card.facts]
    if card.link:
        lines.append(f"{'Link:':<{LABEL_WIDTH}} {card.link}")
    if card.note:
        lines += ["", card.note]
    if card.summary:
        lines += ["", "Summary", card.summary]
    if card.changes:
        lines += ["", "What changed", render_diff_text(card.changes)]
    more = _more_line(card)
    if more:
        lines.append(more)
    lines += ["", "-- ", card.footer]
    return "\n".join(lines)


def _html_card(card: Card) -> str:
    title = _e(card.title)
    if card.link and _is_web_url(card.link):
        title = f'<a href="{_e(card.link)}" style="color:#1a4f8b;">{title}</a>'
    parts = [
        f'<p style="margin:0;{MUTED}text-transform:uppercase;">{_e(card.headline)}</p>',
        f'<h2 style="margin:4px 0 12px 0;font-size:18px;">{title}</h2>',
    ]
    if card.lead:
        parts.append(f'<p style="margin:0 0 12px 0;">Changed: {_e(card.lead)}</p>')
    parts.append(_html_facts(card))
    if card.note:
        parts.append(f'<p style="margin:12px 0;font-weight:bold;">{_e(card.note)}</p>')
    if card.summary:
        parts.append('<h3 style="margin:16px 0 4px 0;font-size:15px;">Summary</h3>')
        parts.append(f'<p style="margin:0;">{_e(card.summary)}</p>')
    if card.changes:
        parts.append(
            '<h3 style="margin:16px 0 4px 0;font-size:15px;">What changed</h3>'
        )
        parts += [_html_change(change) for change in card.changes]
    if card.hidden_changes:
        parts.append(_html_more(card))
    parts.append(f'<p style="margin:16px 0 0 0;{MUTED}">{_e(card.footer)}</p>')
    return "\n".join(parts)


def _html_more(card: Card) -> str:
    noun = "change" if card.hidden_changes == 1 else "changes"
    text = f"{ELLIPSIS} and {card.hidden_changes} more {noun}"
    if card.link and _is_web_url(card.link):
        link = _e(card.link)
        text += f': <a href="{link}" style="color:#1a4f8b;">see the page</a>'
    return f'<p style="margin:10px 0 0 0;font-weight:bold;">{text}</p>'


def _html_facts(card: Card) -> str:
    cell = "padding:2px 12px 2px 0;vertical-align:top;text-align:left;"
    # Labels stay whole; values (long names, links) wrap to fit a phone.
    label_style = f"{cell}white-space:nowrap;{MUTED}"
    rows = [
        f'<tr><th style="{label_style}">{_e(label)}</th>'
        f'<td style="{cell}{WRAP}">{_e(value)}</td></tr>'
        for label, value in card.facts
    ]
    if card.link and _is_web_url(card.link):
        link = _e(card.link)
        rows.append(
            f'<tr><th style="{label_style}">Link</th>'
            f'<td style="{cell}{WRAP}"><a href="{link}">{link}</a></td></tr>'
        )
    table = "border-collapse:collapse;width:100%;max-width:100%;"
    return f'<table style="{table}">\n' + "\n".join(rows) + "\n</table>"


def _html_change(change: FieldChange) -> str:
    heading = (
        f'<p style="margin:10px 0 2px 0;font-weight:bold;">'
        f"{_e(change_heading(change))}</p>"
    )
    if change.words:
        runs = " ".join(_html_run(op, text) for op, text in excerpt(change.words))
        return f'{heading}\n<p style="margin:0;">{runs}</p>'
    lines = [heading]
    if change.old is not None:
        old = _e(format_value(change.field, change.old))
        lines.append(f'<p style="margin:0;"><del style="{DEL}">{old}</del></p>')
    if change.new is not None:
        new = _e(format_value(change.field, change.new))
        lines.append(f'<p style="margin:0;"><ins style="{INS}">{new}</ins></p>')
    return "\n".join(lines)


def _html_run(op: str, text: str) -> str:
    if op == "-":
        return f'<del style="{DEL}">{_e(text)}</del>'
    if op == "+":
        return f'<ins style="{INS}">{_e(text)}</ins>'
    return _e(text)


def _is_web_url(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def _e(text: str) -> str:
    return html.escape(text, quote=True)
