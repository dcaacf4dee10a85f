"""Versions stored against their document's newest keyframe (storage/keyframes.py):
every reader sees the Document that was recorded, a delta is used only when it is
shorter and only against a version stored alone, rebasing keeps every version
readable, and 0011 stores them alone again going down."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import LargeBinary, null, select, text, type_coerce
from sqlalchemy.orm import Session

from storage import keyframes
from storage.browse import ChangeFilter
from storage.browse.changes import change_page
from storage.browse.meetings import meeting_readouts
from storage.browse.search import indexed_versions, matching_documents
from storage.db import (
    downgrade_database,
    is_sqlite,
    opened_database,
    unit_of_work,
    upgrade_database,
)
from storage.detection import NewChange, record_changes
from storage.history import list_changes
from storage.models import Change, ChangeKind, Version
from storage.packed import content_json, pack, pack_against, unpack
from storage.prune import prune_snapshots
from storage.reextraction import record_reextracted, stored_page
from storage.versions import search_documents
from tests.factories import (
    T0,
    made_version_id,
    make_change,
    make_document,
    make_snapshot,
    make_version,
)

MEETING = {
    "format": "meeting",
    "participants": [{"name": "KAMIKAWA Yoko", "role": None, "side": "japan"}],
    "counterpart_country": "Chile",
}
PARAGRAPH = (
    "Foreign Minister KAMIKAWA held a meeting with the Foreign Minister of Chile, "
    "and the two ministers exchanged views on the bilateral relationship, regional "
    "affairs and cooperation in the international arena, including on the economy."
)


def _document(k: int, **over: Any) -> dict[str, Any]:
    """Edit k of one readout: one more sentence each time."""
    sentences = "".join(f" They agreed on point {i}." for i in range(k))
    body = [PARAGRAPH + sentences, "Second paragraph about the quokka."]
    title = "Readout about a quokka" + (f", revised {k}" if k else "")
    return make_document(1, title=title, body=body, meeting=MEETING) | over


def _record(session: Session, documents: list[dict[str, Any]]) -> list[int]:
    ids = []
    for day, document in enumerate(documents):
        recorded = make_version(session, document, now=T0 + timedelta(days=day))
        assert recorded.version_id is not None
        ids.append(recorded.version_id)
    return ids


def _stored(session: Session) -> dict[int, tuple[bytes, int | None]]:
    """version id -> (stored bytes, base_version_id) as they are in the table."""
    raw = type_coerce(Version.content, LargeBinary) if _sqlite(session) else null()
    stmt = select(Version.id, raw, Version.base_version_id)
    rows = session.execute(stmt)
    return {pk: (bytes(data or b""), base) for pk, data, base in rows}


def _indexed(session: Session, word: str) -> list[int]:
    """The versions whose own entry in the text index has the word."""
    return sorted(session.scalars(indexed_versions(session, [word])))


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def test_a_delta_reads_back_through_every_reader(session_factory):
    documents = [_document(0), _document(1), _document(2)]
    with unit_of_work(session_factory) as session:
        ids = _record(session, documents)
        for day, version_id in enumerate(ids):
            make_change(
                session,
                1,
                to_version_id=version_id,
                detected_at=T0 + timedelta(days=day),
            )
    with session_factory() as session:
        loaded = {v.id: v.content for v in session.scalars(select(Version))}
        core = dict(session.execute(select(Version.id, Version.content)).all())
        titles = session.scalars(
            select(content_json(Version.content)["title"].as_string()).order_by(
                Version.id
            )
        ).all()
        listed = [row.title for row in list_changes(session)]
        found = [d.url for d in search_documents(session, text="POINT 1.")]
        readouts = meeting_readouts(session)
        indexed = list(session.scalars(matching_documents(session, "point quokka")))
        kept = _indexed(session, "paragraph")
        page = change_page(session, ChangeFilter(text="revised"))
        stored = _stored(session)
    assert loaded == core == dict(zip(ids, documents, strict=True))
    expected_titles = [d["title"] for d in documents]
    assert titles == listed == expected_titles
    assert found == [documents[0]["url"]]
    assert [r.content for r in readouts] == [documents[2]]
    assert indexed == [1]  # the document, once however many versions match
    # On SQLite the paragraph the deltas share with their keyframe is indexed once.
    assert kept == (ids[:1] if _sqlite(session) else ids)
    # "revised" is only in the deltas: the document's changes are found by it.
    assert [item.title for item in page.items] == [expected_titles[-1]] * 3
    if session.get_bind().dialect.name == "sqlite":
        first, *later = ids
        assert [stored[i][1] for i in ids] == [None, first, first]  # no chain
        assert all(len(stored[i][0]) < 60 for i in later), stored
        assert len(stored[first][0]) > 3 * 60
    else:  # JSON text, compressed by the server
        assert [stored[i][1] for i in ids] == [None] * 3


def test_a_version_is_stored_against_its_keyframe_only_when_that_is_shorter(
    session_factory,
):
    # A keyframe of noise: whether the next version is shorter against it or alone
    # is for the two codecs to say; the stored form is the shorter.
    noise = [hashlib.sha256(b"%d" % i).hexdigest() for i in range(600)]
    documents = [_document(0, body=noise), _document(1), _document(2)]
    with unit_of_work(session_factory) as session:
        ids = _record(session, documents)
        stored = _stored(session)
        contents = [session.get_one(Version, i).content for i in ids]
        sqlite = _sqlite(session)
    assert contents == documents
    if sqlite:
        delta = pack_against(documents[1], stored[ids[0]][0])
        alone = pack(documents[1])
        against = ids[0] if len(delta) < len(alone) else None
        assert stored[ids[1]][1] == against
        assert len(stored[ids[1]][0]) == min(len(delta), len(alone))
        # the third is stored against the newest keyframe, if any
        assert stored[ids[2]][1] == (ids[1] if against is None else ids[0])


def test_a_delta_sees_the_whole_of_a_long_keyframe():
    # zlib's window is 32 KB: against a longer base only zstd finds the rest.
    long = [hashlib.sha256(b"%d" % i).hexdigest() for i in range(1200)]
    base = pack(_document(0, body=long))
    edited = _document(0, body=[*long, "One sentence more."])
    delta = pack_against(edited, base)
    assert len(json.dumps(unpack(base))) > 2 * 32 * 1024
    assert len(delta) < 200
    assert unpack(delta, base) == edited


def test_the_delta_is_kept_only_when_shorter():
    base = pack(_document(0))
    edited, unrelated = _document(1), {"body": ["x" * 5, "unrelated"]}
    assert len(pack_against(edited, base)) < len(pack(edited)) / 4
    assert unpack(pack_against(edited, base), base) == edited
    assert unpack(pack_against(unrelated, base), base) == unrelated
    # zstd takes no prefix under 8 bytes: against one so short, zlib only
    assert unpack(pack_against(edited, "{}"), "{}") == edited
    with pytest.raises(ValueError, match="needs its base"):
        unpack(pack_against(edited, base))
    with pytest.raises(ValueError, match="cannot be a base"):
        pack_against(edited, pack_against(edited, base))


def test_rebase_stores_alone_the_versions_on_a_keyframe(session_factory):
    documents = [_document(0), _document(1), _document(2)]
    with unit_of_work(session_factory) as session:
        ids = _record(session, documents)
        rebased = keyframes.rebase(session, [ids[0]])
        assert rebased == (2 if _sqlite(session) else 0)
        stored = _stored(session)
        # The keyframe can now change without taking the others with it.
        session.get_one(Version, ids[0]).content = make_document(1, body=["numbat"])
    with session_factory() as session:
        contents = [session.get_one(Version, i).content for i in ids]
        chile = list(session.scalars(matching_documents(session, "chile")))
        numbat = list(session.scalars(matching_documents(session, "numbat")))
        # The versions stored alone now are indexed whole; the keyframe anew.
        indexed = (_indexed(session, "chile"), _indexed(session, "numbat"))
    assert [base for _, base in stored.values()] == [None] * 3
    assert contents == [make_document(1, body=["numbat"]), *documents[1:]]
    assert (chile, numbat) == ([1], [1])
    assert indexed == (ids[1:], ids[:1])


def test_a_deleted_keyframe_leaves_the_index_right(sqlite_url):
    with opened_database(sqlite_url, upgrade=True) as factory:
        with unit_of_work(factory) as session:
            first = _document(0, body=[PARAGRAPH, "A wallaby paragraph."])
            ids = _record(session, [first, _document(1)])
            assert _stored(session)[ids[1]][1] == ids[0]
            assert keyframes.rebase(session, [ids[0]]) == 1
            session.execute(text("DELETE FROM versions WHERE id = :i"), {"i": ids[0]})
        with factory() as session:
            wallaby = list(session.scalars(matching_documents(session, "wallaby")))
            chile = list(session.scalars(matching_documents(session, "chile")))
            second = session.get_one(Version, ids[1]).content
    assert second == _document(1)
    # The index forgot the deleted version's words and kept the other's.
    assert (wallaby, chile) == ([], [1])


def test_reextraction_and_prune_keep_every_version_readable(db_url, session_factory):
    bodies = [b"<html>one</html>", b"<html>two</html>", b"<html>three</html>"]
    documents = [_document(0), _document(1)]
    url = documents[0]["url"]
    with unit_of_work(session_factory) as session:
        snapshots = [
            make_snapshot(session, url, body=body, fetched_at=T0 + timedelta(days=i))
            for i, body in enumerate(bodies)
        ]
        ids = [
            made_version_id(
                make_version(session, d, snapshot=s, now=T0 + timedelta(days=i))
            )
            for i, (d, s) in enumerate(zip(documents, snapshots, strict=False))
        ]
        page = stored_page(session, 1, ids[-1])
        reextracted = _document(2)
        seq = record_reextracted(session, page, reextracted, "v2", T0 + timedelta(9))
        prune_snapshots(session, 1)
    with session_factory() as session:
        contents = list(session.scalars(select(Version.content).order_by(Version.seq)))
        stored = _stored(session)
    assert seq == 3
    assert contents == [*documents, reextracted]
    if is_sqlite(db_url):
        assert [base for _, base in stored.values()] == [None, ids[0], ids[0]]


def test_0011_stores_deltas_alone_going_down_and_reads_them_coming_up(sqlite_url):
    upgrade_database(sqlite_url)
    documents = [_document(0), _document(1), _document(2)]
    with opened_database(sqlite_url) as factory, unit_of_work(factory) as session:
        ids = _record(session, documents)
        _detect(session, ids, documents)
        assert [b for _, b in _stored(session).values()] == [None, 1, 1]
        assert {d[:1] for d in _stored_diffs(session).values()} == {b"\x02"}
    downgrade_database(sqlite_url, "0010")
    with opened_database(sqlite_url) as factory, unit_of_work(factory) as session:
        rows = session.execute(text("SELECT content FROM versions ORDER BY id")).all()
        columns = session.execute(text("PRAGMA table_info(versions)")).all()
        # 0010's triggers: the one-argument mofa_content, on every version.
        session.execute(text("UPDATE versions SET seq = seq + 10"))
        session.execute(
            text(
                "UPDATE versions SET content = (SELECT content FROM versions "
                "WHERE id = 1) WHERE id = 3"
            )
        )
        found = session.execute(
            text(
                "SELECT rowid FROM version_search "
                "WHERE version_search MATCH 'point' ORDER BY rowid"
            )
        ).all()
        alone = [unpack(data) for (data,) in rows]
        diffs = session.execute(text("SELECT diff FROM changes ORDER BY id"))
        alone_diffs = [unpack(data) for (data,) in diffs]
    assert alone == documents
    assert alone_diffs == [_diff(*documents[0:2]), _diff(*documents[1:3])]
    assert "base_version_id" not in {c[1] for c in columns}
    assert found == [(2,)]
    with (
        opened_database(sqlite_url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        more = _record(session, [_document(3)])
        stored = _stored(session)
        contents = list(session.scalars(select(Version.content).order_by(Version.id)))
    assert stored[more[0]][1] == 3  # the newest version stored alone
    assert contents == [*documents[:2], documents[0], _document(3)]


def _diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"field": "body", "op": "changed", "old": old["body"][0], "new": new["body"][0]}
    ]


def _detect(
    session: Session, ids: list[int], documents: list[dict[str, Any]]
) -> list[int]:
    """Changes to each later version, as detect records them."""
    changes = [
        NewChange(
            1,
            ChangeKind.UPDATED,
            ids[i - 1],
            ids[i],
            _diff(*documents[i - 1 : i + 1]),
            None,
        )
        for i in range(1, len(ids))
    ]
    return record_changes(session, changes, T0 + timedelta(days=30))


def _stored_diffs(session: Session) -> dict[int, bytes]:
    raw = type_coerce(Change.diff, LargeBinary)
    return {pk: bytes(data) for pk, data in session.execute(select(Change.id, raw))}


def test_a_diff_against_its_version_reads_back_through_every_reader(session_factory):
    documents = [_document(0), _document(1), _document(2)]
    with unit_of_work(session_factory) as session:
        ids = _record(session, documents)
        change_ids = _detect(session, ids, documents)
    expected = [_diff(*documents[0:2]), _diff(*documents[1:3])]
    with session_factory() as session:
        loaded = [session.get_one(Change, i).diff for i in change_ids]
        core = list(session.scalars(select(Change.diff).order_by(Change.id)))
        fields = [row.fields for row in list_changes(session)]
        stored = _stored_diffs(session)
        sqlite = _sqlite(session)
    assert loaded == core == expected
    assert fields == [("body",), ("body",)]  # the history reads the diffs too
    alone = [len(pack(diff)) for diff in expected]
    codecs = [stored[i][:1] for i in change_ids]
    if sqlite:
        assert codecs == [b"\x02"] * 2
        assert all(
            len(stored[i]) < a / 2 for i, a in zip(change_ids, alone, strict=True)
        )
    else:
        assert codecs == [b"\x01"] * 2


def test_rebase_stores_alone_the_diffs_on_a_version(session_factory):
    documents = [_document(0), _document(1)]
    with unit_of_work(session_factory) as session:
        ids = _record(session, documents)
        (change_id,) = _detect(session, ids, documents)
        keyframes.rebase(session, [ids[1]])
        session.get_one(Version, ids[1]).content = make_document(1, body=["numbat"])
    with session_factory() as session:
        diff = session.get_one(Change, change_id).diff
        stored = _stored_diffs(session)[change_id]
    assert diff == _diff(*documents)
    assert stored[:1] == b"\x01"
