"""Operational alerts for documents: detail pages failing or blocked cycle after cycle
while the index pages answer (real crawls against the simulated site)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from monitor.config import ChannelSettings, OpsSettings, Settings
from monitor.detect.ops import DETAIL_PAGES, evaluate_ops
from monitor.runner.crawl import run_crawl
from storage.db import opened_database
from storage.models import OpsEvent
from tests.integration.crawl_helpers import (
    EVERY_CYCLE,
    World,
)
from tests.sitesim import Fault

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def _settings(world: World) -> Settings:
    return Settings(
        site=world.settings().site,
        database_url=world.database_url,
        channels=(ChannelSettings(name="ops", type="console"),),
        ops=OpsSettings(channels=("ops",), failing_cycles=2),
    )


def _cycle(world: World) -> dict[str, object]:
    """One crawl, then the ops conditions it moves; the crawl's figures."""
    run = world.run_config(**EVERY_CYCLE)
    result = run_crawl(run, timeout=90)
    assert result.reported, result.tail
    assert run.run_id is not None
    with opened_database(world.database_url) as factory:
        evaluate_ops(factory, _settings(world), datetime.now(UTC), run_id=run.run_id)
    return dict(result.stats.sections)


def _events(world: World) -> list[tuple[str, str, str]]:
    with world.session() as session:
        return [
            (e.kind, e.subject, e.phase)
            for e in session.scalars(select(OpsEvent).order_by(OpsEvent.id))
        ]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [(Fault.error(500), "failing"), (Fault.block_page(), "blocked")],
    ids=["500", "block-page"],
)
def test_detail_pages_failing_two_cycles_start_one_condition_that_ends_once(
    world, fault, kind
):
    for path in world.documents():
        world.site.set_fault(path, fault)

    first = _cycle(world)
    assert set(first.values()) == {"ok"}  # the index pages answer
    assert _events(world) == []
    _cycle(world)
    assert _events(world) == [(kind, DETAIL_PAGES, "started")]
    _cycle(world)  # still failing: no second message
    world.site.clear_faults()
    _cycle(world)

    assert _events(world) == [
        (kind, DETAIL_PAGES, "started"),
        (kind, DETAIL_PAGES, "ended"),
    ]
