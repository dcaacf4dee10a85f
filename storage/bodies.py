"""Stored response bodies: each compressed alone with the site's page furniture
(codec "zlib+mofa1", storage/bodydict.py) or, when that is shorter, against the body
its URL had before (codec "zlib+base1": zlib with that earlier body as dictionary,
named by base_sha256), so a page edited by one sentence costs about the sentence.

A base is always a body stored alone, so any body reads in two decompressions at most.
A base is not a foreign key: prune re-encodes alone the bodies on a base it deletes
(`rebase`). NEVER change a released codec: add a codec name instead.
"""

from __future__ import annotations

import lzma
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import bodydict
from storage.models import Snapshot, SnapshotBody

# zlib-9 seeded with the site's page furniture (storage/bodydict.py): the fixture
# pages are stored in 16% of their size, against 42% for plain zlib-9 and 44% for
# lzma-9, which spend most of their output re-learning the shared header and footer.
CODEC = "zlib+mofa1"
DELTA = "zlib+base1"
_LZMA_PRESET = 9
_WINDOW = 32 * 1024  # zlib reads no more of a dictionary than its window
_CHUNK = 500


def _zdict(codec: str, base: bytes | None) -> bytes:
    """The preset dictionary of a zlib codec: the furniture, or a delta's base."""
    if codec == CODEC:
        return bodydict.mofa1()
    if base is None:
        raise ValueError(f"codec {DELTA!r} needs its base")
    return base[-_WINDOW:]


def compress(data: bytes, codec: str = CODEC, base: bytes | None = None) -> bytes:
    """The body encoded with the codec whose name is stored next to it; a delta
    (DELTA) needs the raw bytes of its base."""
    if codec in (CODEC, DELTA):
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
    if codec in (CODEC, DELTA):
        decompressor = zlib.decompressobj(zdict=_zdict(codec, base))
        return decompressor.decompress(data) + decompressor.flush()
    if codec == "lzma":
        return lzma.decompress(data)
    if codec == "zlib":
        return zlib.decompress(data)
    if codec == "identity":
        return data
    raise ValueError(f"unknown body codec {codec!r}")


def encode(body: bytes, base: bytes | None) -> tuple[str, bytes]:
    """(codec, data): the body alone, or against `base` when that is shorter."""
    alone = compress(body)
    if base is None:
        return CODEC, alone
    delta = compress(body, DELTA, base)
    return (DELTA, delta) if len(delta) < len(alone) else (CODEC, alone)


def load(session: Session, sha256: str) -> bytes | None:
    """The raw bytes of a stored body (None if there is none)."""
    row = session.get(SnapshotBody, sha256)
    if row is None:
        return None
    base = None
    if row.codec == DELTA:
        base_row = session.get_one(SnapshotBody, row.base_sha256)
        base = decompress(base_row.data, base_row.codec)
    return decompress(row.data, row.codec, base)


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
                "base_sha256": base_sha if codec == DELTA else None,
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
