"""A session for the commands that only show what is stored (changes, status, export).

The schema is checked before the first query, and a database error on the way
becomes a DatabaseUnusableError with one line of reason, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from storage.db import DatabaseUnusableError, mask_url, opened_database, require_schema

logger = logging.getLogger(__name__)


@contextmanager
def reading(url: str) -> Iterator[Session]:
    """A session on the database at `url` for one block; the engine goes after it."""
    require_schema(url)
    with opened_database(url) as factory, factory() as session:
        try:
            yield session
        except (OperationalError, ProgrammingError) as exc:
            reason = str(exc.orig or exc).strip().splitlines()
            raise DatabaseUnusableError(
                f"cannot read database {mask_url(url)}: "
                f"{reason[0] if reason else type(exc).__name__}"
            ) from exc
