"""Alerts as messages: what a change or ops event says, laid out for each channel.

The facts come first (who met whom, when, how long, where, topics, link), then the
difference. Layouts live in monitor.alerts.render.email and monitor.alerts.render.slack.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.alerts.render import email as render_email
from monitor.alerts.render import pairs as render_pairs
from monitor.alerts.render import slack as render_slack
from monitor.alerts.render.facts import (
    DOC_KIND_LABELS,
    change_summary,
    document_facts,
    document_summary,
)
from monitor.detect.diff import FieldChange
from monitor.textsafe import printable

__all__ = [
    "ChangeView",
    "OpsView",
    "Rendered",
    "document_facts",
    "document_summary",
    "message_id",
    "render_change",
    "render_digest",
    "render_ops",
]

logger = logging.getLogger(__name__)

MESSAGE_DOMAIN = "mofawatch"
CHANGE_HEADLINES = {
    "updated": "Updated",
    "removed": "Removed",
    "restored": "Restored",
}
CHANGE_NOTES = {
    "removed": "This page is gone from the site (not found on two checks in a row).",
    "restored": "This page is back on the site after being reported removed.",
}
# Ops event kind -> (subject word when it starts, when it ends).
OPS_LABELS = {
    "blocked": ("Blocked", "Recovered"),
    "failing": ("Failing", "Recovered"),
    "fetch_failing": ("Failing", "Recovered"),
    "failed": ("Failing", "Recovered"),
    "drift": ("Layout drift", "Layout drift ended"),
    "layout_drift": ("Layout drift", "Layout drift ended"),
    "silence": ("Silence", "Publishing again"),
}
_BLOCKED = (
    "The site refuses our requests (403/429 or a challenge page). Nothing is marked "
    "removed while this lasts; cycles go on at the usual pace.",
    "The site answers our requests normally again.",
)
_FAILING = (
    "Fetches have failed (server errors or time-outs) several cycles in a row. "
    "Nothing is marked removed because of it.",
    "Fetches succeed again.",
)
_DRIFT = (
    "Many pages no longer have the layout the extractor expects: they cannot be "
    "read or lost a field they used to have (their new versions are held back), "
    "or only the structural fallback found their content. The extractor may "
    "need an update.",
    "Pages match the expected layout again.",
)
_SILENCE = (
    "No new document has appeared for longer than usual.",
    "New documents are appearing again.",
)
# Ops event kind -> (note when it starts, when it ends).
OPS_NOTES = {
    "blocked": _BLOCKED,
    "failing": _FAILING,
    "fetch_failing": _FAILING,
    "failed": _FAILING,
    "drift": _DRIFT,
    "layout_drift": _DRIFT,
    "silence": _SILENCE,
}


@dataclass(frozen=True, slots=True)
class ChangeView:
    """One change alert to render: the document as shown and its field changes."""

    alert_id: int
    change_id: int
    kind: str  # new | updated | removed | restored
    document_url: str
    doc_id: str
    doc_kind: str
    seq: int | None
    content: Mapping[str, Any]
    changes: tuple[FieldChange, ...]
    detected_at: datetime
    thread_root_alert_id: int | None
    # The other language's version when paired: (language, url, title).
    counterpart: tuple[str, str, str | None] | None = None


@dataclass(frozen=True, slots=True)
class OpsView:
    """One operational alert: an ops condition that started or ended."""

    alert_id: int
    event_id: int
    kind: str
    subject: str
    phase: str  # started | ended
    detail: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message, in every form a channel may need."""

    subject: str
    text: str
    html: str
    slack_blocks: list[dict[str, Any]]
    payload: dict[str, Any]
    message_id: str
    in_reply_to: str | None


@dataclass(frozen=True, slots=True)
class Card:
    """What one alert says, before layout: headline, facts, summary, changes."""

    headline: str
    title: str
    lead: str | None
    facts: tuple[tuple[str, str], ...]
    link: str | None
    summary: str | None
    changes: tuple[FieldChange, ...]
    note: str | None
    footer: str
    prefix: str = ""
    hidden_changes: int = 0  # changes left out of a capped layout

    @property
    def subject(self) -> str:
        date_text = dict(self.facts).get("Date")
        suffix = f" ({date_text})" if date_text else ""
        return printable(f"{self.prefix}{self.headline}: {self.title}{suffix}")


def render_change(view: ChangeView) -> Rendered:
    """The message for one change alert."""
    card = change_card(view)
    root = view.thread_root_alert_id
    return Rendered(
        subject=card.subject,
        text=render_email.text_body([card]),
        html=render_email.html_body([card], title=card.subject),
        slack_blocks=render_slack.card_blocks(card),
        payload=change_payload(view, card.subject),
        message_id=message_id(view.alert_id, view.doc_id),
        in_reply_to=(
            message_id(root, view.doc_id) if root and root != view.alert_id else None
        ),
    )


def render_ops(view: OpsView) -> Rendered:
    """The message for one operational alert."""
    card = ops_card(view)
    payload = {
        "type": "ops",
        "alert_id": view.alert_id,
        "event_id": view.event_id,
        "kind": view.kind,
        "subject": view.subject,
        "phase": view.phase,
        "detail": _json_ready(view.detail),
        "created_at": view.created_at.isoformat(),
    }
    return Rendered(
        subject=card.subject,
        text=render_email.text_body([card]),
        html=render_email.html_body([card], title=card.subject),
        slack_blocks=render_slack.card_blocks(card),
        payload=payload,
        message_id=message_id(view.alert_id, f"ops-{view.event_id}"),
        in_reply_to=None,
    )


def render_digest(views: Sequence[ChangeView]) -> Rendered:
    """One message for several change alerts (hourly or daily digest)."""
    cards = [change_card(view) for view in views]
    subject = f"[mofawatch] Digest: {_digest_count(views)}"
    ids = ",".join(str(view.alert_id) for view in sorted(views, key=_alert_id))
    digest_key = hashlib.sha256(ids.encode()).hexdigest()[:16]
    return Rendered(
        subject=subject,
        text=render_email.text_body(cards),
        html=render_email.html_body(cards, title=subject),
        slack_blocks=render_slack.digest_blocks(subject, cards),
        payload={
            "type": "digest",
            "subject": subject,
            "alerts": [
                change_payload(v, c.subject) for v, c in zip(views, cards, strict=True)
            ],
        },
        message_id=f"<digest-{digest_key}@{MESSAGE_DOMAIN}>",
        in_reply_to=None,
    )


def message_id(alert_id: int, doc_id: str | None = None) -> str:
    """The deterministic Message-ID of one alert (also what updates reply to).

    The doc id (the same for an update and its thread root) keeps the ids of a fresh
    database from repeating older ones in a mailbox, which may drop repeats.
    """
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", doc_id or "").strip("-")
    local = f"alert-{alert_id}.{key}" if key else f"alert-{alert_id}"
    return f"<{local}@{MESSAGE_DOMAIN}>"


def change_card(view: ChangeView) -> Card:
    """The card of a change alert."""
    content = view.content
    title = str(content.get("title") or view.doc_id)
    link = view.document_url or content.get("url")
    facts = render_pairs.with_counterpart(
        document_facts(content, view.doc_kind), view.counterpart
    )
    pair_event = render_pairs.is_pair_event(view.kind)
    return Card(
        headline=_change_headline(view),
        title=title,
        lead=change_summary(view.changes) if view.kind == "updated" else None,
        facts=facts,
        link=str(link) if link else None,
        summary=document_summary(content),
        changes=view.changes if view.kind == "updated" else (),
        note=(
            render_pairs.pair_note(view.kind, view.changes)
            if pair_event
            else CHANGE_NOTES.get(view.kind)
        ),
        footer=_footer(view),
    )


def ops_card(view: OpsView) -> Card:
    """The card of an operational alert."""
    started, ended = OPS_LABELS.get(
        view.kind, (view.kind.replace("_", " ").capitalize(), "Ended")
    )
    ended_now = view.phase == "ended"
    facts = [("Condition", view.kind.replace("_", " ")), ("Phase", view.phase)]
    facts += [(_label(key), _text(value)) for key, value in view.detail.items()]
    notes = OPS_NOTES.get(view.kind)
    return Card(
        headline=ended if ended_now else started,
        title=view.subject,
        lead=None,
        facts=tuple(facts),
        link=None,
        summary=None,
        changes=(),
        note=notes[1 if ended_now else 0] if notes else None,
        footer=f"mofawatch ops event {view.event_id} · "
        f"{view.created_at:%Y-%m-%d %H:%M} UTC",
        prefix="[mofawatch] ",
    )


def change_payload(view: ChangeView, subject: str) -> dict[str, Any]:
    """The change as JSON, for the generic webhook."""
    content = view.content
    return {
        "type": "change",
        "alert_id": view.alert_id,
        "change_id": view.change_id,
        "kind": view.kind,
        "subject": subject,
        "detected_at": view.detected_at.isoformat(),
        "document": {
            "url": view.document_url,
            "doc_id": view.doc_id,
            "kind": view.doc_kind,
            "seq": view.seq,
            "title": content.get("title"),
            "date": content.get("date"),
            "section": content.get("section"),
            "meeting": _json_ready(content.get("meeting")),
            "topics": list(content.get("topics") or ()),
        },
        "counterpart": (
            None
            if view.counterpart is None
            else dict(zip(("language", "url", "title"), view.counterpart, strict=True))
        ),
        "changes": [change.to_dict() for change in view.changes],
    }


def _change_headline(view: ChangeView) -> str:
    if render_pairs.is_pair_event(view.kind):
        return render_pairs.pair_headline(view.kind, view.changes)
    if view.kind in CHANGE_HEADLINES:
        return CHANGE_HEADLINES[view.kind]
    if view.content.get("meeting"):
        return "New meeting"
    kind = str(view.content.get("kind") or view.doc_kind)
    return f"New {DOC_KIND_LABELS.get(kind, kind.replace('_', ' '))}"


def _footer(view: ChangeView) -> str:
    version = f" · version {view.seq}" if view.seq is not None else ""
    return (
        f"mofawatch · {view.doc_id}{version} · "
        f"detected {view.detected_at:%Y-%m-%d %H:%M} UTC"
    )


def _digest_count(views: Sequence[ChangeView]) -> str:
    counts: dict[str, int] = {}
    for view in views:
        counts[view.kind] = counts.get(view.kind, 0) + 1
    noun = "change" if len(views) == 1 else "changes"
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    return f"{len(views)} {noun} ({parts})" if parts else f"0 {noun}"


def _alert_id(view: ChangeView) -> int:
    return view.alert_id


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
