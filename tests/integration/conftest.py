"""Shared fixtures of the crawl tests: one baseline crawl per module, a world per test
(a copy of that baseline with its own simulated site and database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.crawl_helpers import Baseline, World, make_baseline, world_from


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return make_baseline(tmp_path_factory.mktemp("baseline"))


@pytest.fixture
def world(baseline: Baseline, tmp_path: Path) -> Iterator[World]:
    world = world_from(baseline, tmp_path)
    yield world
    world.site.stop()
