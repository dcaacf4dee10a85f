"""Engines, URLs, units of work and UTC timestamps on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from storage.db import (
    DatabaseUnreachableError,
    mask_url,
    normalize_url,
    open_database,
    opened_database,
    unit_of_work,
    upgrade_database,
)
from storage.models import Document, Run
from storage.runs import start_run
from tests.factories import T0, make_document, make_version


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql+psycopg://u:secret@db:5432/x",
            "postgresql+psycopg://u:***@db:5432/x",
        ),
        ("postgres://u:p%40ss@db/x", "postgres://u:***@db/x"),
        ("postgresql://u@db/x", "postgresql://u@db/x"),
        ("sqlite:///mofawatch.db", "sqlite:///mofawatch.db"),
    ],
)
def test_mask_url_hides_only_the_password(url, masked):
    assert mask_url(url) == masked


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_postgres_urls_are_rewritten_to_psycopg_3(scheme):
    assert normalize_url(f"{scheme}://u@h/db") == "postgresql+psycopg://u@h/db"


def test_unreachable_database_error_names_the_masked_url():
    with pytest.raises(DatabaseUnreachableError) as caught:
        open_database("postgres://someone:hunter2@127.0.0.1:1/nothing")
    message = str(caught.value)
    assert message.startswith(
        "cannot reach database postgresql+psycopg://someone:***@127.0.0.1:1/nothing: "
    )
    assert "hunter2" not in message


@pytest.mark.parametrize("url", ["not a url", "mysql://u:pw@h/db", "oracle://h/db"])
def test_unsupported_database_urls_are_reported_not_crashed_on(url):
    with pytest.raises(DatabaseUnreachableError, match="not a supported database URL"):
        open_database(url)


def test_unit_of_work_rolls_back_when_the_block_raises(session_factory):
    def crawl_that_dies():
        with unit_of_work(session_factory) as session:
            make_version(session)
            raise RuntimeError("crawl died")

    with pytest.raises(RuntimeError, match="crawl died"):
        crawl_that_dies()
    with unit_of_work(session_factory) as session:
        assert session.scalars(select(Document)).all() == []


def test_times_come_back_as_utc_aware_datetimes(session_factory):
    tokyo = timezone(timedelta(hours=9))
    with unit_of_work(session_factory) as session:
        run_id = start_run(session, datetime(2026, 1, 5, 18, 0, tzinfo=tokyo))
        make_version(session, now=T0)
    with unit_of_work(session_factory) as session:
        run = session.get(Run, run_id)
        assert run is not None
        assert run.started_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        assert run.started_at.utcoffset() == timedelta(0)
        document = session.scalars(select(Document)).one()
        assert document.first_seen_at.tzinfo is not None
        later = session.scalars(
            select(Document).where(Document.first_seen_at >= T0 - timedelta(hours=1))
        ).all()
        assert len(later) == 1


def test_a_driver_message_echoing_the_password_is_scrubbed():
    from sqlalchemy.engine import make_url

    from storage.db import _unreachable

    url = make_url("postgresql+psycopg://u:s3cr3t@db/x")
    message = _unreachable(url, OSError("auth failed for u:s3cr3t\ndetail"))
    assert message == (
        "cannot reach database postgresql+psycopg://u:***@db/x: auth failed for u:***"
    )


@pytest.mark.postgres
def test_postgresql_stores_json_as_compact_unescaped_text(postgres_url):
    upgrade_database(postgres_url)
    document = make_document(1, title="日米外相会談", body=["One: two, three."])
    with opened_database(postgres_url) as factory:
        with factory.begin() as session:
            make_version(session, document)
        with factory() as session:
            query = text("SELECT content::text FROM versions")
            stored = session.execute(query).scalar()
    assert stored == json.dumps(document, ensure_ascii=False, separators=(",", ":"))
