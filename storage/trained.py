"""The archive's own zstd dictionaries: of its versions' Documents and of its pages.

The written dictionaries (storage/bodydict.py, doc1 in storage/packed.py) are the
same for every archive; the words and markup a ministry repeats from one page to the
next (its ministers, the countries it meets, its set phrases, its furniture) are
learnt here from the archive itself. Once TRAIN_AT versions are stored alone, two
dictionaries are trained on the newest of them (zstd's trainer, at most SAMPLES):
one of their Documents' JSON text (SQLite, which packs versions; codec trained1 of
storage/packed.py) and one of the pages they came from (codec zstd+pages+doc of
storage/bodies.py, both databases). From then on new versions stored alone and the
bodies of new versions are packed with them, each only when that is shorter.

What was stored before is packed again a part at a time, REPACK_BUDGET versions
each time `prepare` runs (once per batch of pages), so an archive that trains its
dictionaries after an upgrade does not spend one long cycle on it. The JSON text of
a version and the bytes of a body do not change, so what is stored against them
stays readable. One dictionary of each kind is trained per archive.
"""

from __future__ import annotations

import json
import logging
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from backports import zstd
from sqlalchemy import LargeBinary, Table, Text, bindparam, func, select, update
from sqlalchemy import type_coerce as coerce
from sqlalchemy.orm import Session

from storage import bodies, zstd_dicts
from storage.models import ContentDictionary, Snapshot, SnapshotBody, Version
from storage.packed import TRAINED1, content_json, pack_trained

logger = logging.getLogger(__name__)

TRAIN_AT = 500  # versions stored alone before the dictionaries are trained
SAMPLES = 2_000  # the newest versions stored alone that they are trained on
SAMPLE_BYTES = 4 * 1024 * 1024  # and at most this much of them (zstd asks 100x)
MIN_SAMPLES = 20  # fewer: that kind is not trained
DICTIONARY_BYTES = 32 * 1024  # 16 KiB packs 4% longer, 64 KiB 5% shorter
REPACK_BUDGET = 2_000  # versions (and their bodies) packed again per `prepare`
VERSIONS = "versions"
PAGES = "pages"
_CHUNK = 500
_versions = typing.cast(Table, Version.__table__)
_ALONE = _versions.c.base_version_id.is_(None)
_TEXT = coerce(content_json(_versions.c.content), Text)
_STORED = coerce(_versions.c.content, LargeBinary)
_REPACK = (
    update(_versions)
    .where(_versions.c.id == bindparam("pk"))
    .values(content=bindparam("content"))
)
_bodies = typing.cast(Table, SnapshotBody.__table__)
_REPACK_BODY = (
    update(_bodies)
    .where(_bodies.c.sha256 == bindparam("pk"))
    .values(codec=bodies.TRAINED_AGAINST_DOCUMENT, data=bindparam("data"))
)


@dataclass(frozen=True, slots=True)
class Dictionaries:
    """The ids of the archive's dictionaries, registered (None: none yet)."""

    versions: int | None = None
    pages: int | None = None


def prepare(session: Session) -> Dictionaries:
    """The dictionaries new versions and bodies are packed with, trained now if the
    archive has come to hold enough versions, and the next part of what was stored
    before them packed again."""
    found = _registered(session)
    if not found:
        found = _train_if_due(session)
    for row in found.values():
        if row.repacked_through < row.trained_through:
            _repack_part(session, row)
    return _ids(found)


def current(session: Session) -> Dictionaries:
    """The dictionaries new versions and bodies are packed with, registered."""
    return _ids(_registered(session))


def _ids(found: dict[str, ContentDictionary]) -> Dictionaries:
    versions, pages = found.get(VERSIONS), found.get(PAGES)
    return Dictionaries(
        versions.id if versions is not None else None,
        pages.id if pages is not None else None,
    )


def _registered(session: Session) -> dict[str, ContentDictionary]:
    """kind -> the archive's dictionary of that kind, each registered."""
    rows = session.scalars(select(ContentDictionary)).all()
    for row in rows:
        if not zstd_dicts.is_registered(row.id):
            zstd_dicts.register(bytes(row.data))
    return {row.kind: row for row in rows}


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _train_if_due(session: Session) -> dict[str, ContentDictionary]:
    enough = select(_versions.c.id).where(_ALONE).limit(TRAIN_AT).subquery()
    if (session.scalar(select(func.count()).select_from(enough)) or 0) < TRAIN_AT:
        return {}
    return train(session)


def train(session: Session) -> dict[str, ContentDictionary]:
    """Train the archive's dictionaries on its newest versions stored alone and the
    pages they came from, and keep them (a kind zstd cannot learn from its samples
    is left out: the written dictionary goes on serving it)."""
    newest = select(_versions.c.id).where(_ALONE).order_by(_versions.c.id.desc())
    through = session.scalar(select(func.max(_versions.c.id))) or 0
    picked = newest.limit(SAMPLES).subquery()
    samples: dict[str, list[bytes]] = {PAGES: _page_samples(session, picked)}
    if _sqlite(session):
        texts = select(_TEXT).where(_versions.c.id.in_(select(picked.c.id)))
        samples[VERSIONS] = _bounded(text.encode() for text in session.scalars(texts))
    trained = {}
    for kind, sample in samples.items():
        if len(sample) < MIN_SAMPLES:  # versions without their pages, say
            logger.info("no %s dictionary: %d samples", kind, len(sample))
            continue
        try:
            data = zstd.train_dict(sample, DICTIONARY_BYTES).dict_content
        except (zstd.ZstdError, ValueError) as error:  # none, too few, too alike
            logger.warning("no %s dictionary from %d: %s", kind, len(sample), error)
            continue
        row = ContentDictionary(
            id=zstd_dicts.register(data),
            kind=kind,
            data=data,
            samples=len(sample),
            created_at=datetime.now(UTC),
            trained_through=through,
            repacked_through=0,
        )
        session.add(row)
        trained[kind] = row
        logger.info("trained a %d-byte %s dictionary", len(data), kind)
    session.flush()
    return trained


def _page_samples(session: Session, picked: typing.Any) -> list[bytes]:
    """The raw pages the picked versions came from."""
    stmt = (
        select(Snapshot.body_sha256)
        .join(Version, Version.snapshot_id == Snapshot.id)
        .where(Version.id.in_(select(picked.c.id)), Snapshot.body_sha256.is_not(None))
    )
    found = (bodies.load(session, sha) for sha in session.scalars(stmt) if sha)
    return _bounded(raw for raw in found if raw)


def _bounded(samples: Iterable[bytes]) -> list[bytes]:
    """The samples up to SAMPLE_BYTES in all: the trainer's memory grows with them."""
    kept, total = [], 0
    for sample in samples:
        total += len(sample)
        if total > SAMPLE_BYTES:
            break
        kept.append(sample)
    return kept


def _repack_part(session: Session, row: ContentDictionary) -> None:
    """Pack again with the dictionary the next REPACK_BUDGET versions (or their
    bodies) stored before it, each where that is shorter."""
    start = row.repacked_through
    end = min(row.trained_through, start + REPACK_BUDGET)
    repack = _repack_versions if row.kind == VERSIONS else _repack_bodies
    for low in range(start, end, _CHUNK):
        repack(session, row.id, low, min(end, low + _CHUNK))
    row.repacked_through = end
    session.flush()
    if end == row.trained_through:
        logger.info("everything stored before the %s dictionary repacked", row.kind)


def _repack_versions(session: Session, key: int, low: int, high: int) -> None:
    """Versions stored alone with an id in (low, high]."""
    db = session.connection()
    stmt = select(_versions.c.id, _STORED, _TEXT).where(
        _ALONE, _versions.c.id > low, _versions.c.id <= high
    )
    rewrites = []
    for pk, stored, text in db.execute(stmt):
        if bytes(stored[:1]) == TRAINED1:
            continue
        packed = pack_trained(json.loads(text), key)
        if len(packed) < len(stored):
            rewrites.append({"pk": pk, "content": packed})
    if rewrites:
        db.execute(_REPACK, rewrites)


def _repack_bodies(session: Session, key: int, low: int, high: int) -> None:
    """Bodies stored against the Document of a version with an id in (low, high]."""
    stmt = (
        select(SnapshotBody.sha256, SnapshotBody.data, Version.content)
        .select_from(Version)
        .join(Snapshot, Snapshot.id == Version.snapshot_id)
        .join(SnapshotBody, SnapshotBody.sha256 == Snapshot.body_sha256)
        .where(
            Version.id > low,
            Version.id <= high,
            SnapshotBody.codec == bodies.AGAINST_DOCUMENT,
            SnapshotBody.base_version_id == Version.id,
        )
    )
    rewrites = []
    for sha, stored, document in session.execute(stmt).all():
        text = bodies.document_text(document)
        raw = bodies.decompress(bytes(stored), bodies.AGAINST_DOCUMENT, text)
        codec, data = bodies.against_document(raw, document, key)
        if codec == bodies.TRAINED_AGAINST_DOCUMENT and len(data) < len(stored):
            rewrites.append({"pk": sha, "data": data})
    if rewrites:
        session.connection().execute(_REPACK_BODY, rewrites)
