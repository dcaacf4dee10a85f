"""Shared fixtures: fixture files, databases (SQLite and PostgreSQL), the root
logger kept as it was; the simulated site and loopback servers come as plugins."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.db import mask_url, normalize_url, opened_database, upgrade_database

pytest_plugins = ["tests.sitesim", "tests.servers", "tests.proxy"]

# The processes the tests start (mofawatch, its crawls, the daemon) read and write
# cached bytecode, as an installed mofawatch does, even where the environment says
# not to write it: otherwise each of them compiles mofawatch's modules from source.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

FIXTURES = Path(__file__).parent / "fixtures"

# Files whose tests run for minutes start first, so that with several workers
# (`make test`) one of them is busy with these while the others share out the rest;
# then the files with most tests, as pytest-xdist would order them itself (the
# Makefile turns its own reordering off so that this order holds).
STARTED_FIRST = ("test_daemon_memory.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    per_file = Counter(item.path for item in items)
    items.sort(
        key=lambda item: (item.path.name not in STARTED_FIRST, -per_file[item.path])
    )


def fixture_path(rel: str) -> Path:
    """Absolute path of a file under tests/fixtures."""
    return FIXTURES / rel


def fixture_text(rel: str) -> str:
    return fixture_path(rel).read_text(encoding="utf-8")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    """The root logger's handlers and level as they were before the test.

    The command line's main() points the root logger at the (captured) stderr of
    the moment: a later test must not write to that closed stream."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


# --- databases -------------------------------------------------------------------

POSTGRES_URL_ENV = "MOFAWATCH_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_UNREACHABLE: dict[str, Exception] = {}


def postgres_base_url() -> str:
    """The server the PostgreSQL tests use (each test gets its own database on it)."""
    return normalize_url(os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL)


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _admin_connection(base_url: str) -> psycopg.Connection[Any]:
    """Autocommit connection to the base URL's database, else to 'postgres'."""
    errors = []
    for database in (make_url(base_url).database, "postgres"):
        try:
            return psycopg.connect(
                _libpq(base_url, database), autocommit=True, connect_timeout=3
            )
        except psycopg.OperationalError as exc:
            errors.append(str(exc).strip().splitlines()[0] if str(exc) else repr(exc))
    raise psycopg.OperationalError("; ".join(errors))


def _postgres_unavailable(base_url: str, exc: Exception) -> NoReturn:
    masked = mask_url(base_url)
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL not reachable at {masked} in CI: {exc}")
    pytest.skip(
        f"PostgreSQL not reachable at {masked}; set {POSTGRES_URL_ENV} or start it "
        "to run these tests"
    )


def _admin() -> psycopg.Connection[Any]:
    """An admin connection to the test server; a dead server fails the test in CI
    and skips it elsewhere, and is asked once per session, not per test."""
    base_url = postgres_base_url()
    if base_url in _UNREACHABLE:  # a dead server is asked once per session
        _postgres_unavailable(base_url, _UNREACHABLE[base_url])
    try:
        return _admin_connection(base_url)
    except psycopg.OperationalError as exc:
        _UNREACHABLE[base_url] = exc
        _postgres_unavailable(base_url, exc)


def _url_of(database: str) -> str:
    """The URL of this database on the test server."""
    return (
        make_url(postgres_base_url())
        .set(database=database)
        .render_as_string(hide_password=False)
    )


@contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """Create a database on the test server, empty or a copy of `template`; drop it
    (WITH FORCE) afterwards."""
    name = f"mofawatch_t_{secrets.token_hex(6)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
        try:
            yield _url_of(name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file (not created yet) under tmp_path."""
    return f"sqlite:///{tmp_path / 'mofawatch.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (skips locally when the server is down)."""
    with fresh_postgres_database() as url:
        yield url


class MigratedTemplates:
    """One database of each kind per test session, brought to the newest schema by
    `alembic upgrade head`; a test that wants that schema gets a copy of it, which
    costs a file copy or a CREATE DATABASE ... TEMPLATE instead of every migration.
    The PostgreSQL template is dropped when the session ends (`close`)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: Path | None = None
        self._postgres: str | None = None
        self._held = ExitStack()

    def sqlite_copy(self, target: Path) -> str:
        if self._sqlite is None:
            template = self._folder / "template.db"
            upgrade_database(f"sqlite:///{template}")
            with closing(sqlite3.connect(template)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the file
            self._sqlite = template
        shutil.copyfile(self._sqlite, target)
        return f"sqlite:///{target}"

    @contextmanager
    def postgres_copy(self) -> Iterator[str]:
        if self._postgres is None:
            url = self._held.enter_context(fresh_postgres_database())
            upgrade_database(url)
            self._postgres = make_url(url).database
        with fresh_postgres_database(template=self._postgres) as url:
            yield url

    def close(self) -> None:
        self._held.close()


@pytest.fixture(scope="session")
def migrated_templates(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.close()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    migrated_templates: MigratedTemplates,
) -> Iterator[str]:
    """A database of each kind: a SQLite file, a fresh PostgreSQL database. It is
    empty, unless the test asks for `session_factory`: then it has the newest schema
    already (a copy of a database migrated once for the session)."""
    migrated = "session_factory" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "mofawatch.db"
        yield migrated_templates.sqlite_copy(path) if migrated else f"sqlite:///{path}"
        return
    if migrated:
        with migrated_templates.postgres_copy() as url:
            yield url
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def session_factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on db_url with the schema built by `alembic upgrade head` (once for
    the session, in the template db_url was copied from; asked again here, it finds
    nothing to do)."""
    with opened_database(db_url, upgrade=True) as factory:
        yield factory
