"""A pairing pass looks at what was detected lately, and at what that could pair with.

Each cycle's pass costs the recent documents, not the archive: a Japanese page
detected long ago is still paired when its English page arrives (through the link,
or as the one fit of its date), and an old ambiguous date stays ambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from monitor.detect.pairs import PAIRING_WINDOW, find_pairs
from storage.models import Version
from storage.pair_candidates import unpaired_candidates
from storage.versions import record_version

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LONG_AGO = NOW - PAIRING_WINDOW - timedelta(days=30)
MEETING = {
    "format": "meeting",
    "participants": [{"side": "japan"}, {"side": "counterpart"}],
}


def _doc(url: str, language: str, date: str, **extra: Any) -> Mapping[str, Any]:
    return {
        "url": url,
        "doc_id": url.rsplit("/", 1)[-1],
        "kind": "meeting_readout",
        "language": language,
        "title": url,
        "date": date,
        "body": ["text"],
        "meeting": MEETING,
        **extra,
    }


def _store(
    session: Session, document: Mapping[str, Any], detected_at: datetime
) -> None:
    result = record_version(session, document["url"], document, None, "t", detected_at)
    session.execute(
        update(Version)
        .where(Version.id == result.version_id)
        .values(detected_at=detected_at)
    )


def _urls(session: Session) -> set[str]:
    return {c.url for c in unpaired_candidates(session, NOW - PAIRING_WINDOW)}


def test_an_old_unpaired_page_is_a_candidate_only_beside_a_fresh_partner(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        for n in range(20):  # an archive of old, unpaired Japanese readouts
            _store(
                session,
                _doc(f"/mofaj/old{n}.html", "ja", f"2026-01-{n + 1:02d}"),
                LONG_AGO,
            )
        _store(session, _doc("/mofaj/linked.html", "ja", "2026-03-01"), LONG_AGO)
        assert _urls(session) == set()
        _store(
            session,
            _doc(
                "/en/linked.html", "en", "2026-03-02", japanese_url="/mofaj/linked.html"
            ),
            NOW,
        )
        _store(session, _doc("/en/same-day.html", "en", "2026-01-05"), NOW)
        assert _urls(session) == {
            "/en/linked.html", "/mofaj/linked.html", "/en/same-day.html",
            "/mofaj/old4.html",
        }  # fmt: skip
        found = find_pairs(unpaired_candidates(session, NOW - PAIRING_WINDOW))
    assert {(f.japanese.url, f.english.url, f.method.value) for f in found} == {
        ("/mofaj/linked.html", "/en/linked.html", "link"),
        ("/mofaj/old4.html", "/en/same-day.html", "inferred"),
    }


def test_a_fresh_page_is_judged_against_every_page_of_its_date(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        _store(session, _doc("/en/a.html", "en", "2026-02-02"), LONG_AGO)
        _store(session, _doc("/en/b.html", "en", "2026-02-02"), LONG_AGO)
        _store(session, _doc("/mofaj/c.html", "ja", "2026-02-02"), NOW)
        candidates = unpaired_candidates(session, NOW - PAIRING_WINDOW)
        assert {c.url for c in candidates} == {
            "/en/a.html",
            "/en/b.html",
            "/mofaj/c.html",
        }
        assert find_pairs(candidates) == []  # two English fits: no inferred pair
