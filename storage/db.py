"""Engines, sessions and schema upgrades for SQLite (WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import enum
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from storage import revisions
from storage.packed import register_sqlite_functions
from storage.searchtext import register_sqlite_function as register_search_text

logger = logging.getLogger(__name__)
# Alembic logs one INFO line per autogenerate plugin on every upgrade: noise for users.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

MIGRATIONS_DIR = revisions.MIGRATIONS_DIR
VERSION_TABLE = "alembic_version"  # Alembic's own name for the table of the revision
SQLITE_BUSY_TIMEOUT_MS = 30_000

# The handles the rest of the product holds: a factory of units of work, and the
# session one of them yields (passed back to storage's named queries, never queried).
SessionFactory: TypeAlias = sessionmaker[Session]
DbSession: TypeAlias = Session


class StorageError(Exception):
    """Base of the storage package's errors."""


class DatabaseUnreachableError(StorageError):
    """The database cannot be opened; the message names the URL, password masked."""


class DatabaseUnusableError(DatabaseUnreachableError):
    """The database answers but cannot serve: no schema, or one this code cannot use."""


# The password runs to the LAST "@": users paste passwords with a raw #, ?, / or @ where
# a strict URL parser would end the password and show the rest. A URL without a password
# but with a port and an "@" in its query is masked too far; never too little.
_PASSWORD = re.compile(
    r"^(?P<head>[a-zA-Z][\w+.-]*://[^:/?#@]*:)(?P<pw>.*)@", re.DOTALL
)


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***."""
    return _PASSWORD.sub(lambda m: f"{m.group('head')}***@", url, count=1)


def normalize_url(url: str) -> str:
    """Rewrite postgres:// and postgresql:// to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return normalize_url(url).startswith("sqlite")


def _sqlite_file(url: URL) -> str | None:
    """The SQLite database file a URL names; None when it is in memory."""
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in str(url.query.get("mode", "")):
        return None
    if database.startswith("file:") and database[5:].startswith(":memory:"):
        return None
    return database


def require_persistent_url(url: str) -> str:
    """The URL, a relative SQLite path made absolute (it means the working folder).

    Refuses what cannot keep an archive between two commands: an in-memory SQLite
    database, or something that is not a database URL at all.
    """
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError as exc:
        raise DatabaseUnreachableError(
            f"not a database URL: {mask_url(url)} (use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/DB)"
        ) from exc
    if not parsed.get_backend_name().startswith("sqlite"):
        return url
    database = _sqlite_file(parsed)
    if database is None:
        raise DatabaseUnreachableError(
            f"{mask_url(url)} is an in-memory database, gone when the command ends: "
            "use a file (sqlite:///mofawatch.db) or PostgreSQL"
        )
    if database.startswith("file:") or os.path.isabs(database):
        return url
    absolute = parsed.set(database=os.path.abspath(database))
    return absolute.render_as_string(hide_password=False)


def require_writable(url: str) -> None:
    """A SQLite file (or the folder it would be created in) that we may write."""
    parsed = make_url(normalize_url(url))
    database = _sqlite_file(parsed) if is_sqlite(url) else None
    if database is None or database.startswith("file:"):
        return
    path = Path(database)
    folder = path.parent
    if not folder.is_dir():
        problem = f"the folder {folder} does not exist"
    elif path.exists() and not os.access(path, os.R_OK | os.W_OK):
        problem = f"{path} is not writable"
    elif not os.access(folder, os.W_OK | os.X_OK):
        problem = f"the folder {folder} is not writable (SQLite writes beside the file)"
    else:
        return
    raise DatabaseUnreachableError(f"cannot use database {mask_url(url)}: {problem}")


def _in_memory(url: str) -> bool:
    try:
        return _sqlite_file(make_url(normalize_url(url))) is None
    except ArgumentError:
        return False  # make_engine names the bad URL


def _json_dumps(value: Any) -> str:
    # Keep Japanese text readable (and searchable with LIKE) inside JSON columns, and
    # no spaces: PostgreSQL stores a JSON column's text as it is given.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """Engine for the URL; SQLite: WAL, busy timeout, foreign keys, BEGIN IMMEDIATE."""
    url = normalize_url(url)
    try:
        if make_url(url).get_backend_name() not in ("sqlite", "postgresql"):
            raise ArgumentError("only SQLite and PostgreSQL are supported")
        if not is_sqlite(url):
            return create_engine(url, json_serializer=_json_dumps, pool_pre_ping=True)
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseUnreachableError(
            f"cannot reach database {mask_url(url)}: not a supported database URL "
            "(use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)"
        ) from exc
    _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own BEGIN is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.close()
        register_sqlite_functions(dbapi_connection)
        register_search_text(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads and then
        # writes fails at once under WAL when another writer got in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit if the block finishes, roll back if it raises."""
    with factory() as session, session.begin():
        yield session


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnreachableError unless a trivial query succeeds."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise DatabaseUnreachableError(_unreachable(engine.url, exc)) from exc


def _unreachable(url: URL, exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = reason[0] if reason else type(exc).__name__
    # Drivers do not echo the password today; make sure they never do.
    for secret in _password_parts(url):
        first = first.replace(secret, "***")
    shown = mask_url(url.render_as_string(hide_password=False))
    return f"cannot reach database {shown}: {first}"


def _password_parts(url: URL) -> list[str]:
    parts = [str(url.password)] if url.password else []
    if url.host and "@" in url.host:  # a raw @ in the password: its tail read as host
        parts.append(url.host.rsplit("@", 1)[0])
    return parts


# One engine per database URL for the life of the process. Each engine has a dialect
# of its own, and the ORM's per-mapper statement caches are keyed by dialect: an
# engine made anew for every daemon cycle left a dialect, its type memos and a set of
# compiled statements behind in every mapper cache, up to their LRU limit (tens of
# MiB). Closing an opened database disposes the engine's pool (its connections), not
# the engine. The mapping is bounded for processes that open many databases (tests).
_ENGINES: OrderedDict[str, Engine] = OrderedDict()
_ENGINES_KEPT = 8
_ENGINES_LOCK = threading.Lock()


def _shared_engine(url: str) -> Engine:
    if is_sqlite(url) and _in_memory(url):
        return make_engine(url)  # each engine its own in-memory database
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = make_engine(url)
            while len(_ENGINES) > _ENGINES_KEPT:
                _ENGINES.popitem(last=False)
        _ENGINES.move_to_end(url)
        return engine


def open_database(url: str) -> sessionmaker[Session]:
    """Engine (the process's one for this URL), connectivity check and session
    factory for the URL."""
    engine = _shared_engine(url)
    try:
        check_connection(engine)
    except DatabaseUnreachableError:
        engine.dispose()
        raise
    return make_session_factory(engine)


@contextmanager
def opened_database(
    url: str, *, upgrade: bool = False
) -> Iterator[sessionmaker[Session]]:
    """open_database (after upgrade_database when asked) for one block; the engine
    and its connections are disposed when the block ends."""
    if upgrade:
        upgrade_database(url)
    factory = open_database(url)
    try:
        yield factory
    finally:
        close_database(factory)


def close_database(factory: sessionmaker[Session]) -> None:
    """Dispose of the factory's engine: its pooled connections are closed."""
    engine = factory.kw.get("bind")
    if engine is not None:
        engine.dispose()


def alembic_config(url: str) -> Any:
    """An Alembic Config pointing at the packaged migrations, for this URL."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
    )
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def current_revision(url: str) -> str | None:
    """The schema revision of the database (None when it has no schema yet)."""
    engine = make_engine(url)
    try:
        check_connection(engine)
        with engine.connect() as connection:
            if not inspect(connection).has_table(VERSION_TABLE):
                return None
            rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            return next((str(row[0]) for row in rows), None)
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision shipped with this package."""
    return revisions.head()


def upgrade_database(url: str) -> None:
    """Create or upgrade the schema to the newest revision (alembic upgrade head)."""
    from alembic import command

    engine = make_engine(url, foreign_keys=False)
    try:
        check_connection(engine)
        require_schema(url, upgradable=True)
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def downgrade_database(url: str, revision: str = "base") -> None:
    """Downgrade the schema (used by tests and by operators rolling back)."""
    from alembic import command

    engine = make_engine(url, foreign_keys=False)
    try:
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


class SchemaState(enum.StrEnum):
    """Where a database's schema stands against the revisions shipped here."""

    MISSING = "missing"  # no schema yet (or no SQLite file at all)
    OLDER = "older"  # a revision `upgrade_database` can bring up to date
    CURRENT = "current"
    UNKNOWN = "unknown"  # a revision we do not ship: written by a newer mofawatch


def schema_state(url: str) -> tuple[SchemaState, str | None]:
    """The state of the database's schema and its revision; creates nothing."""
    if _sqlite_file_missing(url):
        return SchemaState.MISSING, None
    revision = current_revision(url)
    if revision is None:
        return SchemaState.MISSING, None
    if revision == revisions.head():
        return SchemaState.CURRENT, revision
    known = revisions.shipped_revisions()
    return (SchemaState.OLDER if revision in known else SchemaState.UNKNOWN), revision


def require_schema(url: str, *, upgradable: bool = False) -> None:
    """Raise DatabaseUnusableError unless the schema is current (or, with
    `upgradable`, one that upgrade_database can create or bring up to date)."""
    state, revision = schema_state(url)
    where = f"database {mask_url(url)}"
    if state == SchemaState.UNKNOWN:
        raise DatabaseUnusableError(
            f"{where} has schema revision {revision}, which this version of "
            "mofawatch does not know (a newer mofawatch wrote it): upgrade "
            "mofawatch, or use another database"
        )
    if upgradable or state == SchemaState.CURRENT:
        return
    if state == SchemaState.MISSING:
        raise DatabaseUnusableError(
            f"{where} has no mofawatch schema: run `mofawatch init` first"
        )
    raise DatabaseUnusableError(
        f"{where} has the older schema revision {revision}: run `mofawatch init` "
        "to upgrade it"
    )


def _sqlite_file_missing(url: str) -> bool:
    # Connecting would create the file: a command that only reads must not leave
    # an empty database behind in the user's folder.
    if not is_sqlite(url):
        return False
    try:
        database = make_url(normalize_url(url)).database
    except ArgumentError:
        return False  # make_engine names the bad URL
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    return not Path(database).exists()
