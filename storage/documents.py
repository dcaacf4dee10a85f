"""Presence bookkeeping of documents: fetched, missing (404/410), present, blocked."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document, DocumentState

logger = logging.getLogger(__name__)

REMOVE_AFTER_MISSING = 2  # a 404/410 must be confirmed on a second cycle


@dataclass(frozen=True, slots=True)
class KnownDocument:
    url: str
    first_seen_at: datetime
    last_fetched_at: datetime | None
    is_placeholder: bool
    state: DocumentState


def known_documents(session: Session) -> list[KnownDocument]:
    """Every document the database knows, for the crawler's revisit schedule."""
    stmt = select(
        Document.url,
        Document.first_seen_at,
        Document.last_fetched_at,
        Document.is_placeholder,
        Document.state,
    ).order_by(Document.id)
    return [KnownDocument(*row) for row in session.execute(stmt)]


def _by_url(session: Session, url: str) -> Document | None:
    return session.scalars(select(Document).where(Document.url == url)).first()


def note_fetched(session: Session, url: str, status: int, now: datetime) -> None:
    """Remember when the URL was last fetched and with what status."""
    document = _by_url(session, url)
    if document is not None:
        document.last_fetched_at = now
        document.last_status = status
        document.next_due_at = None  # the next plan schedules it anew


def note_missing(session: Session, url: str, now: datetime) -> bool:
    """Count a 404/410; True if this one flipped the document to REMOVED."""
    document = _by_url(session, url)
    if document is None:
        return False
    document.missing_count += 1
    if (
        document.state != DocumentState.REMOVED
        and document.missing_count >= REMOVE_AFTER_MISSING
    ):
        document.state = DocumentState.REMOVED
        document.state_since = now
        logger.info("%s removed after %d misses", url, document.missing_count)
        return True
    return False


def note_present(session: Session, url: str, now: datetime) -> bool:
    """A 200/304: reset the miss count; True if a REMOVED document came back."""
    document = _by_url(session, url)
    if document is None:
        return False
    document.missing_count = 0
    document.last_seen_at = max(document.last_seen_at, now)
    if document.state == DocumentState.LIVE:
        return False
    restored = document.state == DocumentState.REMOVED
    document.state = DocumentState.LIVE
    document.state_since = now
    return restored


def note_blocked(session: Session, url: str, now: datetime) -> None:
    """A 403/429: mark a live document BLOCKED; never a removal, never a version."""
    document = _by_url(session, url)
    if document is not None and document.state == DocumentState.LIVE:
        document.state = DocumentState.BLOCKED
        document.state_since = now
