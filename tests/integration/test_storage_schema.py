"""Where a database's schema stands, and the one error for a database that cannot
serve: no schema, or a revision this code does not ship (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import (
    DatabaseUnreachableError,
    DatabaseUnusableError,
    SchemaState,
    head_revision,
    make_engine,
    require_schema,
    schema_state,
    upgrade_database,
)
from storage.reading import reading
from storage.status import status_figures

UNKNOWN = "ffffffffffff"


def _stamp(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision}
            )
    finally:
        engine.dispose()


def test_an_empty_database_has_no_schema_until_it_is_upgraded(db_url):
    assert schema_state(db_url) == (SchemaState.MISSING, None)
    with pytest.raises(DatabaseUnusableError, match="run `mofawatch init`"):
        require_schema(db_url)
    require_schema(db_url, upgradable=True)
    upgrade_database(db_url)
    assert schema_state(db_url) == (SchemaState.CURRENT, head_revision())
    require_schema(db_url)


def test_a_revision_from_a_newer_mofawatch_is_refused_even_by_upgrade(db_url):
    upgrade_database(db_url)
    _stamp(db_url, UNKNOWN)
    assert schema_state(db_url) == (SchemaState.UNKNOWN, UNKNOWN)
    for upgradable in (False, True):
        with pytest.raises(DatabaseUnusableError, match="newer mofawatch"):
            require_schema(db_url, upgradable=upgradable)
    with pytest.raises(DatabaseUnusableError, match=UNKNOWN):
        upgrade_database(db_url)
    assert schema_state(db_url) == (SchemaState.UNKNOWN, UNKNOWN)  # left alone


def test_unusable_is_a_kind_of_unreachable_for_callers_that_handle_that():
    assert issubclass(DatabaseUnusableError, DatabaseUnreachableError)


def test_checking_a_missing_sqlite_file_creates_nothing(tmp_path: Path):
    path = tmp_path / "absent.db"
    assert schema_state(f"sqlite:///{path}") == (SchemaState.MISSING, None)
    with pytest.raises(DatabaseUnusableError, match=r"absent\.db"):
        require_schema(f"sqlite:///{path}")
    assert not path.exists()


def test_a_garbage_url_is_unreachable_not_a_traceback():
    with pytest.raises(DatabaseUnreachableError, match="not a supported database"):
        schema_state("garbage")


def test_reading_turns_a_query_on_a_missing_table_into_one_line(db_url):
    upgrade_database(db_url)
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE sections"))
    engine.dispose()
    with (
        pytest.raises(DatabaseUnusableError, match="cannot read database") as caught,
        reading(db_url) as session,
    ):
        status_figures(session, 5)
    assert "\n" not in str(caught.value)


def test_status_figures_of_a_fresh_database_are_zero(db_url):
    upgrade_database(db_url)
    with reading(db_url) as session:
        figures = status_figures(session, 5)
    assert figures.runs == ()
    assert figures.versions == 0
    assert figures.last_ok_at is None
    assert figures.dead_alerts == 0
    assert set(figures.alerts) == {"pending", "sending", "sent", "failed", "dead"}
