"""Shared fixtures: fixture files, databases (SQLite and PostgreSQL), the root
logger kept as it was; the simulated site and loopback servers come as plugins."""

from __future__ import annotations

import logging
import os
import secrets
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.db import mask_url, normalize_url, opened_database

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


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database on the test server; drop it (WITH FORCE) afterwards."""
    base_url = postgres_base_url()
    if base_url in _UNREACHABLE:  # ask a dead server once per session, not per test
        _postgres_unavailable(base_url, _UNREACHABLE[base_url])
    try:
        admin = _admin_connection(base_url)
    except psycopg.OperationalError as exc:
        _UNREACHABLE[base_url] = exc
        _postgres_unavailable(base_url, exc)
    name = f"mofawatch_t_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield (
                make_url(base_url)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
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


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind: a SQLite file, a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mofawatch.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def session_factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on db_url with the schema built by `alembic upgrade head`."""
    with opened_database(db_url, upgrade=True) as factory:
        yield factory
