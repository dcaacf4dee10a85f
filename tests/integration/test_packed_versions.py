"""Versions stored compressed: the Document comes back as it went in, on SQLite and
PostgreSQL, and migration 0008 converts a database written by 0007 (and back)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from monitor.detect.diff import diff_documents
from storage.browse import ChangeFilter
from storage.browse.changes import change_page
from storage.browse.meetings import meeting_readouts
from storage.db import (
    downgrade_database,
    make_engine,
    opened_database,
    upgrade_database,
)
from storage.history import list_changes
from storage.models import PG_SEARCH_WORDS, Change, ChangeKind, Version
from storage.packed import pack, unpack
from storage.versions import search_documents
from tests.factories import T0, make_change, make_document, make_version

DIFF = [{"field": "body", "op": "changed", "old": "a wombat", "new": "a numbat"}]
MEETING = {
    "format": "meeting",
    "participants": [{"name": "KAMIKAWA Yoko", "role": None, "side": "japan"}],
    "counterpart_country": "Chile",
}


def test_pack_round_trip_keeps_values_and_key_order():
    document = make_document(7, title="外務大臣会談 “quoted”", meeting=MEETING)
    document["body"] = ["一段落目。", "Second paragraph, with a comma."]
    packed = pack(document)
    assert unpack(packed) == document
    assert list(unpack(packed)) == list(document)
    plain = json.dumps(document, ensure_ascii=False).encode()
    assert len(packed) < len(plain) / 2
    assert unpack(plain) == document  # JSON text stored before 0008 still reads


def test_content_round_trip_and_sql_reads_through_the_codec(session_factory):
    document = make_document(1, title="Readout about a quokka", meeting=MEETING)
    with session_factory.begin() as session:
        first = make_version(session, document)
        make_change(session, first.document_id, to_version_id=first.version_id)
    with session_factory() as session:
        version = session.get(Version, first.version_id)
        assert version is not None
        assert version.content == document
        assert [d.url for d in search_documents(session, text="QUOKKA")] == [
            document["url"]
        ]
        readouts = meeting_readouts(session)
        page = change_page(session, ChangeFilter(text="quokka"))
        listed = list_changes(session)
    assert [r.content["title"] for r in readouts] == ["Readout about a quokka"]
    assert [item.title for item in page.items] == ["Readout about a quokka"]
    assert [row.title for row in listed] == ["Readout about a quokka"]


def test_sqlite_stores_the_compressed_bytes(sqlite_url):
    with opened_database(sqlite_url, upgrade=True) as factory:
        with factory.begin() as session:
            make_version(session, make_document(1))
        with factory() as session:
            kind, stored = session.execute(
                text("SELECT typeof(content), content FROM versions")
            ).one()
    assert kind == "blob"
    assert unpack(stored) == make_document(1)


def _write_as_0007(url: str) -> None:
    """Two documents (one edited) inserted as 0007 stored them: JSON text."""
    engine = make_engine(url)
    insert_version = text(
        "INSERT INTO versions (id, document_id, seq, content_sha256, content, "
        "extractor_version, created_at) VALUES (:id, :doc, :seq, :sha, :content, "
        "'test', :at)"
    )
    try:
        with engine.begin() as db:
            for n in (1, 2):
                db.execute(
                    text(
                        "INSERT INTO documents (id, url, doc_id, kind, language, "
                        "first_seen_at, last_seen_at, state, missing_count, "
                        "is_placeholder, last_seq) VALUES (:n, :url, :doc_id, "
                        "'press_release', 'en', :at, :at, 'live', 0, false, 1)"
                    ),
                    {"n": n, "url": f"https://x/{n}", "doc_id": f"d{n}", "at": T0},
                )
            for id_, doc, seq, words in ((1, 1, 1, "wombat"), (2, 2, 1, "numbat")):
                content = make_document(doc, title=f"On the {words}", body=[words])
                db.execute(
                    insert_version,
                    {
                        "id": id_,
                        "doc": doc,
                        "seq": seq,
                        "sha": f"{id_:064d}",
                        "content": json.dumps(content, ensure_ascii=False),
                        "at": T0 + timedelta(minutes=id_),
                    },
                )
            db.execute(
                text(
                    "INSERT INTO changes (id, document_id, kind, from_version_id, "
                    "to_version_id, diff, is_silent, detected_at) VALUES (1, 1, "
                    "'updated', 1, 2, :diff, false, :at)"
                ),
                {"diff": json.dumps(DIFF), "at": T0},
            )
    finally:
        engine.dispose()


def _search(url: str, words: str) -> list[str | None]:
    with opened_database(url) as factory, factory() as session:
        return [d.title for d in search_documents(session, text=words)] + [
            str(v.content["title"]) for v in session.query(Version).order_by("id")
        ]


def _indexed(url: str, word: str) -> list[int]:
    """The versions the text index finds `word` in, at whichever revision."""
    engine = make_engine(url)
    try:
        with engine.connect() as db:
            if url.startswith("sqlite"):
                query = "SELECT rowid FROM version_search WHERE version_search MATCH :w"
            elif db.execute(text("SELECT to_regclass('version_search')")).scalar():
                query = (
                    "SELECT version_id FROM version_search "
                    "WHERE words @@ plainto_tsquery('simple', :w)"
                )
            else:  # 0014: the index is on the versions themselves
                query = (
                    "SELECT id FROM versions "
                    f"WHERE {PG_SEARCH_WORDS} @@ plainto_tsquery('simple', :w)"
                )
            return list(db.execute(text(query), {"w": word}).scalars())
    finally:
        engine.dispose()


def test_0008_converts_a_database_written_by_0007_and_back(db_url):
    upgrade_database(db_url)
    downgrade_database(db_url, "0007")
    _write_as_0007(db_url)
    assert _indexed(db_url, "wombat") == [1]
    upgrade_database(db_url)
    titles = ["On the wombat", "On the numbat"]
    assert _search(db_url, "numbat") == [None, *titles]
    assert _indexed(db_url, "wombat") == [1]
    assert _indexed(db_url, "numbat") == [2]
    with opened_database(db_url) as factory:
        with factory() as session:
            assert session.get_one(Change, 1).diff == DIFF
        with factory.begin() as session:  # the index follows writes after 0008 too
            version = session.get_one(Version, 1)
            version.content = {**version.content, "body": ["a quokka"]}
    assert _indexed(db_url, "quokka") == [1]
    assert _indexed(db_url, "wombat") == [1]  # still in the title
    downgrade_database(db_url, "0007")
    assert _indexed(db_url, "quokka") == [1]
    assert _indexed(db_url, "numbat") == [2]
    engine = make_engine(db_url)
    try:
        with engine.connect() as db:
            stored = db.execute(text("SELECT content FROM versions WHERE id = 2"))
            raw = stored.scalar_one()
    finally:
        engine.dispose()
    as_text = raw if isinstance(raw, str | bytes) else json.dumps(raw)
    assert json.loads(as_text)["title"] == "On the numbat"


FIXTURE = Path(__file__).parent.parent / "fixtures" / "documents"
_STORED = {
    "sqlite": "SELECT (SELECT length(content) FROM versions WHERE id = :v) "
    "+ (SELECT length(diff) FROM changes WHERE id = :c)",
    "postgresql": "SELECT (SELECT pg_column_size(content) FROM versions WHERE id = :v)"
    " + (SELECT pg_column_size(diff) FROM changes WHERE id = :c)",
}


# The share of their JSON text that a version and its diff take once stored.
_SHARE = {"sqlite": 0.35, "postgresql": 0.65}


def test_a_one_sentence_edit_stores_its_version_and_diff_compressed(session_factory):
    """The stored bytes of the new version's Document and of the change's diff, against
    4 KB as JSON text (the Document, and the edited paragraph three times): SQLite
    packs both (storage/packed.py); PostgreSQL packs the diff and compresses the
    Document itself (TOAST)."""
    document = json.loads((FIXTURE / "seed_000_press4e_003170.json").read_text())
    edited = {**document, "body": list(document["body"])}
    edited["body"][2] += " The two sides agreed to meet again next month."
    with session_factory.begin() as session:
        first = make_version(session, document)
        second = make_version(session, edited, now=T0 + timedelta(hours=1))
        change = make_change(
            session,
            first.document_id,
            kind=ChangeKind.UPDATED,
            from_version_id=first.version_id,
            to_version_id=second.version_id,
        )
        change.diff = [c.to_dict() for c in diff_documents(document, edited)]
    plain = len(json.dumps(edited, ensure_ascii=False)) + len(
        json.dumps(change.diff, ensure_ascii=False)
    )
    with session_factory() as session:
        dialect = session.get_bind().dialect.name
        ids = {"v": second.version_id, "c": change.id}
        stored = session.execute(text(_STORED[dialect]), ids).scalar_one()
        assert session.get_one(Change, change.id).diff == change.diff
    assert plain > 3900
    assert stored < _SHARE[dialect] * plain, (stored, plain)
