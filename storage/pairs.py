"""Japanese-English pairs: which documents are unpaired, the pairs, their state.

Every query of the `pairs` table lives here; the judgement of what makes a pair
(and whether its versions disagree) is monitor.detect.pairs.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from storage.models import Change, Document, Pair, PairMethod, Version
from storage.vocabulary import ChangeKind, SilentReason

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PairRow:
    """One stored pair with both documents as the pairs command shows them."""

    id: int
    method: str
    created_at: datetime
    lag_days: int | None
    japanese_id: int
    japanese_url: str
    japanese_title: str | None
    english_id: int
    english_url: str
    english_title: str | None
    date: str | None
    discrepancy: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `pairs --json` (keys are part of the contract)."""
        return {
            "method": self.method,
            "paired_at": self.created_at.isoformat(),
            "lag_days": self.lag_days,
            "date": self.date,
            "japanese": {"url": self.japanese_url, "title": self.japanese_title},
            "english": {"url": self.english_url, "title": self.english_title},
            "discrepancy": list(self.discrepancy),
        }


@dataclass(frozen=True, slots=True)
class Unpaired:
    """A Japanese document without an English page yet."""

    url: str
    title: str | None
    date: str | None
    first_seen_at: datetime

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "first_seen_at": self.first_seen_at.isoformat(),
            "age_days": (now - self.first_seen_at).days,
        }


@dataclass(frozen=True, slots=True)
class Counterpart:
    """The other language's document of a paired document."""

    url: str
    title: str | None
    language: str
    method: str


def paired_ids() -> Any:
    """The ids of every document in a pair (a subquery)."""
    return select(Pair.japanese_id).union(select(Pair.english_id))


def add_pair(
    session: Session,
    *,
    japanese_id: int,
    english_id: int,
    method: PairMethod,
    lag_days: int | None,
    now: datetime,
) -> Pair:
    pair = Pair(
        japanese_id=japanese_id,
        english_id=english_id,
        method=method,
        lag_days=lag_days,
        created_at=now,
        discrepancy=[],
    )
    session.add(pair)
    session.flush()
    return pair


@dataclass(frozen=True, slots=True)
class PairContents:
    """A stored pair with the newest content of both documents."""

    pair: Pair
    japanese: dict[str, Any]
    english: dict[str, Any]
    english_version_id: int


def detected_since(since: datetime) -> Any:
    """The ids of the documents with a version detected since then (a subquery)."""
    return select(Version.document_id).where(Version.detected_at >= since)


def pair_contents(session: Session, fresh_since: datetime) -> list[PairContents]:
    """The pairs made since `fresh_since` or with a document that has a version
    detected since then, with both documents' newest content (for the discrepancy
    check: a pair's verdict changes only with its contents)."""
    ja_doc, en_doc = aliased(Document), aliased(Document)
    ja_ver, en_ver = aliased(Version), aliased(Version)
    stmt = (
        select(Pair, ja_ver.content, en_ver.content, en_ver.id)
        .join(ja_doc, ja_doc.id == Pair.japanese_id)
        .join(en_doc, en_doc.id == Pair.english_id)
        .join(
            ja_ver,
            and_(ja_ver.document_id == ja_doc.id, ja_ver.seq == ja_doc.last_seq),
        )
        .join(
            en_ver,
            and_(en_ver.document_id == en_doc.id, en_ver.seq == en_doc.last_seq),
        )
        .where(
            or_(
                Pair.created_at >= fresh_since,
                Pair.japanese_id.in_(detected_since(fresh_since)),
                Pair.english_id.in_(detected_since(fresh_since)),
            )
        )
        .order_by(Pair.id)
    )
    return [
        PairContents(pair, dict(ja or {}), dict(en or {}), version_id)
        for pair, ja, en, version_id in session.execute(stmt)
    ]


def set_discrepancy(
    pair: Pair, discrepancy: Iterable[dict[str, Any]], now: datetime
) -> None:
    """Remember the disagreement now announced (empty: resolved or none)."""
    pair.discrepancy = list(discrepancy)
    pair.discrepancy_at = now


def list_pairs(session: Session, *, discrepancies_only: bool = False) -> list[PairRow]:
    """Stored pairs, newest Japanese date first; only open discrepancies if asked."""
    ja_doc, en_doc = aliased(Document), aliased(Document)
    stmt = (
        select(Pair, ja_doc, en_doc)
        .join(ja_doc, ja_doc.id == Pair.japanese_id)
        .join(en_doc, en_doc.id == Pair.english_id)
        .order_by(ja_doc.date.desc(), Pair.id)
    )
    rows = []
    for pair, ja, en in session.execute(stmt):
        if discrepancies_only and not pair.discrepancy:
            continue
        rows.append(
            PairRow(
                id=pair.id,
                method=pair.method.value,
                created_at=pair.created_at,
                lag_days=pair.lag_days,
                japanese_id=ja.id,
                japanese_url=ja.url,
                japanese_title=ja.title,
                english_id=en.id,
                english_url=en.url,
                english_title=en.title,
                date=ja.date or en.date,
                discrepancy=tuple(pair.discrepancy or ()),
            )
        )
    return rows


def missing_english(session: Session) -> list[Unpaired]:
    """Japanese documents with no English counterpart yet, oldest first."""
    stmt = (
        select(Document.url, Document.title, Document.date, Document.first_seen_at)
        .where(Document.language == "ja", Document.id.not_in(paired_ids()))
        .order_by(Document.first_seen_at, Document.id)
    )
    return [Unpaired(*row) for row in session.execute(stmt)]


def counterpart_of(session: Session, document_id: int) -> Counterpart | None:
    """The other language's document of a paired document, or None."""
    pair = session.scalars(
        select(Pair).where(
            or_(Pair.japanese_id == document_id, Pair.english_id == document_id)
        )
    ).first()
    if pair is None:
        return None
    other_id = pair.english_id if pair.japanese_id == document_id else pair.japanese_id
    other = session.get(Document, other_id)
    if other is None:
        return None
    return Counterpart(other.url, other.title, other.language, pair.method.value)


def median_lag_days(session: Session, since: datetime) -> float | None:
    """Median days from a Japanese page to its English one, over pairs since then."""
    stmt = select(Pair.lag_days).where(
        Pair.created_at >= since, Pair.lag_days.is_not(None)
    )
    lags = [int(lag) for lag in session.scalars(stmt) if lag is not None]
    return float(statistics.median(lags)) if lags else None


def pair_changes(session: Session, document_id: int) -> list[Change]:
    """The translated and discrepancy changes recorded on a document, in order."""
    stmt = (
        select(Change)
        .where(
            Change.document_id == document_id,
            Change.kind.in_((ChangeKind.TRANSLATED, ChangeKind.DISCREPANCY)),
        )
        .order_by(Change.id)
    )
    return list(session.scalars(stmt))


def record_pair_change(
    session: Session,
    *,
    document_id: int,
    version_id: int,
    kind: ChangeKind,
    diff: list[dict[str, Any]],
    silent: bool,
    now: datetime,
) -> int:
    """Store a translated or discrepancy change of a pair's English document."""
    change = Change(
        document_id=document_id,
        kind=kind,
        from_version_id=None,
        to_version_id=version_id,
        diff=diff,
        is_silent=silent,
        reason=SilentReason.BASELINE.value if silent else None,
        detected_at=now,
    )
    session.add(change)
    session.flush()
    return change.id


def version_content(session: Session, version_id: int) -> dict[str, Any]:
    """The Document JSON of one stored version ({} when it is gone)."""
    version = session.get(Version, version_id)
    return dict(version.content) if version is not None else {}


def counterpart_by_url(session: Session, url: str) -> Counterpart | None:
    """counterpart_of for the document at `url` (None when unknown or unpaired)."""
    document_id = session.scalar(select(Document.id).where(Document.url == url))
    return None if document_id is None else counterpart_of(session, document_id)


def all_counterparts(session: Session) -> dict[int, Counterpart]:
    """document id -> the other version, for every paired document (one query)."""
    ja_doc, en_doc = aliased(Document), aliased(Document)
    stmt = (
        select(Pair.method, ja_doc, en_doc)
        .join(ja_doc, ja_doc.id == Pair.japanese_id)
        .join(en_doc, en_doc.id == Pair.english_id)
    )
    found: dict[int, Counterpart] = {}
    for method, ja, en in session.execute(stmt):
        found[ja.id] = Counterpart(en.url, en.title, en.language, method.value)
        found[en.id] = Counterpart(ja.url, ja.title, ja.language, method.value)
    return found
