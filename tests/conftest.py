"""Shared fixtures: fixture files; the simulated site and loopback servers come as plugins."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.sitesim", "tests.servers"]

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_path(rel: str) -> Path:
    """Absolute path of a file under tests/fixtures."""
    return FIXTURES / rel


def fixture_text(rel: str) -> str:
    return fixture_path(rel).read_text(encoding="utf-8")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
