"""The text search over titles and bodies: the index migration 0004 keeps."""

from __future__ import annotations

import re

from sqlalchemy import Integer, Select, column, false, select, text
from sqlalchemy.orm import Session

from storage.models import Version

_WORD = re.compile(r"\w+")
_SQLITE = text("SELECT rowid FROM version_search WHERE version_search MATCH :words")
_POSTGRES = text(
    "SELECT version_id FROM version_search "
    "WHERE words @@ plainto_tsquery('simple', :words)"
)


def matching_documents(session: Session, needle: str) -> Select[int]:
    """The ids of documents any version of which has every word of `needle` in its
    title or body (a subquery; nothing when `needle` has no word)."""
    words = _WORD.findall(needle)
    found = select(Version.document_id)
    if not words:
        return found.where(false())
    if session.get_bind().dialect.name == "sqlite":
        # Each word quoted: FTS5 query syntax typed in a search box is no error.
        query = " ".join('"' + word.replace('"', '""') + '"' for word in words)
        versions = _SQLITE.bindparams(words=query)
    else:
        versions = _POSTGRES.bindparams(words=" ".join(words))
    return found.where(Version.id.in_(versions.columns(column("id", Integer))))
