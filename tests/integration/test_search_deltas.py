"""The text index grows with what changed (migration 0018): on SQLite a version
stored against its keyframe is indexed by the paragraphs it adds, a search finds a
document by words spread over its versions on both databases, a version given
another base is indexed anew without damaging the index, and 0018 goes down to the
whole-version index and up again with the same answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage import keyframes
from storage.browse.search import indexed_versions, matching_documents
from storage.db import downgrade_database, opened_database, unit_of_work
from storage.searchtext import indexed_text
from tests.factories import T0, make_document, make_version
from tests.query_plans import sqlite_plan

KEPT = (
    "The two ministers exchanged views on the wallaby sanctuary and regional affairs."
)
FIRST = "Foreign Minister KAMIKAWA held a meeting with the Foreign Minister of Chile."
ADDED = " They also agreed on a numbat survey."
# (query, found) over the two versions: words of one, of the other, of both, of none.
QUERIES = (
    ("wallaby", True),
    ("numbat", True),
    ("numbat wallaby", True),  # the added sentence and a kept paragraph
    ("NUMBAT Survey", True),
    ("numbat quokka", False),
    ("quokka", False),
)


def _documents() -> list[dict[str, Any]]:
    """A readout and its edit: one sentence more in the first paragraph."""
    return [
        make_document(1, title="Readout", body=[FIRST, KEPT]),
        make_document(1, title="Readout", body=[FIRST + ADDED, KEPT]),
    ]


def _record(url: str) -> list[int]:
    ids = []
    with (
        opened_database(url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        for day, document in enumerate(_documents()):
            recorded = make_version(session, document, now=T0 + timedelta(days=day))
            assert recorded.version_id is not None
            ids.append(recorded.version_id)
    return ids


def _found(url: str) -> dict[str, bool]:
    with opened_database(url) as factory, factory() as session:
        return {
            query: list(session.scalars(matching_documents(session, query))) != []
            for query, _ in QUERIES
        }


def _indexed(session: Session, word: str) -> list[int]:
    """The versions whose own entry in the text index has the word."""
    return sorted(session.scalars(indexed_versions(session, [word])))


def _intact(session: Session) -> None:
    session.execute(
        text("INSERT INTO version_search(version_search) VALUES ('integrity-check')")
    )


def test_a_search_finds_words_spread_over_a_documents_versions(db_url):
    _record(db_url)
    assert _found(db_url) == dict(QUERIES)


def test_an_edit_indexes_only_the_paragraph_it_changed(sqlite_url):
    first, edit = _record(sqlite_url)
    with opened_database(sqlite_url) as factory, factory() as session:
        base = session.execute(
            text("SELECT base_version_id FROM versions WHERE id = :v"), {"v": edit}
        ).scalar_one()
        assert base == first  # the edit is stored against the first version
        assert _indexed(session, "wallaby") == [first]  # the kept paragraph: once
        assert _indexed(session, "numbat") == [edit]
        assert _indexed(session, "kamikawa") == [first, edit]  # the changed one
        assert _indexed(session, "readout") == [first]  # the same title: once
        _intact(session)


def test_a_version_given_another_base_is_indexed_anew(sqlite_url):
    first, edit = _record(sqlite_url)
    with opened_database(sqlite_url) as factory:
        with unit_of_work(factory) as session:
            assert keyframes.rebase(session, [first]) == 1  # the edit, stored alone
        with factory() as session:
            assert _indexed(session, "wallaby") == [first, edit]
            assert _indexed(session, "numbat") == [edit]
            _intact(session)
    assert _found(sqlite_url) == dict(QUERIES)


def test_0018_goes_down_to_whole_versions_and_up_again(sqlite_url):
    first, edit = _record(sqlite_url)
    downgrade_database(sqlite_url, "0017")
    with opened_database(sqlite_url) as factory, factory() as session:
        assert _indexed(session, "wallaby") == [first, edit]
        _intact(session)
    assert _found(sqlite_url) == dict(QUERIES)
    with opened_database(sqlite_url, upgrade=True) as factory, factory() as session:
        assert _indexed(session, "wallaby") == [first]
        _intact(session)
    assert _found(sqlite_url) == dict(QUERIES)


def test_what_a_version_adds_to_its_keyframe():
    old, new = _documents()
    retitled = new | {"title": "Readout, revised"}
    assert indexed_text(new, None, "body") == f"{FIRST}{ADDED}\n{KEPT}"
    assert indexed_text(new, old, "body") == FIRST + ADDED
    assert indexed_text(new, old, "title") is None
    assert indexed_text(retitled, old, "title") == "Readout, revised"
    assert indexed_text(old, old, "body") == ""


def test_the_documents_checked_word_by_word_come_from_their_partial_index(sqlite_url):
    _record(sqlite_url)
    with opened_database(sqlite_url) as factory, factory() as session:
        plan = sqlite_plan(session, matching_documents(session, "numbat wallaby"))
    assert any("ix_versions_stored_against_base" in step for step in plan), plan
