"""Read-side queries: documents by kind, date, section or text; history; work lists."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, String, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Document, Version
from storage.packed import content_json

logger = logging.getLogger(__name__)


def undetected(*columns: Any) -> Select[Any]:
    """`columns` of the versions detect has not compared yet, oldest first: the
    condition and order of their partial index (storage.models.UNDETECTED)."""
    return (
        select(*columns)
        .where(Version.detected_at.is_(None))
        .order_by(Version.created_at, Version.id)
    )


def undiffed_versions(session: Session, limit: int | None = None) -> list[Version]:
    """Versions not yet compared by detect (detected_at IS NULL), oldest first."""
    return list(session.scalars(undetected(Version).limit(limit)))


def versions_of(session: Session, document_id: int) -> list[Version]:
    """Every version of one document, in seq order."""
    stmt = select(Version).where(Version.document_id == document_id)
    return list(session.scalars(stmt.order_by(Version.seq)))


def find_document(session: Session, key: str) -> Document | None:
    """The document with this URL, else the oldest one with this doc_id."""
    found = session.scalars(select(Document).where(Document.url == key)).first()
    if found is not None:
        return found
    stmt = select(Document).where(Document.doc_id == key).order_by(Document.id)
    return session.scalars(stmt).first()


def search_documents(
    session: Session,
    *,
    kinds: Iterable[str] = (),
    since_date: str | None = None,
    section: str | None = None,
    text: str | None = None,
) -> list[Document]:
    """Documents by kind, date (ISO, inclusive), section and text, newest date first."""
    stmt = select(Document)
    kinds = tuple(kinds)
    if kinds:
        stmt = stmt.where(Document.kind.in_(kinds))
    if since_date:
        stmt = stmt.where(Document.date >= since_date)
    if section:
        stmt = stmt.where(func.lower(Document.section) == section.lower())
    if text:
        needle = text.lower()
        in_versions = exists().where(
            Version.document_id == Document.id,
            func.lower(cast(content_json(Version.content), String)).contains(
                needle, autoescape=True
            ),
        )
        stmt = stmt.where(
            or_(
                func.lower(Document.title).contains(needle, autoescape=True),
                in_versions,
            )
        )
    stmt = stmt.order_by(Document.date.desc().nulls_last(), Document.id.desc())
    return list(session.scalars(stmt))
