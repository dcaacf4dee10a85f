"""The archive's own dictionary (storage/trained.py, codec trained1 of
storage/packed.py): trained once enough versions are stored alone, it packs them and
every later one shorter than doc1 does; every reader sees the Documents recorded,
on a connection that has never seen the dictionary too; edits stay deltas against
their keyframe; the text index still finds every word; and 0019 going down packs
them with doc1 again. PostgreSQL keeps JSON text and trains nothing."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import LargeBinary, func, select, text, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from crawler.extract.current import extract_for_storage
from monitor.cli.status import text_report as status_text
from monitor.config import Settings
from monitor.health import build_status
from storage import bodies, packed, trained, zstd_dicts
from storage.browse import ChangeFilter
from storage.browse.changes import change_page
from storage.browse.search import matching_documents
from storage.db import (
    current_revision,
    downgrade_database,
    opened_database,
    unit_of_work,
    upgrade_database,
)
from storage.detection import NewChange, record_changes
from storage.ingest import Extractor
from storage.models import (
    Change,
    ChangeKind,
    ContentDictionary,
    Document,
    Snapshot,
    SnapshotBody,
    Version,
)
from storage.packed import content_json, pack
from storage.snapshots import FetchRecord
from storage.status import status_figures
from tests.factories import BASE, T0, made_version_id, make_document, make_version
from tests.integration.ingest_helpers import ingest_many
from tests.sitegen import generate_site

TRAIN_AT = 40
PAGES_AT = 200  # zstd learns little furniture from fewer generated pages
EXTRACTOR = Extractor("1", extract_for_storage)
_COUNTRIES = ("Aurelia", "Borvania", "Castria", "Delmora", "Estovia", "Galdoria")
_PEOPLE = ("Tomas Elvander", "Alina Quorrin", "Marek Vastell", "Selene Brennic")
_TOPICS = (
    "the economy and trade",
    "energy security",
    "the rule of law at sea",
    "people-to-people exchanges",
    "regional affairs including the Indo-Pacific",
)


@pytest.fixture(autouse=True)
def _train_sooner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trained, "TRAIN_AT", TRAIN_AT)


@pytest.fixture
def sqlite_factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    with opened_database(sqlite_url, upgrade=True) as factory:
        yield factory


def _readout(n: int, extra: str = "") -> dict[str, Any]:
    """A meeting readout in the ministry's set phrases, its names and topics varied."""
    rng = random.Random(n)
    country, person = rng.choice(_COUNTRIES), rng.choice(_PEOPLE)
    body = [
        f"On {rng.randint(1, 28)} May, commencing at {rng.randint(1, 11)}:"
        f"{rng.randint(10, 59)} a.m. for approximately {rng.randint(2, 9)}0 minutes, "
        "Mr. KIRISHIMA Daichi, Minister for Foreign Affairs of Japan, held a meeting "
        f"with H.E. {person}, Minister of Foreign Affairs of {country}. The overview "
        "of the meeting is as follows.",
        *(
            f"{k}. The two ministers exchanged views on {topic} and concurred to "
            f"continue close communication between Japan and {country}."
            for k, topic in enumerate(rng.sample(_TOPICS, 3), start=1)
        ),
        f"Reference number {n}: marker{n}word{extra}",
    ]
    title = f"Japan-{country} Foreign Ministers' Meeting ({n})"
    return make_document(n, title=title, body=body)


def _record(session: Session, documents: list[dict[str, Any]]) -> list[int]:
    return [
        made_version_id(make_version(session, d, now=T0 + timedelta(minutes=k)))
        for k, d in enumerate(documents)
    ]


def _stored(session: Session) -> dict[int, bytes]:
    raw = type_coerce(Version.content, LargeBinary)
    return {pk: bytes(data) for pk, data in session.execute(select(Version.id, raw))}


def _dictionaries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ContentDictionary)) or 0


def test_enough_versions_train_a_dictionary_that_packs_them_shorter(
    sqlite_factory: sessionmaker[Session],
) -> None:
    documents = [_readout(n) for n in range(1, TRAIN_AT + 2)]
    with unit_of_work(sqlite_factory) as session:
        before = _record(session, documents[:-1])  # TRAIN_AT of them: not yet
        assert _dictionaries(session) == 0
        assert {data[:1] for data in _stored(session).values()} == {b"\x01"}
        ids = [*before, *_record(session, documents[-1:])]
        stored = _stored(session)
        assert _dictionaries(session) == 1
        assert {stored[pk][:1] for pk in ids} == {packed.TRAINED1}
        doc1 = sum(len(pack(d)) for d in documents)
        assert sum(len(stored[pk]) for pk in ids) < 0.6 * doc1
        later = _readout(TRAIN_AT + 2)
        (new,) = _record(session, [later])
        assert _stored(session)[new][:1] == packed.TRAINED1
    with sqlite_factory() as session:
        loaded = {v.id: v.content for v in session.scalars(select(Version))}
        titles = session.scalars(
            select(content_json(Version.content)["title"].as_string()).order_by(
                Version.id
            )
        ).all()
    assert loaded == dict(zip([*ids, new], [*documents, later], strict=True))
    assert titles == [d["title"] for d in [*documents, later]]


def test_an_edit_is_a_delta_against_its_repacked_keyframe_and_is_found(
    sqlite_factory: sessionmaker[Session],
) -> None:
    documents = [_readout(n) for n in range(1, TRAIN_AT + 2)]
    edited = _readout(7, extra=" and one sentence more about the okapi")
    with unit_of_work(sqlite_factory) as session:
        ids = _record(session, documents)
        (edit,) = _record(session, [edited])
        base = session.scalar(select(Version.base_version_id).where(Version.id == edit))
        assert base == ids[6]
        assert _stored(session)[base][:1] == packed.TRAINED1
        assert len(_stored(session)[edit]) < 60
    with sqlite_factory() as session:
        assert session.get(Version, edit).content == edited  # type: ignore[union-attr]
        marker = list(session.scalars(matching_documents(session, "marker12word")))
        okapi = list(session.scalars(matching_documents(session, "okapi marker7word")))
        seven = session.scalar(select(Document.id).where(Document.url == edited["url"]))
        twelve = session.scalar(
            select(Document.id).where(Document.url == documents[11]["url"])
        )
    assert marker == [twelve]
    assert okapi == [seven]


def _trained_archive(url: str) -> tuple[list[int], list[dict[str, Any]]]:
    """A new archive at `url` holding enough readouts to have trained its
    dictionary of versions, every one packed with it: their ids and Documents."""
    documents = [_readout(n) for n in range(1, TRAIN_AT + 2)]
    with opened_database(url, upgrade=True) as factory, unit_of_work(factory) as s:
        ids = _record(s, documents)
        assert _dictionaries(s) == 1
        assert {data[:1] for data in _stored(s).values()} == {packed.TRAINED1}
    return ids, documents


_READER = """
import json, sys
from sqlalchemy import select
from storage.db import opened_database
from storage.models import Version
with opened_database(sys.argv[1]) as factory, factory() as session:
    rows = session.execute(select(Version.id, Version.content).order_by(Version.id))
    print(json.dumps([[pk, content] for pk, content in rows]))
"""


def test_a_process_that_never_saw_the_dictionary_reads_it_from_the_database(
    sqlite_url: str,
) -> None:
    ids, documents = _trained_archive(sqlite_url)
    done = subprocess.run(
        [sys.executable, "-c", _READER, sqlite_url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        list(pair) for pair in zip(ids, documents, strict=True)
    ]


def test_a_value_naming_a_dictionary_never_stored_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(zstd_dicts, "_known", {})
    packed._digested.cache_clear()
    damaged = packed.TRAINED1 + (12345).to_bytes(4, "big") + b"\x00\x01"
    with pytest.raises(zstd_dicts.UnknownDictionary, match="12345"):
        packed.unpack_text(damaged)


def test_downgrading_0019_packs_the_trained_versions_with_doc1_again(
    sqlite_url: str,
) -> None:
    ids, documents = _trained_archive(sqlite_url)
    downgrade_database(sqlite_url, "0018")
    assert current_revision(sqlite_url) == "0018"
    with opened_database(sqlite_url) as factory, factory() as session:
        raw = session.execute(text("SELECT id, content FROM versions")).all()
        tables = session.scalars(
            text("SELECT name FROM sqlite_master WHERE type = 'table'")
        ).all()
        found = list(session.scalars(matching_documents(session, "marker3word")))
    assert {bytes(data)[:1] for _, data in raw} == {b"\x01"}
    assert {pk: packed.unpack(data) for pk, data in raw} == dict(
        zip(ids, documents, strict=True)
    )
    assert "content_dictionaries" not in tables
    assert len(found) == 1
    upgrade_database(sqlite_url)
    with opened_database(sqlite_url) as factory, factory() as session:
        assert _dictionaries(session) == 0


def test_postgresql_keeps_json_text_and_trains_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    documents = [_readout(n) for n in range(1, TRAIN_AT + 2)]
    with unit_of_work(session_factory) as session:
        ids = _record(session, documents)
        sqlite = session.get_bind().dialect.name == "sqlite"
        assert _dictionaries(session) == (1 if sqlite else 0)
    with session_factory() as session:
        rows = session.execute(select(Version.id, Version.content))
        loaded: dict[int, Any] = {pk: content for pk, content in rows}
    assert loaded == dict(zip(ids, documents, strict=True))


def _site_fetches(root: Path, count: int) -> list[FetchRecord]:
    """The detail pages of a generated site, as the crawl would have fetched them."""
    site = generate_site(root, documents=count, months=2)
    return [
        FetchRecord(
            url=f"{BASE}{path}",
            fetched_at=T0 + timedelta(minutes=k),
            status=200,
            body=(root / path.lstrip("/")).read_bytes(),
            charset="utf-8",
            source="replay",
        )
        for k, path in enumerate(site.detail_paths)
    ]


def _bodies(session: Session) -> dict[str, tuple[str, int]]:
    rows = session.execute(
        select(SnapshotBody.sha256, SnapshotBody.codec, func.length(SnapshotBody.data))
    )
    return {sha: (codec, size) for sha, codec, size in rows}


def test_pages_are_stored_with_the_archives_dictionary_of_pages(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(trained, "TRAIN_AT", PAGES_AT)  # fewer: a poor dictionary
    monkeypatch.setattr(trained, "REPACK_BUDGET", 50)
    fetches = _site_fetches(tmp_path / "site", PAGES_AT + 6)
    first, later = fetches[: PAGES_AT + 1], fetches[PAGES_AT + 1 :]
    with unit_of_work(session_factory) as session:
        ingest_many(session, first, EXTRACTOR)
        assert {codec for codec, _ in _bodies(session).values()} == {
            bodies.AGAINST_DOCUMENT
        }
        before = _bodies(session)
        for fetch in later:  # a batch each: each packs 50 more bodies again
            ingest_many(session, [fetch], EXTRACTOR)
        (pages,) = session.scalars(
            select(ContentDictionary).where(ContentDictionary.kind == trained.PAGES)
        )
        stored = _bodies(session)
    assert pages.repacked_through == pages.trained_through == PAGES_AT + 1
    codecs = [codec for codec, _ in stored.values()]
    # Each body takes the shorter of the two: nearly all take the dictionary's.
    assert codecs.count(bodies.TRAINED_AGAINST_DOCUMENT) > 0.9 * len(codecs)
    assert all(stored[sha][1] <= size for sha, (_, size) in before.items())
    again = sum(stored[sha][1] for sha in before)
    assert again < 0.6 * sum(size for _, size in before.values())
    with session_factory() as session:
        raw = {
            fetch.url: bodies.load(session, _sha(session, fetch.url))
            for fetch in fetches
        }
    assert raw == {fetch.url: fetch.body for fetch in fetches}


def test_a_page_dictionary_not_finished_repacking_resumes_in_later_batches(
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(trained, "TRAIN_AT", PAGES_AT)
    monkeypatch.setattr(trained, "REPACK_BUDGET", 15)
    fetches = _site_fetches(tmp_path / "site", PAGES_AT + 2)
    with unit_of_work(session_factory) as session:
        ingest_many(session, fetches[: PAGES_AT + 1], EXTRACTOR)
        ingest_many(session, fetches[PAGES_AT + 1 :], EXTRACTOR)  # trains, packs 15
        progress = dict(
            session.execute(
                select(ContentDictionary.kind, ContentDictionary.repacked_through)
            ).all()
        )
        codecs = [codec for codec, _ in _bodies(session).values()]
    assert progress[trained.PAGES] == 15
    assert codecs.count(bodies.AGAINST_DOCUMENT) == PAGES_AT + 1 - 15
    sqlite = session_factory.kw["bind"].dialect.name == "sqlite"
    if sqlite:
        assert progress[trained.VERSIONS] == 15
    else:
        assert trained.VERSIONS not in progress
    # `status` shows how far it has come.
    with session_factory() as session:
        report = build_status(status_figures(session, 5), Settings(), T0)
    shown = {d["kind"]: d for d in report["dictionaries"]}
    assert set(shown) == ({trained.VERSIONS, trained.PAGES} if sqlite else {"pages"})
    assert shown["pages"]["repacked_through"] == 15
    assert shown["pages"]["trained_through"] == PAGES_AT + 1
    assert shown["pages"]["repacked"] is False
    assert f"through version 15 of {PAGES_AT + 1}" in status_text(report)
    with unit_of_work(session_factory) as session:
        for _ in range(PAGES_AT // 15 + 1):
            trained.prepare(session)
        report = build_status(status_figures(session, 5), Settings(), T0)
    assert all(d["repacked"] for d in report["dictionaries"])
    assert "everything stored before packed with them" in status_text(report)


def _sha(session: Session, url: str) -> str:
    stmt = select(Snapshot.body_sha256).where(Snapshot.url == url)
    found = session.scalars(stmt).one()
    assert found is not None
    return found


def test_downgrading_0019_stores_the_pages_with_zlib_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trained, "TRAIN_AT", PAGES_AT)
    fetches = _site_fetches(tmp_path / "site", PAGES_AT + 2)
    with (
        opened_database(db_url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        ingest_many(session, fetches[: PAGES_AT + 1], EXTRACTOR)
        ingest_many(session, fetches[PAGES_AT + 1 :], EXTRACTOR)
        codecs = {codec for codec, _ in _bodies(session).values()}
    assert bodies.TRAINED_AGAINST_DOCUMENT in codecs
    downgrade_database(db_url, "0018")
    with opened_database(db_url) as factory, factory() as session:
        codecs = {codec for codec, _ in _bodies(session).values()}
        raw = {f.url: bodies.load(session, _sha(session, f.url)) for f in fetches}
        versions = session.scalars(select(Version.content).order_by(Version.id)).all()
    assert codecs == {bodies.AGAINST_DOCUMENT}
    assert raw == {fetch.url: fetch.body for fetch in fetches}
    assert [v["url"] for v in versions] == [fetch.url for fetch in fetches]


def test_the_trainer_reads_no_more_than_its_byte_budget_of_samples(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = [_readout(n) for n in range(1, TRAIN_AT + 2)]
    sizes = sorted(len(packed.unpack_text(pack(d))) for d in documents)
    monkeypatch.setattr(trained, "SAMPLE_BYTES", sum(sizes[-30:]))
    with unit_of_work(sqlite_factory) as session:
        _record(session, documents)
        (row,) = session.scalars(select(ContentDictionary))
    assert row.kind == trained.VERSIONS
    assert 30 <= row.samples < TRAIN_AT


def test_downgrading_0019_stores_its_zstd_deltas_alone(sqlite_url: str) -> None:
    tail = [hashlib.sha256(b"%d" % i).hexdigest() for i in range(1200)]  # > 32 KB
    opening = "Opening paragraph about the okapi and the two ministers' meeting."
    documents = [
        make_document(1, title="Long", body=[opening, *tail]),
        make_document(1, title="Long", body=[opening + " Revised.", *tail]),
    ]
    diff = [{"field": "body", "before": opening, "after": opening + " Revised."}]
    with (
        opened_database(sqlite_url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        ids = _record(session, documents)
        (change,) = record_changes(
            session,
            [NewChange(1, ChangeKind.UPDATED, ids[0], ids[1], diff, None)],
            T0 + timedelta(days=1),
        )
        assert _stored(session)[ids[1]][:1] == packed.ZBASE1
        (stored_diff,) = session.scalars(text("SELECT diff FROM changes"))
        assert bytes(stored_diff)[:1] == packed.ZBASE1
        page = change_page(session, ChangeFilter())
    assert [item.id for item in page.items] == [change]
    downgrade_database(sqlite_url, "0018")
    with opened_database(sqlite_url) as factory, factory() as session:
        raw = session.execute(text("SELECT content, base_version_id FROM versions"))
        stored = [(bytes(data)[:1], base) for data, base in raw]
        diffs = session.scalars(text("SELECT diff FROM changes")).all()
        contents = session.scalars(select(Version.content).order_by(Version.id)).all()
        read_diff = session.scalars(select(Change.diff)).one()
    assert stored == [(b"\x01", None)] * 2
    assert {bytes(d)[:1] for d in diffs} == {b"\x01"}
    assert contents == documents
    assert read_diff == diff


def test_downgrading_0019_stores_its_zstd_body_deltas_alone(
    db_url: str, tmp_path: Path
) -> None:
    (fetch,) = _site_fetches(tmp_path / "site", 1)
    assert fetch.body is not None
    links = "".join(
        f'<li><a href="/n/{i}.html">item {i:05d}</a></li>' for i in range(1500)
    )
    page = fetch.body.replace(b'<div id="contents">', f"<ul>{links}</ul>".encode(), 1)
    edited = page.replace(b"</p>", b" One sentence more.</p>", 1)
    assert len(page) > 40_000
    later = replace(fetch, body=edited, fetched_at=fetch.fetched_at + timedelta(days=1))
    with (
        opened_database(db_url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        ingest_many(session, [replace(fetch, body=page)], EXTRACTOR)
        ingest_many(session, [later], EXTRACTOR)
        codecs = {codec: size for codec, size in _bodies(session).values()}
    assert codecs[bodies.ZSTD_DELTA] < 200
    downgrade_database(db_url, "0018")
    with opened_database(db_url) as factory, factory() as session:
        rows = session.execute(select(SnapshotBody.codec, SnapshotBody.base_sha256))
        assert bodies.ZSTD_DELTA not in {codec for codec, _ in rows}
        stored = sorted(
            bodies.load(session, sha) or b""
            for sha in session.scalars(select(SnapshotBody.sha256))
        )
    assert stored == sorted([page, edited])
