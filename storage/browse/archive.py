"""Archive: one database opened once for a long-lived reader (the web view)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from storage.browse.changes import (
    ChangeFilter,
    ChangePage,
    change_page,
    change_sections,
)
from storage.browse.documents import (
    DocumentPage,
    RawSnapshot,
    document_page,
    raw_snapshot,
)
from storage.browse.meetings import MeetingReadout, meeting_readouts
from storage.db import open_database, require_schema

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class Archive:
    """Read-only access to the mofawatch database at `url` (schema checked once)."""

    def __init__(self, url: str) -> None:
        require_schema(url)
        self._factory = open_database(url)

    def read(
        self, query: Callable[Concatenate[Session, P], T], *args: P.args, **kw: P.kwargs
    ) -> T:
        """`query(session, *args, **kw)` in a session of its own, nothing written."""
        with self._factory() as session:
            try:
                return query(session, *args, **kw)
            finally:
                session.rollback()

    def changes(self, wanted: ChangeFilter) -> ChangePage:
        return self.read(change_page, wanted)

    def sections(self) -> list[str]:
        return self.read(change_sections)

    def document(self, document_id: int) -> DocumentPage | None:
        return self.read(document_page, document_id)

    def raw(self, document_id: int, seq: int) -> RawSnapshot | None:
        return self.read(raw_snapshot, document_id, seq)

    def meetings(self) -> list[MeetingReadout]:
        return self.read(meeting_readouts)

    def close(self) -> None:
        engine: Any = self._factory.kw.get("bind")
        if engine is not None:
            engine.dispose()
