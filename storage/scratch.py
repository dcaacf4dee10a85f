"""A throw-away view of the database for a dry run: everything written is discarded.

SQLite: a consistent copy of the file (sqlite3 backup API) in a temporary folder.
PostgreSQL: one outer transaction on one connection, rolled back at the end.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.db import is_sqlite, make_engine, opened_database

logger = logging.getLogger(__name__)


@contextmanager
def scratch_database(url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory whose writes never reach the database at `url`."""
    if is_sqlite(url):
        with _sqlite_copy(url) as factory:
            yield factory
    else:
        with _rolled_back(url) as factory:
            yield factory


@contextmanager
def _sqlite_copy(url: str) -> Iterator[sessionmaker[Session]]:
    source = make_url(url).database
    with tempfile.TemporaryDirectory(prefix="mofawatch-dry-run-") as folder:
        copy = Path(folder) / "scratch.db"
        if source and source != ":memory:" and Path(source).is_file():
            # Read-only URI: a dry run must not even create -wal/-shm files there.
            src = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
            dst = sqlite3.connect(copy)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        with opened_database(f"sqlite:///{copy}", upgrade=True) as factory:
            yield factory


@contextmanager
def _rolled_back(url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            outer = connection.begin()
            # Each unit of work commits a SAVEPOINT inside the outer transaction.
            factory = sessionmaker(
                bind=connection,
                expire_on_commit=False,
                join_transaction_mode="create_savepoint",
            )
            try:
                yield factory
            finally:
                outer.rollback()
                logger.debug("dry run: rolled back every write")
    finally:
        engine.dispose()
