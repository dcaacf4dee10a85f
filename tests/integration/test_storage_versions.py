"""record_version and the document queries, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.db import unit_of_work
from storage.models import Document, Version
from storage.versions import (
    content_hash,
    find_document,
    normalize_document,
    search_documents,
    undiffed_versions,
    versions_of,
)
from tests.factories import T0, get_row, make_document, make_snapshot, make_version


def _count(session, model):
    from sqlalchemy import func, select

    return session.scalar(select(func.count()).select_from(model))


def test_normalize_document_unifies_quotes_dashes_width_and_whitespace():
    raw = {
        "title": "  \u201cFree\u201d\u00a0and  Open \u2014 Indo\u2011Pacific\u2019s  ",
        "body": ["\uff21\uff22\u3000C", "  ", "\u200bx"],
        "meeting": {"participants": [{"name": " HAYASHI\nYoshimasa "}]},
        "placeholder": False,
    }
    assert normalize_document(raw) == {
        "title": '"Free" and Open - Indo-Pacific\'s',
        "body": ["AB C", "x"],
        "meeting": {"participants": [{"name": "HAYASHI Yoshimasa"}]},
        "placeholder": False,
    }


def test_content_hash_ignores_key_order_and_whitespace_but_not_words():
    a = make_document(title="Talks  on trade")
    b = dict(reversed(list(make_document(title=" Talks on trade").items())))
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(make_document(title="Talks on tariffs"))


def test_recording_the_same_document_twice_adds_one_version(session_factory):
    with unit_of_work(session_factory) as session:
        first = make_version(session, make_document(), now=T0)
        second = make_version(session, make_document(), now=T0 + timedelta(hours=1))
    assert (first.is_new_document, first.is_new_version, first.seq) == (True, True, 1)
    assert (second.is_new_document, second.is_new_version) == (False, False)
    assert second.version_id is None
    with unit_of_work(session_factory) as session:
        assert _count(session, Version) == 1
        document = get_row(session, Document, first.document_id)
        assert document.last_seen_at == T0 + timedelta(hours=1)
        assert document.first_seen_at == T0


_BODY = make_document()["body"]


@pytest.mark.parametrize(
    ("stored", "refetched"),
    [
        ({}, {"title": "  Visit of Foreign Minister   Example to Japan\n"}),
        (
            {},
            {
                "body": [
                    _BODY[0],
                    "   ",
                    _BODY[1].replace(" the Foreign", "\u00a0the Foreign"),
                ]
            },
        ),
        (
            {"title": 'Minister "Example" visits'},
            {"title": "Minister \u201cExample\u201d visits"},
        ),
        ({"section": "Press - Releases"}, {"section": "Press \u2014 Releases"}),
    ],
    ids=["whitespace", "markup-only-empty-paragraph", "quotes", "dash"],
)
def test_cosmetic_differences_add_no_version(session_factory, stored, refetched):
    base = make_document(**stored)
    with unit_of_work(session_factory) as session:
        make_version(session, base)
        again = make_version(session, {**base, **refetched}, now=T0 + timedelta(days=1))
        assert not again.is_new_version
        assert _count(session, Version) == 1


def test_a_changed_sentence_adds_one_version_with_the_next_seq(session_factory):
    changed = make_document()
    changed["body"] = [
        changed["body"][0],
        "2. The Minister will meet the Prime Minister.",
    ]
    with unit_of_work(session_factory) as session:
        first = make_version(session, make_document())
        second = make_version(session, changed, now=T0 + timedelta(days=1))
        third = make_version(session, changed, now=T0 + timedelta(days=2))
    assert (second.is_new_version, second.seq) == (True, 2)
    assert second.document_id == first.document_id
    assert not third.is_new_version
    with unit_of_work(session_factory) as session:
        assert [v.seq for v in versions_of(session, first.document_id)] == [1, 2]


def test_content_flipping_back_is_stored_as_a_new_version(session_factory):
    a, b = make_document(), make_document(title="Corrected title")
    with unit_of_work(session_factory) as session:
        results = [make_version(session, d) for d in (a, b, a)]
    assert [r.seq for r in results] == [1, 2, 3]


def test_version_keeps_the_document_as_extracted_with_hash_and_snapshot(
    session_factory,
):
    document = make_document(title="  \u201cQuoted\u201d  title ")
    with unit_of_work(session_factory) as session:
        snapshot = make_snapshot(session, document["url"])
        result = make_version(session, document, snapshot=snapshot)
    with unit_of_work(session_factory) as session:
        version = get_row(session, Version, result.version_id)
        assert version.content == document
        assert version.content_sha256 == content_hash(document)
        assert version.snapshot_id == snapshot.id
        assert version.extractor_version == "test"
        assert version.created_at == T0
        assert version.detected_at is None


def test_document_row_carries_the_fields_of_the_newest_version(session_factory):
    with unit_of_work(session_factory) as session:
        make_version(session, make_document(placeholder=True, title="Coming soon"))
        result = make_version(
            session, make_document(placeholder=False, title="Talks"), now=T0
        )
    with unit_of_work(session_factory) as session:
        document = get_row(session, Document, result.document_id)
        assert (document.doc_id, document.kind, document.language) == (
            "pressite_000001_00001",
            "press_release",
            "en",
        )
        assert (document.title, document.date, document.section) == (
            "Talks",
            "2026-01-05",
            "Press Releases",
        )
        assert document.is_placeholder is False
        assert document.last_seq == 2


def test_undiffed_versions_lists_versions_without_detected_at_oldest_first(
    session_factory,
):
    with unit_of_work(session_factory) as session:
        late = make_version(session, make_document(1), now=T0 + timedelta(hours=2))
        early = make_version(session, make_document(2), now=T0)
        done = make_version(session, make_document(3), now=T0)
        get_row(session, Version, done.version_id).detected_at = T0
    with unit_of_work(session_factory) as session:
        ids = [v.id for v in undiffed_versions(session)]
        assert ids == [early.version_id, late.version_id]
        assert [v.id for v in undiffed_versions(session, limit=1)] == [early.version_id]


def test_find_document_by_url_or_doc_id(session_factory):
    document = make_document(7)
    with unit_of_work(session_factory) as session:
        result = make_version(session, document)
    with unit_of_work(session_factory) as session:
        by_url = find_document(session, document["url"])
        by_doc_id = find_document(session, "pressite_000001_00007")
        assert by_url is not None
        assert by_doc_id is not None
        assert by_url.id == by_doc_id.id == result.document_id
        assert find_document(session, "nothing_here") is None


def test_search_documents_by_kind_date_section_and_text(session_factory):
    with unit_of_work(session_factory) as session:
        make_version(session, make_document(1, date="2025-12-01", title="Old news"))
        make_version(
            session,
            make_document(2, kind="statement", section="Statements", title="On peace"),
        )
        make_version(
            session,
            make_document(
                3,
                title="Japan-U.S. Foreign Ministers\u2019 Meeting",
                body=["The ministers discussed 100% of the agenda and \u65e5\u672c."],
            ),
        )
    with unit_of_work(session_factory) as session:

        def ids(**kw):
            return sorted(d.doc_id[-1] for d in search_documents(session, **kw))

        assert ids(kinds=["statement"]) == ["2"]
        assert ids(since_date="2026-01-01") == ["2", "3"]
        assert ids(section="statements") == ["2"]
        assert ids(text="foreign ministers") == ["3"]
        assert ids(text="100%") == ["3"]
        assert ids(text="\u65e5\u672c") == ["3"]
        assert ids(text="no such words") == []
