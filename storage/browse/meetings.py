"""Every meeting readout: the newest version of each document that reports a meeting."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from storage.models import Document, Version
from storage.packed import content_json

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MeetingReadout:
    document_id: int
    url: str
    doc_id: str
    content: Mapping[str, Any]  # the newest version's Document

    @property
    def meeting(self) -> Mapping[str, Any]:
        return self.content.get("meeting") or {}


def meeting_readouts(session: Session) -> list[MeetingReadout]:
    """Each document whose newest version has a meeting, newest date first."""
    stmt = (
        select(Document.id, Document.url, Document.doc_id, Version.content)
        .join(
            Version,
            and_(Version.document_id == Document.id, Version.seq == Document.last_seq),
        )
        .where(content_json(Version.content)["meeting"].as_string().is_not(None))
        .order_by(Document.date.desc().nulls_last(), Document.id.desc())
    )
    return [
        MeetingReadout(doc_id_, url, doc_id, content or {})
        for doc_id_, url, doc_id, content in session.execute(stmt)
    ]
