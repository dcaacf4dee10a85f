"""The tables of mofawatch (DESIGN.md "Storage"). Times are UTC and timezone-aware."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from storage import zstd_dicts
from storage.packed import PackedJSON
from storage.vocabulary import AlertStatus as AlertStatus
from storage.vocabulary import ChangeKind as ChangeKind
from storage.vocabulary import DocumentState as DocumentState
from storage.vocabulary import ExtractionPath as ExtractionPath
from storage.vocabulary import PairMethod as PairMethod
from storage.vocabulary import RunStatus as RunStatus
from storage.vocabulary import SectionState as SectionState

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def sqlite_micros(value: datetime) -> int:
    """How SQLite stores a datetime: microseconds since 1970 UTC (8 bytes, against
    26 for its text), so values sort and compare as numbers."""
    if value.tzinfo is None:  # naive values are taken to be UTC already
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICROSECOND


def from_sqlite_micros(value: int) -> datetime:
    return _EPOCH + value * _MICROSECOND


class _SQLiteMicros(sqlite.DATETIME):
    """SQLite's DATETIME column holding what UTCDateTime gives it, unconverted."""

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend; SQLite keeps them as integers
    (`sqlite_micros`)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _SQLiteMicros()  # type: ignore[no-untyped-call]
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return sqlite_micros(value)
        if value.tzinfo is None:  # naive values are taken to be UTC already
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, int):
            return from_sqlite_micros(value)
        if isinstance(value, str):  # SQLite text written before 0011
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Digest(TypeDecorator[str]):
    """A SHA-256 as 64 hex digits in Python, its 32 bytes in the database: half the
    row and the index. SQLite keeps them as a BLOB in the TEXT column (migration
    0011), PostgreSQL in a bytea column (migration 0015)."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(LargeBinary())
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else bytes.fromhex(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if isinstance(value, bytes):
            return value.hex()
        return None if value is None else str(value)


# Snapshots of monthly archive pages (YYYYMM_index.html, pc_YYYYMM_index.html, the
# era form R5_3_index.html) that answered with content or a 304. The partial index
# and the plan's query (storage/index_pages.py) must say it in the same words: a
# partial index serves a query only when the query repeats its condition.
ARCHIVE_ANSWERS = r"url LIKE '%\_index.html' ESCAPE '\' AND status IN (200, 304)"

# Versions not compared by detect yet, the condition of their partial index.
UNDETECTED = "detected_at IS NULL"
# Versions stored against their keyframe (SQLite only), the condition of theirs: the
# documents a search checks word by word (storage/browse/search.py).
STORED_AGAINST_BASE = "base_version_id IS NOT NULL"

# Tables in the mofawatch database that other libraries own (the daemon's APScheduler
# job store): Alembic must neither create nor drop them.
SCHEDULER_JOBS_TABLE = "apscheduler_jobs"
# The text index of versions is not the ORM's. On SQLite it is an FTS5 table kept by
# triggers (migrations 0004, 0010), with shadow tables of its own; on PostgreSQL a GIN
# index on the words of each version's title and body (migration 0014), which a query
# uses only when it computes them in the same words, PG_SEARCH_WORDS.
SEARCH_TABLE = "version_search"
SEARCH_INDEX = "ix_versions_search_words"
PG_SEARCH_WORDS = (
    "to_tsvector('simple', coalesce(content->>'title', '') || ' ' || "
    "coalesce((content->'body')::text, ''))"
)
_FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")
UNMANAGED_TABLES = frozenset(
    {
        SCHEDULER_JOBS_TABLE,
        SEARCH_TABLE,
        *(f"{SEARCH_TABLE}_{s}" for s in _FTS5_SHADOWS),
    }
)


def is_managed_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic include_object hook: leave tables and indexes we do not own alone."""
    if type_ == "index":
        return name != SEARCH_INDEX
    return not (type_ == "table" and name in UNMANAGED_TABLES)


class Base(DeclarativeBase):
    """Declarative base; naming convention keeps Alembic batch mode deterministic."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


Base.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[enum.Enum]) -> SAEnum:
    # Plain strings, no native PG enum: adding a value needs no migration dance.
    return SAEnum(
        cls,
        native_enum=False,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Document(Base):
    """One page of the site (keyed by canonical URL) and where it stands now."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(512), unique=True)
    doc_id: Mapped[str] = mapped_column(String(128), index=True)
    # kind and language are not indexed: each value is shared by thousands of
    # documents (migration 0016).
    kind: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    section: Mapped[str | None] = mapped_column(String(256), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(10), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)  # newest: silence
    last_seen_at: Mapped[datetime]
    last_fetched_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[DocumentState] = mapped_column(
        _enum(DocumentState), default=DocumentState.LIVE
    )
    state_since: Mapped[datetime | None]
    missing_count: Mapped[int] = mapped_column(Integer, default=0)
    is_placeholder: Mapped[bool] = mapped_column(default=False)
    # Newest version's seq and hash, so an unchanged re-fetch is one indexed lookup.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    content_sha256: Mapped[str | None] = mapped_column(Digest())
    # When the next revisit is due (crawler.revisit.next_due); None: fetched since the
    # plan last scheduled it, to be scheduled again (storage/frontier.py).
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)

    versions: Mapped[list[Version]] = relationship(
        back_populates="document", order_by="Version.seq"
    )


class SnapshotBody(Base):
    """A distinct response body, stored once and compressed (storage/bodies.py)."""

    __tablename__ = "snapshot_bodies"
    # On SQLite the table is the digest's B-tree itself: no second copy of every
    # digest in a primary-key index (migration 0017).
    __table_args__ = ({"sqlite_with_rowid": False},)

    sha256: Mapped[str] = mapped_column(Digest(), primary_key=True)
    codec: Mapped[str] = mapped_column(String(16))
    raw_size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The body stored alone that a delta (storage/bodies.py) is against, else None.
    base_sha256: Mapped[str | None] = mapped_column(Digest())
    # The version whose Document a body stored against one is compressed with.
    base_version_id: Mapped[int | None] = mapped_column(Integer)


class Snapshot(Base):
    """One HTTP response as fetched (or replayed), with its validators."""

    __tablename__ = "snapshots"
    __table_args__ = (
        Index("ix_snapshots_url_fetched_at", "url", "fetched_at"),
        # Only the answered monthly archives: the crawl plan asks for these each
        # cycle, and they are a few hundred rows however large the archive grows.
        Index(
            "ix_snapshots_archive_answers",
            "url",
            "fetched_at",
            sqlite_where=text(ARCHIVE_ANSWERS),
            postgresql_where=text(ARCHIVE_ANSWERS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(512))
    final_url: Mapped[str | None] = mapped_column(String(512))  # None: url answered
    fetched_at: Mapped[datetime]
    status: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(256))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    charset: Mapped[str | None] = mapped_column(String(32))
    content_type: Mapped[str | None] = mapped_column(String(128))
    body_sha256: Mapped[str | None] = mapped_column(
        Digest(), ForeignKey("snapshot_bodies.sha256"), index=True
    )
    source: Mapped[str] = mapped_column(String(16), default="crawl")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    extract_error: Mapped[str | None] = mapped_column(Text)
    # How the extractor found the content (landmarks or structure); a 304 keeps the
    # path of the content it confirms. None when nothing was extracted (index pages,
    # other answers without content, unrecognizable pages).
    extraction_path: Mapped[ExtractionPath | None] = mapped_column(
        _enum(ExtractionPath)
    )


class Version(Base):
    """A distinct normalized content of a document, in order of appearance."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("document_id", "seq"),
        # The feed: newest captured first, a page at a time (keyset).
        Index("ix_versions_created_at_id", "created_at", "id"),
        # Versions detect has not compared yet, oldest first: a handful of rows
        # whatever the archive's size (storage.queries.undetected asks for them).
        Index(
            "ix_versions_undetected",
            "created_at",
            "id",
            sqlite_where=text(UNDETECTED),
            postgresql_where=text(UNDETECTED),
        ),
        # Documents with a version stored against their keyframe: the few a text
        # search has to check a word at a time (storage/browse/search.py).
        Index(
            "ix_versions_stored_against_base",
            "document_id",
            sqlite_where=text(STORED_AGAINST_BASE),
            postgresql_where=text(STORED_AGAINST_BASE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by document through the unique (document_id, seq), never by hash.
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(Digest())
    # Compressed on SQLite (storage/packed.py), alone or against the version named
    # by base_version_id (storage/keyframes.py); SQL reads it through content_json.
    content: Mapped[dict[str, Any]] = mapped_column(PackedJSON(base="base_version_id"))
    # The version stored alone that content is stored against, else None. Not a
    # foreign key: a version is rebased before its base changes (keyframes.rebase).
    base_version_id: Mapped[int | None] = mapped_column(Integer)
    extractor_version: Mapped[str] = mapped_column(String(32))
    snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("snapshots.id"), index=True
    )
    created_at: Mapped[datetime]
    detected_at: Mapped[datetime | None]  # None: not compared yet (UNDETECTED)

    document: Mapped[Document] = relationship(back_populates="versions")


class ContentDictionary(Base):
    """A zstd dictionary trained on this archive (storage/trained.py): of its
    versions' Documents (kind "versions", SQLite) or of its pages (kind "pages").
    Values packed with one name it by id (storage/zstd_dicts.py)."""

    __tablename__ = zstd_dicts.TABLE

    # 31 bits of the dictionary's SHA-256 (storage.zstd_dicts.dictionary_id).
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    samples: Mapped[int] = mapped_column(Integer)  # versions it was trained on
    created_at: Mapped[datetime]
    # What was stored before it is packed with it a part at a time: the versions
    # with an id up to trained_through, those up to repacked_through done.
    trained_through: Mapped[int] = mapped_column(Integer)
    repacked_through: Mapped[int] = mapped_column(Integer, default=0)


class Change(Base):
    """What happened to a document between two versions (or to its presence)."""

    __tablename__ = "changes"
    # The web view's Changes page: newest first, all kinds or one (keyset pages).
    __table_args__ = (
        Index("ix_changes_detected_at_id", "detected_at", "id"),
        Index("ix_changes_kind_detected_at_id", "kind", "detected_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(_enum(ChangeKind))
    from_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    to_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id"), index=True
    )
    # Compressed on every backend: read whole, never looked into by SQL. On SQLite
    # it may be stored against the JSON text of its to_version (storage/keyframes.py).
    diff: Mapped[list[dict[str, Any]]] = mapped_column(
        PackedJSON(everywhere=True, base="to_version_id", base_in="versions.content"),
        default=list,
    )
    is_silent: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(String(64))
    detected_at: Mapped[datetime]  # indexed with id (the Changes page's keyset)


class OpsEvent(Base):
    """An ops condition starting or ending (blocked, failing, drift, silence)."""

    __tablename__ = "ops_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(256))
    phase: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)


class OpsCondition(Base):
    """The current state of one operational condition, so each is announced once."""

    __tablename__ = "ops_conditions"
    __table_args__ = (UniqueConstraint("kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(default=False)
    since: Mapped[datetime | None]
    streak: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class Alert(Base):
    """Outbox row: one change or ops event to deliver through one channel."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("change_id", "channel"),
        UniqueConstraint("ops_event_id", "channel"),
        Index("ix_alerts_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"))
    ops_event_id: Mapped[int | None] = mapped_column(ForeignKey("ops_events.id"))
    channel: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16), default="immediate")
    status: Mapped[AlertStatus] = mapped_column(
        _enum(AlertStatus), default=AlertStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    # Recipients an email reached only in part still has to reach (None: all of the
    # channel's recipients).
    undelivered_to: Mapped[list[str] | None] = mapped_column(JSON)


class Run(Base):
    """One cycle (run, daemon tick, replay) with its statistics."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="run")
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[RunStatus] = mapped_column(
        _enum(RunStatus), default=RunStatus.RUNNING
    )
    exit_code: Mapped[int | None] = mapped_column(Integer)
    pid: Mapped[int | None] = mapped_column(Integer)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Baseline(Base):
    """A silent cycle recording what is already published: the first crawl of an
    empty archive, or a --since backfill. Open until a cycle of it completes."""

    __tablename__ = "baselines"

    id: Mapped[int] = mapped_column(primary_key=True)
    since: Mapped[str | None] = mapped_column(String(7))  # None: [site] since
    started_at: Mapped[datetime]
    started_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))


class Section(Base):
    """Health of one configured section (press_releases, japan_us, ...)."""

    __tablename__ = "sections"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[SectionState] = mapped_column(
        _enum(SectionState), default=SectionState.OK
    )
    since: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_ok_at: Mapped[datetime | None]
    last_checked_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class Pair(Base):
    """A Japanese document and its English counterpart, and how the pair was made.

    `discrepancy` holds the disagreement last announced (empty: none open), so an
    unchanged disagreement is announced once and a resolution is noticed.
    """

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    japanese_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    english_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    method: Mapped[PairMethod] = mapped_column(_enum(PairMethod))
    lag_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(index=True)
    discrepancy: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    discrepancy_at: Mapped[datetime | None]
