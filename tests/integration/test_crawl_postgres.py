"""Smoke test: the crawl subprocess stores into PostgreSQL as it does into SQLite."""

from __future__ import annotations

import pytest

from storage.db import upgrade_database
from tests.integration.crawl_helpers import EVERY_CYCLE, World

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_crawl_into_postgresql_then_unchanged_cycle_writes_nothing(postgres_url, site):
    upgrade_database(postgres_url)
    world = World(site, postgres_url)

    first = world.crawl(**EVERY_CYCLE)
    site.clear_requests()
    second = world.crawl(**EVERY_CYCLE)

    assert first.returncode == 0
    assert first.stats.new_documents >= 10
    assert first.stats.new_versions == first.stats.new_documents
    assert second.stats.new_versions == 0
    assert second.stats.not_modified == second.stats.responses
    assert all(r.is_conditional for r in site.requests)
    assert all(len(v) == 1 for v in world.versions().values())
