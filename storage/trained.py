"""The archive's own zstd dictionary, for the versions stored alone (SQLite).

doc1's dictionary (storage/packed.py) is written once for every archive; the words a
ministry repeats from one readout to the next (its ministers, the countries it meets,
its set phrases, its transcripts' furniture) are learnt here from the archive itself.
Once TRAIN_AT versions are stored alone, a dictionary is trained on the newest of
them (zstd's trainer, at most SAMPLES) and kept in content_dictionaries. From then on
a new version stored alone is packed with it (codec trained1), and the versions
already stored alone are packed with it again when that is shorter: their JSON text
is unchanged, so what is stored against them stays readable. One dictionary is
trained per archive; PostgreSQL keeps versions as JSON text and trains none.
"""

from __future__ import annotations

import json
import logging
import typing
from datetime import UTC, datetime

from backports import zstd
from sqlalchemy import LargeBinary, Table, Text, bindparam, func, select, update
from sqlalchemy import type_coerce as coerce
from sqlalchemy.orm import Session

from storage.models import ContentDictionary, Version
from storage.packed import (
    TRAINED1,
    content_json,
    pack_trained,
    register_dictionary,
)

logger = logging.getLogger(__name__)

TRAIN_AT = 500  # versions stored alone before a dictionary is trained
SAMPLES = 2_000  # the newest versions stored alone that it is trained on
DICTIONARY_BYTES = 32 * 1024  # 16 KiB packs 4% longer, 64 KiB 5% shorter
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


def dictionary_for_new_versions(session: Session) -> int | None:
    """The id of the dictionary new versions stored alone are packed with, trained
    now if the archive has come to hold enough of them; None: doc1 for now."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    found = _registered(session)
    if found is not None:
        return found
    enough = select(_versions.c.id).where(_ALONE).limit(TRAIN_AT).subquery()
    if (session.scalar(select(func.count()).select_from(enough)) or 0) < TRAIN_AT:
        return None
    return train(session)


def _registered(session: Session) -> int | None:
    """Register every dictionary the archive holds; the newest one's id."""
    newest = None
    rows = session.execute(
        select(ContentDictionary.data).order_by(ContentDictionary.created_at)
    )
    for (data,) in rows:
        newest = register_dictionary(bytes(data))
    return newest


def train(session: Session) -> int | None:
    """Train the archive's dictionary on its newest versions stored alone, keep it,
    pack those versions with it; its id (None: zstd could not learn from them)."""
    stmt = select(_TEXT).where(_ALONE).order_by(_versions.c.id.desc()).limit(SAMPLES)
    samples = [text.encode() for text in session.scalars(stmt)]
    try:
        data = zstd.train_dict(samples, DICTIONARY_BYTES).dict_content
    except zstd.ZstdError as error:  # too few or too alike to learn from
        logger.warning(
            "no dictionary trained from %d versions: %s", len(samples), error
        )
        return None
    key = register_dictionary(data)
    session.add(
        ContentDictionary(
            id=key, data=data, samples=len(samples), created_at=datetime.now(UTC)
        )
    )
    session.flush()
    repacked = repack(session, key)
    logger.info(
        "trained a %d-byte dictionary on %d versions; %d versions packed with it",
        len(data),
        len(samples),
        repacked,
    )
    return key


def repack(session: Session, key: int) -> int:
    """Pack with dictionary `key` each version stored alone otherwise whose stored
    form it shortens; return how many."""
    db = session.connection()
    after, count = 0, 0
    while True:
        stmt = (
            select(_versions.c.id, _STORED, _TEXT)
            .where(_ALONE, _versions.c.id > after)
            .order_by(_versions.c.id)
            .limit(_CHUNK)
        )
        rows = db.execute(stmt).all()
        if not rows:
            return count
        rewrites = []
        for pk, stored, text in rows:
            if bytes(stored[:1]) == TRAINED1:
                continue
            packed = pack_trained(json.loads(text), key)
            if len(packed) < len(stored):
                rewrites.append({"pk": pk, "content": packed})
        if rewrites:
            db.execute(_REPACK, rewrites)
        count += len(rewrites)
        after = rows[-1][0]
