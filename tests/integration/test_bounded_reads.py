"""`changes` and `feed` read bounded pages: default limits, --limit, --since, paging."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from monitor.cli.main import main
from monitor.config import Settings
from monitor.detect.changes import detect_changes
from monitor.export.documents import FEED_KINDS, FEED_PAGE
from storage.db import opened_database
from storage.export import changes_making, feed_changes
from storage.models import Change
from storage.vocabulary import ChangeKind
from tests.integration.alerting import document, later, store
from tests.query_plans import sqlite_plan

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://www.mofa.go.jp/press/release/pressite_000001_{:05d}.html"
# Seven documents in three detections: changes share detection times (ties).
ROUNDS = ((1, 2, 3), (4, 5), (6, 7))


pytestmark = pytest.mark.usefixtures("restore_root_logger")


@pytest.fixture
def seven(sqlite_url, monkeypatch):
    """Seven new documents detected on 2026-11-02, -03 and -04 (day = round)."""
    with opened_database(sqlite_url, upgrade=True) as factory:
        for day, numbers in enumerate(ROUNDS):
            for n in numbers:
                url = BASE.format(n)
                doc = document(
                    url=url, doc_id=f"pressite_000001_{n:05d}", title=f"T{n}"
                )
                store(factory, doc, later(day * 1440 + n))
            detect_changes(factory, Settings(), later(day * 1440 + 60))
    monkeypatch.setenv("MOFAWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("MOFAWATCH_CONFIG", raising=False)
    return sqlite_url


def _changes(capsys, *args: str) -> list[str]:
    assert main(["changes", "--json", *args]) == 0
    return [json.loads(line)["title"] for line in capsys.readouterr().out.splitlines()]


def _feed(capsys, *args: str) -> list[str]:
    assert main(["feed", *args]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    # The entry titles end with the document's title (their label may vary).
    titles = [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]
    return [title.rsplit(": ", 1)[-1] for title in titles]


def test_changes_limit_keeps_the_newest_in_time_order(seven, capsys):
    assert _changes(capsys) == [f"T{n}" for n in range(1, 8)]
    assert _changes(capsys, "--limit", "3") == ["T5", "T6", "T7"]
    assert _changes(capsys, "--limit", "0") == [f"T{n}" for n in range(1, 8)]


def test_changes_default_is_the_newest_hundred(seven, capsys, monkeypatch):
    monkeypatch.setattr("monitor.cli.history.DEFAULT_CHANGES", 2)
    assert _changes(capsys) == ["T6", "T7"]
    # --since widens to every change since that day, the default limit aside.
    assert _changes(capsys, "--since", "2026-11-03") == ["T4", "T5", "T6", "T7"]
    assert _changes(capsys, "--since", "2026-11-03", "--limit", "1") == ["T7"]


def test_every_change_streams_in_pages_across_equal_times(seven, capsys, monkeypatch):
    monkeypatch.setattr("storage.history.PAGE_SIZE", 2)
    assert _changes(capsys, "--limit", "0") == [f"T{n}" for n in range(1, 8)]
    assert main(["changes", "--limit", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert all(" new " in line for line in lines)


def test_feed_limit_since_and_pages(seven, capsys, monkeypatch):
    monkeypatch.setattr("monitor.export.documents.FEED_PAGE", 2)
    newest_first = [f"T{n}" for n in range(7, 0, -1)]
    assert _feed(capsys) == newest_first
    assert _feed(capsys, "--limit", "3") == newest_first[:3]
    assert _feed(capsys, "--since", "2026-11-04") == newest_first[:2]
    monkeypatch.setattr("monitor.cli.export.DEFAULT_FEED_ENTRIES", 4)
    assert _feed(capsys) == newest_first[:4]


def test_limit_must_be_a_number(seven, capsys):
    assert main(["changes", "--limit", "many"]) == 2
    assert "many" in capsys.readouterr().err
    assert main(["feed", "--limit", "0"]) == 2


def test_feed_reads_the_changes_of_a_page_of_versions_through_those_versions(seven):
    """A page of the feed looks its changes up per version, not down the kind index
    through every new or updated change of the archive; a change of another kind
    that made the same version is still left out."""
    with opened_database(seven) as factory, factory.begin() as session:
        made = session.execute(select(Change.to_version_id, Change.document_id)).all()
        version_id, document_id = made[0]
        assert version_id is not None
        session.add(
            Change(
                document_id=document_id,
                kind=ChangeKind.TRANSLATED,
                to_version_id=version_id,
                detected_at=later(5000),
            )
        )
    with opened_database(seven) as factory, factory() as session:
        found = feed_changes(session, [version_id], FEED_KINDS)
        assert [c.kind for c in found] == [ChangeKind.NEW]
        full_page = changes_making(list(range(1, FEED_PAGE + 1)))
        plan = " ".join(sqlite_plan(session, full_page))
    assert "ix_changes_to_version_id" in plan
    assert "ix_changes_kind_detected_at_id" not in plan
