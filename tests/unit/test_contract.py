"""crawler.contract: what the parent and the crawl exchange, and how it is read back."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

import crawler.revisit
import monitor.config
from crawler import contract
from crawler.contract import (
    CrawlStats,
    LogEvent,
    LogLevel,
    Progress,
    ProgressEvent,
    RunConfig,
    StatsEvent,
    decode_event,
    encode_event,
)
from storage.db import DatabaseUnreachableError, require_persistent_url
from storage.models import SectionState
from tests.run_configs import run_config


def test_run_config_travels_as_json_and_keeps_its_password_out_of_repr():
    run = run_config(database_url="postgresql+psycopg://u:s3cret@h/db", run_id=7)
    assert RunConfig.model_validate_json(run.model_dump_json()) == run
    assert "s3cret" not in repr(run)


@pytest.mark.parametrize(
    "fields",
    [
        {"since": "2022-13"},
        {"warc_path": "relative.warc.gz"},
        {"download_delay": -1},
        {"unknown_key": 1},
    ],
)
def test_run_config_refuses_what_the_crawl_could_not_use(fields):
    with pytest.raises(ValidationError):
        run_config(**fields)


def test_run_config_clock_is_fixed_or_real_and_always_utc():
    fixed = datetime(2026, 10, 31, 12, 0)
    assert run_config(now=fixed).clock() == fixed.replace(tzinfo=UTC)
    assert run_config().clock().tzinfo is UTC


def test_events_round_trip_and_anything_else_is_not_an_event():
    stats = CrawlStats(requests=3, sections={"japan_us": SectionState.OK})
    for event in (
        LogEvent(level=LogLevel.WARNING, logger="crawler.x", message="a\nb"),
        ProgressEvent(progress=Progress(requests=2, not_modified=1)),
        StatsEvent(stats=stats),
    ):
        line = encode_event(event)
        assert line.endswith("\n")
        assert line.count("\n") == 1
        assert decode_event(line.rstrip("\n")) == event
    assert decode_event("Traceback (most recent call last):") is None
    assert decode_event('{"event": "other"}') is None


def test_crawl_stats_read_back_from_a_run_including_older_rows():
    stats = CrawlStats(
        requests=5,
        failed=1,
        index_blocked=2,
        sections={"press_releases": SectionState.BLOCKED},
    )
    assert CrawlStats.from_run(stats.to_run_stats()) == stats
    assert stats.all_index_blocked
    assert stats.fetch_problems == {"failed": 1, "index_blocked": 2}
    assert stats.progress.failed == 1
    assert stats.progress.blocked == 2
    older = {"crawl": {"requests": 4, "sections": {"japan_us": "failed"}, "gone": 1}}
    read = CrawlStats.from_run(older)
    assert read is not None
    assert read.sections == {"japan_us": SectionState.FAILING}
    assert CrawlStats.from_run({}) is None
    assert CrawlStats.from_run(None) is None


def test_persistent_url_makes_sqlite_paths_absolute_and_refuses_memory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert require_persistent_url("sqlite:///x.db") == f"sqlite:///{tmp_path}/x.db"
    assert require_persistent_url("sqlite:////abs/x.db") == "sqlite:////abs/x.db"
    pg = "postgresql+psycopg://u:p@h/db"
    assert require_persistent_url(pg) == pg
    for memory in ("sqlite://", "sqlite:///:memory:"):
        with pytest.raises(DatabaseUnreachableError, match="in-memory"):
            require_persistent_url(memory)


def test_every_section_has_entry_pages_and_every_entry_page_a_section():
    assert set(contract.ENTRY_PAGES) == set(contract.Section)


def test_one_revisit_policy_for_config_and_crawler():
    assert crawler.revisit.RevisitPolicy is contract.RevisitPolicy
    assert monitor.config.RevisitPolicy is contract.RevisitPolicy
    assert monitor.config.SiteSettings().revisit == contract.RevisitPolicy()


def test_revisit_policy_is_a_frozen_dataclass_that_validates():
    policy = contract.RevisitPolicy(every_cycle_days=1)
    assert dataclasses.asdict(policy) == {
        "every_cycle_days": 1.0,
        "daily_until_days": 30.0,
        "weekly_until_days": 365.0,
        "monthly_after": True,
        "budget_share": 0.5,
        "max_per_cycle": None,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.every_cycle_days = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        contract.RevisitPolicy(monthly_after="no")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        contract.RevisitPolicy(weekly_until_days=-1)
