"""Stored response bodies: each compressed alone with the site's page furniture
(codec "zlib+mofa1", storage/bodydict.py) or, when that is shorter, against the body
its URL had before, named by base_sha256 (codec "zlib+base1": zlib with that earlier
body as dictionary, the shorter for a short page; "zstd+base": zstd with the whole
earlier body as its prefix, for a page longer than zlib's 32 KB window), so a page
edited by one sentence costs about the sentence.

A body that gave a new version is then stored against that version's Document when
that is shorter still (codec "zlib+doc1": the furniture and the Document's canonical
JSON as dictionary, the version named by base_version_id): the page's text is then
kept once, in the version, and the body holds little more than its markup.

Once the archive has trained a dictionary of its pages (storage/trained.py), a body
that gave a new version is stored against its Document with zstd instead when that
is shorter (codec "zstd+pages+doc": the dictionary, named by the data's first four
bytes, then the Document's text): the archive's own furniture, which the written
dictionary only guesses at.

A base body is always stored alone or against a Document, so a body reads in two
decompressions of bodies at most, plus the reading of one version. A base is not a
foreign key: prune re-encodes alone the bodies on a base it deletes (`rebase`).
Versions are never deleted, so a body stored against one stays readable.
NEVER change a released codec: add a codec name instead.
"""

from __future__ import annotations

import lzma
import typing
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from backports import zstd
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from storage import bodydict, zstd_dicts
from storage.models import Snapshot, SnapshotBody, Version
from storage.normalize import canonical_json

# zlib-9 seeded with the site's page furniture (storage/bodydict.py): the fixture
# pages are stored in 16% of their size, against 42% for plain zlib-9 and 44% for
# lzma-9, which spend most of their output re-learning the shared header and footer.
CODEC = "zlib+mofa1"
DELTA = "zlib+base1"  # zlib with the earlier body (its last 32 KB) as dictionary
ZSTD_DELTA = "zstd+base"  # zstd with the whole earlier body as its prefix
DELTAS = (DELTA, ZSTD_DELTA)  # against an earlier body, named by base_sha256
AGAINST_DOCUMENT = "zlib+doc1"
TRAINED_AGAINST_DOCUMENT = "zstd+pages+doc"
_AGAINST_DOCUMENTS = (AGAINST_DOCUMENT, TRAINED_AGAINST_DOCUMENT)
_ZSTD_LEVEL = 9  # level 19: 1% shorter, 12 times the time
_LZMA_PRESET = 9
_WINDOW = 32 * 1024  # zlib reads no more of a dictionary than its window
_CHUNK = 500
_ZLIB_CODECS = (CODEC, DELTA, AGAINST_DOCUMENT)
_bodies = typing.cast(Table, SnapshotBody.__table__)
_TO_DOCUMENT = (
    update(_bodies)
    .where(_bodies.c.sha256 == bindparam("pk"))
    .values(
        codec=bindparam("codec"),
        data=bindparam("data"),
        base_sha256=None,
        base_version_id=bindparam("version_id"),
    )
)


def document_text(content: Mapping[str, Any]) -> bytes:
    """What a body stored against a Document is compressed with, after the furniture:
    the Document's canonical JSON, the same whether it was just extracted or read
    back from either database."""
    return canonical_json(content).encode()


def _zdict(codec: str, base: bytes | None) -> bytes:
    """The preset dictionary of a zlib codec: the furniture, a delta's base, or the
    furniture and then a Document's text."""
    if codec == CODEC:
        return bodydict.mofa1()
    if base is None:
        raise ValueError(f"codec {codec!r} needs its base")
    if codec == AGAINST_DOCUMENT:
        return (bodydict.mofa1() + base)[-_WINDOW:]
    return base[-_WINDOW:]


def compress(
    data: bytes,
    codec: str = CODEC,
    base: bytes | None = None,
    dictionary: int | None = None,
) -> bytes:
    """The body encoded with the codec whose name is stored next to it; a delta
    (ZSTD_DELTA, DELTA) needs the raw bytes of its base, AGAINST_DOCUMENT the
    `document_text` of its version, TRAINED_AGAINST_DOCUMENT that and the id of a
    registered dictionary of pages."""
    if codec == ZSTD_DELTA:
        if base is None:
            raise ValueError(f"codec {codec!r} needs its base")
        prefix = zstd.ZstdDict(base, is_raw=True)
        return zstd.compress(
            data, options=zstd_dicts.options(_ZSTD_LEVEL), zstd_dict=prefix
        )
    if codec == TRAINED_AGAINST_DOCUMENT:
        if base is None or dictionary is None:
            raise ValueError(f"codec {codec!r} needs its base and its dictionary")
        frame = zstd.compress(
            data,
            options=zstd_dicts.options(_ZSTD_LEVEL),
            zstd_dict=_against(dictionary, base),
        )
        return zstd_dicts.name(dictionary) + frame
    if codec in _ZLIB_CODECS:
        compressor = zlib.compressobj(9, zdict=_zdict(codec, base))
        return compressor.compress(data) + compressor.flush()
    if codec == "lzma":
        return lzma.compress(data, preset=_LZMA_PRESET)
    if codec == "zlib":
        return zlib.compress(data, 9)
    if codec == "identity":
        return data
    raise ValueError(f"unknown body codec {codec!r}")


def decompress(data: bytes, codec: str, base: bytes | None = None) -> bytes:
    """The raw body (zstd_dicts.UnknownDictionary: its dictionary is not read yet)."""
    if codec == ZSTD_DELTA:
        if base is None:
            raise ValueError(f"codec {codec!r} needs its base")
        return zstd.decompress(data, zstd_dict=zstd.ZstdDict(base, is_raw=True))
    if codec == TRAINED_AGAINST_DOCUMENT:
        if base is None:
            raise ValueError(f"codec {codec!r} needs its base")
        frame = data[zstd_dicts.ID_BYTES :]
        dictionary = _against(zstd_dicts.named(data), base)
        return zstd.decompress(frame, zstd_dict=dictionary)
    if codec in _ZLIB_CODECS:
        decompressor = zlib.decompressobj(zdict=_zdict(codec, base))
        return decompressor.decompress(data) + decompressor.flush()
    if codec == "lzma":
        return lzma.decompress(data)
    if codec == "zlib":
        return zlib.decompress(data)
    if codec == "identity":
        return data
    raise ValueError(f"unknown body codec {codec!r}")


def _against(dictionary: int, document: bytes) -> zstd.ZstdDict:
    """The dictionary of pages and then a Document's text, as zstd's prefix."""
    return zstd.ZstdDict(_pages(dictionary) + document, is_raw=True)


@lru_cache(maxsize=4)
def _pages(dictionary: int) -> bytes:
    return zstd_dicts.content(dictionary)


def encode(body: bytes, base: bytes | None) -> tuple[str, bytes]:
    """(codec, data): the body alone, or against `base` when that is shorter."""
    alone = compress(body)
    if base is None:
        return CODEC, alone
    candidates = [(CODEC, alone)]
    if len(base) >= zstd_dicts.MIN_PREFIX:
        candidates.append((ZSTD_DELTA, compress(body, ZSTD_DELTA, base)))
    if len(base) <= _WINDOW:  # zlib sees no more of a base; zstd sees all of it
        candidates.append((DELTA, compress(body, DELTA, base)))
    return min(candidates, key=lambda candidate: len(candidate[1]))


def load(session: Session, sha256: str) -> bytes | None:
    """The raw bytes of a stored body (None if there is none)."""
    row = session.get(SnapshotBody, sha256)
    if row is None:
        return None
    return _raw(session, row)


def _raw(session: Session, row: SnapshotBody) -> bytes:
    base = _base(session, row)
    return zstd_dicts.reading_with(
        session, lambda: decompress(row.data, row.codec, base)
    )


def _base(session: Session, row: SnapshotBody) -> bytes | None:
    """What the row's codec decompresses with besides the furniture, if anything."""
    if row.codec in DELTAS:
        return _raw(session, session.get_one(SnapshotBody, row.base_sha256))
    if row.codec in _AGAINST_DOCUMENTS:
        stmt = select(Version.content).where(Version.id == row.base_version_id)
        content = session.execute(stmt).scalar_one_or_none()
        if content is None:
            raise LookupError(
                f"body {row.sha256} is stored against version "
                f"{row.base_version_id}, which is not in the database"
            )
        return document_text(content)
    return None


@dataclass(frozen=True, slots=True)
class NewBody:
    """A body just stored, and the new version its page gave."""

    sha256: str
    body: bytes
    stored_size: int  # bytes of its stored data as it is now
    version_id: int
    document: Mapping[str, Any]


def store_against_documents(
    session: Session, new: Sequence[NewBody], pages: int | None = None
) -> int:
    """Re-encode each body against its version's Document where that is shorter
    than how it is stored, with the dictionary of pages `pages` (registered) when
    that is shorter still; return how many were."""
    rows = []
    for item in new:
        codec, data = against_document(item.body, item.document, pages)
        if len(data) < item.stored_size:
            row = {"pk": item.sha256, "codec": codec, "data": data}
            rows.append(row | {"version_id": item.version_id})
    if rows:
        session.connection().execute(_TO_DOCUMENT, rows)
    return len(rows)


def against_document(
    body: bytes, document: Mapping[str, Any], pages: int | None
) -> tuple[str, bytes]:
    """(codec, data): the body against its version's Document, with the dictionary
    of pages `pages` when there is one and that is shorter."""
    text = document_text(document)
    data = compress(body, AGAINST_DOCUMENT, text)
    if pages is None:
        return AGAINST_DOCUMENT, data
    trained = compress(body, TRAINED_AGAINST_DOCUMENT, text, pages)
    if len(trained) < len(data):
        return TRAINED_AGAINST_DOCUMENT, trained
    return AGAINST_DOCUMENT, data


def body_rows(
    session: Session, bodies: Mapping[str, tuple[str, bytes]]
) -> list[dict[str, Any]]:
    """snapshot_bodies rows of new bodies (sha256 -> (url, body)), each one against
    the base of its URL's newest stored body when that is shorter."""
    bases = _bases(session, {url for url, _ in bodies.values()})
    rows = []
    for sha, (url, body) in bodies.items():
        base_sha, base = bases.get(url, (None, None))
        codec, data = encode(body, base)
        rows.append(
            {
                "sha256": sha,
                "codec": codec,
                "raw_size": len(body),
                "data": data,
                "base_sha256": base_sha if codec in DELTAS else None,
            }
        )
    return rows


def _bases(session: Session, urls: Iterable[str]) -> dict[str, tuple[str, bytes]]:
    """url -> (sha256, raw bytes) of the body stored alone that its newest stored
    body is (or is a delta against)."""
    wanted = sorted(urls)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        newest = (
            select(func.max(Snapshot.id))
            .where(
                Snapshot.url.in_(wanted[start : start + _CHUNK]),
                Snapshot.body_sha256.is_not(None),
            )
            .group_by(Snapshot.url)
        )
        stmt = (
            select(Snapshot.url, SnapshotBody.sha256, SnapshotBody.base_sha256)
            .join(SnapshotBody, SnapshotBody.sha256 == Snapshot.body_sha256)
            .where(Snapshot.id.in_(newest))
        )
        for url, sha, base_sha in session.execute(stmt):
            found[url] = base_sha or sha
    raws = {sha: load(session, sha) for sha in set(found.values())}
    return {
        url: (sha, raw) for url, sha in found.items() if (raw := raws[sha]) is not None
    }


def rebase(session: Session, doomed: Iterable[str]) -> int:
    """Re-encode alone the bodies, other than doomed ones, whose base is doomed;
    return how many."""
    gone = set(doomed)
    ordered = sorted(gone)
    count = 0
    for start in range(0, len(ordered), _CHUNK):
        stmt = select(SnapshotBody).where(
            SnapshotBody.base_sha256.in_(ordered[start : start + _CHUNK])
        )
        for row in list(session.scalars(stmt)):
            if row.sha256 in gone:
                continue
            raw = load(session, row.sha256)
            assert raw is not None
            row.codec, row.data, row.base_sha256 = CODEC, compress(raw), None
            count += 1
    session.flush()
    return count
