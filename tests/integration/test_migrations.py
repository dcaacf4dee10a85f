"""The Alembic migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect

from storage.db import (
    current_revision,
    downgrade_database,
    head_revision,
    make_engine,
    upgrade_database,
)
from storage.models import (
    SCHEDULER_JOBS_TABLE,
    SEARCH_INDEX,
    SEARCH_TABLE,
    UNMANAGED_TABLES,
    Base,
    is_managed_object,
)


def _differences(url):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "include_object": is_managed_object},
            )
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db_url):
    upgrade_database(db_url)
    assert _differences(db_url) == []


def test_scheduler_job_table_is_not_taken_for_schema_drift(db_url):
    upgrade_database(db_url)
    engine = make_engine(db_url)
    try:
        jobs = Table(SCHEDULER_JOBS_TABLE, MetaData(), Column("id", Integer))
        jobs.create(engine)
    finally:
        engine.dispose()
    assert _differences(db_url) == []
    upgrade_database(db_url)
    assert SCHEDULER_JOBS_TABLE in _tables(db_url)


def _indexes(url, table):
    engine = make_engine(url)
    try:
        return {index["name"] for index in inspect(engine).get_indexes(table)}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trip(db_url):
    upgrade_database(db_url)
    assert current_revision(db_url) == head_revision()
    if db_url.startswith("sqlite"):
        assert SEARCH_TABLE in _tables(db_url)
    else:  # PostgreSQL's text index is an index on the versions (0014)
        assert SEARCH_TABLE not in _tables(db_url)
        assert SEARCH_INDEX in _indexes(db_url, "versions")
    assert _tables(db_url) - UNMANAGED_TABLES == set(Base.metadata.tables)
    downgrade_database(db_url, "base")
    assert current_revision(db_url) is None
    assert _tables(db_url) == set()
    upgrade_database(db_url)
    assert current_revision(db_url) == head_revision()
    assert _differences(db_url) == []


def test_upgrade_is_idempotent(db_url):
    upgrade_database(db_url)
    upgrade_database(db_url)
    assert current_revision(db_url) == head_revision()


def test_sqlite_database_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    upgrade_database(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert timeout is not None
            assert timeout >= 5000
    finally:
        engine.dispose()


def test_every_migration_file_is_packaged_and_date_prefixed():
    root = Path(__file__).resolve().parents[2]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["storage"]
    migrations = root / "storage" / "migrations"
    files = [
        p.relative_to(root / "storage").as_posix()
        for p in migrations.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert files
    for name in files:
        assert any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns), name
    versions = sorted(p.name for p in (migrations / "versions").glob("*.py"))
    assert versions
    assert all(re.match(r"^\d{8}_\w+\.py$", name) for name in versions), versions


def test_alerts_queued_before_0003_keep_going_to_every_recipient(db_url):
    from datetime import UTC, datetime

    from sqlalchemy import text

    from storage.db import opened_database
    from storage.outbox import undelivered_recipients

    upgrade_database(db_url)
    downgrade_database(db_url, "0002")
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO alerts (channel, mode, status, attempts, "
                    "created_at, next_attempt_at) "
                    "VALUES ('desk', 'immediate', 'failed', 1, :t, :t)"
                ),
                {"t": datetime(2026, 12, 1, tzinfo=UTC)},
            )
    finally:
        engine.dispose()
    with opened_database(db_url, upgrade=True) as factory, factory() as session:
        assert undelivered_recipients(session, [1]) is None
