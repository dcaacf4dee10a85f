"""Japanese and English versions of one page: pairing them, and what a pair says.

After the documents' own changes are detected, each cycle:
- pairs documents still alone: first by the page's own language link (a Japanese
  page's `english_url`, an English page's `japanese_url`), else, for meeting
  readouts, by the same date, meeting format and number of participants on each
  side (names are written in different scripts), when exactly one candidate fits;
- records `translated` when the English page of a Japanese document already known
  appears (with the lag in days); for a user that is the page's one event, so the
  channels its alert goes to do not also get the page's `new` (storage.translations);
- compares the meeting facts of every pair and records `discrepancy` when the
  disagreement is new or different from the one last announced, and once more
  when an edit resolves it.
Both events are recorded on the pair's English document.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.alerts.queue import queue_alerts
from monitor.config import Settings
from monitor.detect.diff import FieldChange
from monitor.detect.places import Agreement, compare_places
from storage.db import DbSession, SessionFactory, unit_of_work
from storage.pair_candidates import PairCandidate, unpaired_candidates
from storage.pairs import (
    add_pair,
    pair_contents,
    record_pair_change,
    set_discrepancy,
    version_content,
)
from storage.translations import supersede_new
from storage.vocabulary import ChangeKind, PairMethod

logger = logging.getLogger(__name__)

# Meeting facts compared across the two languages, in the order alerts show them.
# Names are written differently in each language: the participants are compared by
# how many sit on each side, places through monitor.detect.places (a place it does
# not know is not comparable, never a disagreement).
COMPARED_FACTS = (
    "started_at_local",
    "duration_minutes",
    "location",
    "format",
    "participants",
)
DIFFERS = "differs"
# A pass looks at what was detected this recently: a cycle's documents, and those of
# cycles that stopped between detection and pairing.
PAIRING_WINDOW = timedelta(days=7)
RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class PairResult:
    """What one pairing pass recorded."""

    paired: int = 0
    translated: int = 0
    discrepancies: int = 0
    alerts: int = 0


@dataclass(frozen=True, slots=True)
class _Found:
    japanese: PairCandidate
    english: PairCandidate
    method: PairMethod


def detect_pairs(
    factory: SessionFactory,
    settings: Settings,
    now: datetime,
    *,
    silent: bool = False,
) -> PairResult:
    """Pair new documents, then judge the pairs whose contents changed; one
    transaction. Only what was detected within PAIRING_WINDOW is looked at."""
    fresh_since = now - PAIRING_WINDOW
    with unit_of_work(factory) as session:
        found = find_pairs(unpaired_candidates(session, fresh_since))
        translated = alerts = 0
        for match in found:
            lag = _lag_days(match)
            add_pair(
                session,
                japanese_id=match.japanese.id,
                english_id=match.english.id,
                method=match.method,
                lag_days=lag,
                now=now,
            )
            if lag is not None:
                translated += 1
                alerts += _translated(
                    session, settings, now, match.english, lag, silent
                )
        discrepancies, more = _judge_pairs(session, settings, now, silent, fresh_since)
    result = PairResult(len(found), translated, discrepancies, alerts + more)
    logger.info(
        "pairs: %d new pairs, %d translated, %d discrepancy changes, %d alerts queued",
        result.paired,
        result.translated,
        result.discrepancies,
        result.alerts,
    )
    return result


def find_pairs(candidates: Sequence[PairCandidate]) -> list[_Found]:
    """Pairs among unpaired documents: by language link first, then inferred."""
    japanese = {c.url: c for c in candidates if c.language == "ja"}
    english = {c.url: c for c in candidates if c.language != "ja"}
    linking_to: dict[str, list[PairCandidate]] = {}
    for e in english.values():
        if e.content.get("japanese_url"):
            linking_to.setdefault(str(e.content["japanese_url"]), []).append(e)
    found: list[_Found] = []
    for ja in list(japanese.values()):
        en = english.get(str(ja.content.get("english_url") or ""))
        if en is None:  # the first English page still alone that links to this one
            linking = linking_to.get(ja.url, ())
            en = next((e for e in linking if e.url in english), None)
        if en is not None:
            found.append(_Found(ja, en, PairMethod.LINK))
            del japanese[ja.url], english[en.url]
    for ja in japanese.values():
        fits = [e for e in english.values() if _same_meeting(ja.content, e.content)]
        if len(fits) == 1:
            found.append(_Found(ja, fits[0], PairMethod.INFERRED))
            del english[fits[0].url]
    return found


def disagreements(
    japanese: Mapping[str, Any], english: Mapping[str, Any]
) -> list[FieldChange]:
    """Meeting facts the two versions state differently (old: 日本語, new: English)."""
    ja, en = japanese.get("meeting") or {}, english.get("meeting") or {}
    if not ja or not en:
        return []
    found = []
    for name in COMPARED_FACTS:
        ja_value, en_value = _fact(ja, name), _fact(en, name)
        if ja_value is None or en_value is None or ja_value == en_value:
            continue
        if name == "location" and not _places_differ(ja_value, en_value):
            continue
        found.append(FieldChange(name, DIFFERS, ja_value, en_value))
    return found


def _places_differ(japanese: object, english: object) -> bool:
    return compare_places(str(japanese), str(english)) is Agreement.DIFFERENT


def _judge_pairs(
    session: DbSession,
    settings: Settings,
    now: datetime,
    silent: bool,
    fresh_since: datetime,
) -> tuple[int, int]:
    recorded = alerts = 0
    for item in pair_contents(session, fresh_since):
        current = [c.to_dict() for c in disagreements(item.japanese, item.english)]
        announced = list(item.pair.discrepancy or ())
        if _key(current) == _key(announced):
            continue
        changes = [FieldChange.from_dict(d) for d in current] or [
            FieldChange(d["field"], RESOLVED, d.get("old"), d.get("new"))
            for d in announced
        ]
        set_discrepancy(item.pair, current, now)
        english = PairCandidate(
            item.pair.english_id, "", "en", now, item.english_version_id, {}
        )
        recorded += 1
        alerts += _record(session, settings, now, english, changes, silent)[1]
    return recorded, alerts


def _translated(
    session: DbSession,
    settings: Settings,
    now: datetime,
    english: PairCandidate,
    lag: int,
    silent: bool,
) -> int:
    """Record `translated`; a channel it goes to does not get the page's `new` too."""
    change = [FieldChange("lag_days", "translated", None, lag)]
    change_id, alerts = _record(session, settings, now, english, change, silent)
    if alerts:
        supersede_new(session, english.id, change_id)
    return alerts


def _record(
    session: DbSession,
    settings: Settings,
    now: datetime,
    english: PairCandidate,
    changes: list[FieldChange],
    silent: bool,
) -> tuple[int, int]:
    translated = changes[0].op == "translated"
    kind = ChangeKind.TRANSLATED if translated else ChangeKind.DISCREPANCY
    change_id = record_pair_change(
        session,
        document_id=english.id,
        version_id=english.version_id,
        kind=kind,
        diff=[c.to_dict() for c in changes],
        silent=silent,
        now=now,
    )
    if silent:
        return change_id, 0
    content = english.content or version_content(session, english.version_id)
    return change_id, queue_alerts(session, settings, now, change_id, kind, content)


def _lag_days(match: _Found) -> int | None:
    """Days from the Japanese page to the English one; None if not later."""
    if match.english.first_seen_at <= match.japanese.first_seen_at:
        return None
    return (match.english.first_seen_at - match.japanese.first_seen_at).days


def _same_meeting(ja: Mapping[str, Any], en: Mapping[str, Any]) -> bool:
    ja_meeting, en_meeting = ja.get("meeting") or {}, en.get("meeting") or {}
    if not ja_meeting or not en_meeting or not ja.get("date"):
        return False
    return (
        ja.get("date") == en.get("date")
        and ja_meeting.get("format") == en_meeting.get("format")
        and _fact(ja_meeting, "participants") == _fact(en_meeting, "participants")
    )


def _fact(meeting: Mapping[str, Any], name: str) -> Any:
    if name != "participants":
        return meeting.get(name)
    people = meeting.get("participants") or ()
    if not people:
        return None
    japan = sum(1 for p in people if p.get("side") == "japan")
    return f"Japan {japan}, counterpart {len(people) - japan}"


def _key(items: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted(
        (str(d["field"]), str(d.get("old")), str(d.get("new"))) for d in items
    )
