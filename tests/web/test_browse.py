"""storage.browse on SQLite and PostgreSQL: keyset pages, filters, the text index the
triggers keep, meeting readouts, raw snapshots."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from monitor.config import Settings
from monitor.web.server import bind_server
from storage.browse import Archive, ChangeFilter
from storage.browse.changes import change_page
from storage.browse.documents import raw_snapshot
from storage.browse.meetings import meeting_readouts
from storage.db import unit_of_work
from storage.models import ChangeKind, Version
from tests.factories import T0, make_change, make_document, make_snapshot, make_version
from tests.web.serving import request

MEETING = {
    "format": "meeting",
    "participants": [{"name": "KAMIKAWA Yoko", "role": None, "side": "japan"}],
    "counterpart_country": "Chile",
}


@pytest.fixture
def filled(session_factory):
    """Twelve documents, each with a new change; the even ones updated later, all
    updates detected at the same moment (ties the keyset must order by id)."""
    with unit_of_work(session_factory) as session:
        for n in range(1, 13):
            doc = make_document(
                n,
                title=f"Readout {n}",
                body=[f"Paragraph with word{n} in it."],
                section="Even" if n % 2 == 0 else "Odd",
                meeting=MEETING if n % 3 == 0 else None,
            )
            first = make_version(session, doc, now=T0 + timedelta(minutes=n))
            make_change(
                session,
                first.document_id,
                to_version_id=first.version_id,
                detected_at=T0 + timedelta(minutes=n),
            )
            if n % 2 == 0:
                doc["body"] = [f"Paragraph with word{n} and an edit{n}."]
                second = make_version(session, doc, now=T0 + timedelta(hours=1))
                make_change(
                    session,
                    first.document_id,
                    kind=ChangeKind.UPDATED,
                    from_version_id=first.version_id,
                    to_version_id=second.version_id,
                    detected_at=T0 + timedelta(hours=1),
                )
    return session_factory


def _all_pages(session, wanted):
    seen, pages = [], 0
    while True:
        page = change_page(session, wanted)
        seen += [item.id for item in page.items]
        pages += 1
        if page.next_before is None:
            return seen, pages
        wanted = dataclasses.replace(wanted, before=page.next_before)


def test_keyset_pages_cover_every_change_once_newest_first(filled):
    with filled() as session:
        everything = change_page(session, ChangeFilter(limit=100)).items
        seen, pages = _all_pages(session, ChangeFilter(limit=5))
    assert len(everything) == 18
    assert seen == [item.id for item in everything]
    assert pages == 4
    keys = [(item.detected_at, item.id) for item in everything]
    assert keys == sorted(keys, reverse=True)


def test_filters_by_event_section_and_moment(filled):
    with filled() as session:
        updated = change_page(session, ChangeFilter(events=(ChangeKind.UPDATED,)))
        odd = change_page(session, ChangeFilter(sections=("Odd",)))
        early = change_page(
            session, ChangeFilter(until=T0 + timedelta(minutes=3), limit=100)
        )
    assert {i.kind for i in updated.items} == {"updated"}
    assert len(updated.items) == 6
    assert {i.from_seq for i in updated.items} == {1}
    assert {i.to_seq for i in updated.items} == {2}
    assert {i.section for i in odd.items} == {"Odd"}
    assert len(odd.items) == 6
    assert [i.title for i in early.items] == ["Readout 2", "Readout 1"]


def test_text_search_through_the_index_the_triggers_keep(filled):
    def titles(session, words):
        page = change_page(session, ChangeFilter(text=words, limit=100))
        return sorted({item.title for item in page.items})

    with filled() as session:
        assert titles(session, "word7") == ["Readout 7"]
        assert titles(session, "edit4") == ["Readout 4"]
        assert titles(session, "Readout 11") == ["Readout 11"]
        assert titles(session, "readout WORD5") == ["Readout 5"]  # any case
        assert titles(session, 'word5" OR "word6') == []  # every word, as words
        assert titles(session, "()*:^") == []
    with unit_of_work(filled) as session:  # a re-extraction rewrites a version
        version = session.get(Version, 1)
        assert version is not None
        content = {**version.content, "body": ["Now about a quokka."]}
        session.execute(update(Version).where(Version.id == 1).values(content=content))
    with filled() as session:
        assert titles(session, "quokka") == ["Readout 1"]
        assert titles(session, "word1") == []


def test_meeting_readouts_are_the_newest_versions_with_a_meeting(filled):
    with filled() as session:
        readouts = meeting_readouts(session)
    assert sorted(r.content["title"] for r in readouts) == [
        "Readout 12",
        "Readout 3",
        "Readout 6",
        "Readout 9",
    ]
    assert all(r.meeting["counterpart_country"] == "Chile" for r in readouts)


def test_raw_snapshot_of_a_version(session_factory):
    with unit_of_work(session_factory) as session:
        snapshot = make_snapshot(session, body=b"<html>as fetched</html>")
        made = make_version(session, make_document(), snapshot=snapshot)
    with session_factory() as session:
        raw = raw_snapshot(session, made.document_id, 1)
        assert raw is not None
        assert raw.data == b"<html>as fetched</html>"
        assert raw_snapshot(session, made.document_id, 2) is None


def test_archive_reads_in_sessions_of_its_own(filled, db_url):
    archive = Archive(db_url)
    try:
        page = archive.changes(ChangeFilter(limit=3))
        document = archive.document(page.items[0].document_id)
        assert document is not None
        assert [v.seq for v in document.versions] == [1, 2]
        assert archive.document(10_000) is None
        assert archive.sections() == ["Even", "Odd"]
    finally:
        archive.close()


def test_every_page_over_http_on_each_database(filled, db_url):
    web = bind_server(Settings(database_url=db_url), "127.0.0.1", 0)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    try:
        for path, wanted in (
            ("changes", "Readout 12"),
            ("changes?q=edit4", "Readout 4"),
            ("changes?section=Odd&event=new", "Readout 11"),
            ("changes.atom?event=updated", "Updated: Readout 12"),
            ("documents/2/diff?from=1&to=2", "<ins>and an edit2.</ins>"),
            ("meetings?country=Chile", "KAMIKAWA Yoko"),
            ("meetings.csv?year=2026", "Readout 9"),
            ("health", 'id="runs"'),
        ):
            answer = request(web.url + path)
            assert answer.status == 200, path
            assert wanted in answer.text, path
        assert "Readout 1<" not in request(web.url + "changes?q=edit4").text
    finally:
        web.close()
        thread.join(timeout=30)
    assert not thread.is_alive()
