"""A baseline larger than one cycle: resumed silently over several `mofawatch run`s,
its progress in `status`, and a readout published meanwhile announced."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.db import opened_database
from storage.models import Baseline, Change, Document
from tests.demo import TEMPLATE_PAGE
from tests.e2e.cli_helpers import Installation

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# A 3-second schedule at no delay: a baseline takes 5 new documents per cycle
# (nine tenths of the window at 0.5 s a request), so the fixture site needs several.
SMALL_CYCLES = '\n[schedule]\ninterval = "3s"\n'
PER_CYCLE = 5
NOT_COMPLETE = "baseline not complete: the next run continues it silently"


@pytest.fixture
def mw(site, tmp_path):
    return Installation(site, tmp_path, config_extra=SMALL_CYCLES)


def _publish_today(mw: Installation) -> str:
    """A readout dated today, linked first on the press-release index."""
    today = datetime.now(UTC)
    long_date = f"{today:%B} {today.day}, {today.year}"
    path = "/press/release/pressite_000001_00481.html"
    page = (
        mw.site.read_page(TEMPLATE_PAGE)
        .replace("pressite_000001_00447", "pressite_000001_00481")
        .replace("April 9, 2024", long_date)
        .replace("On April 9", f"On {today:%B} {today.day}")
    )
    mw.site.add_page(
        path,
        page,
        index_path="/press/release/index.html",
        link_text="Japan-Chile Foreign Ministers' Meeting",
        index_date=f"{today:%B} {today.day}",
    )
    return path


def _stored(db_url: str) -> dict[str, list[bool]]:
    """Stored documents by URL path, with the silence of each of their changes."""
    with opened_database(db_url) as factory, factory() as session:
        urls = session.scalars(select(Document.url)).all()
        out: dict[str, list[bool]] = {u.split("/", 3)[3]: [] for u in urls}
        rows = session.execute(
            select(Document.url, Change.is_silent).join(
                Change, Change.document_id == Document.id
            )
        )
        for url, silent in rows:
            out[url.split("/", 3)[3]].append(silent)
        baselines = session.scalars(select(Baseline)).all()
        assert len(baselines) == 1
        return out


def test_a_baseline_spread_over_cycles_stays_silent_but_announces_the_new(mw):
    first = mw.run("run")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"baseline recorded: {PER_CYCLE} documents, no alerts sent",
        NOT_COMPLETE,
    ]
    status = mw.run("status")
    assert "baseline: recording since " in status.stdout
    assert f"{PER_CYCLE} documents stored" in status.stdout
    assert "more listed for the next cycles" in status.stdout

    added = _publish_today(mw).lstrip("/")
    runs = [mw.run("run")]
    assert added in _stored(mw.db_url)  # fetched in the first cycle after it
    while NOT_COMPLETE in runs[-1].stdout and len(runs) < 10:
        assert runs[-1].returncode == 0, runs[-1].stderr
        runs.append(mw.run("run"))
    assert NOT_COMPLETE not in runs[-1].stdout
    assert len(runs) >= 2  # the site holds more than two cycles' worth

    stored = _stored(mw.db_url)
    assert len(stored) > 2 * PER_CYCLE
    assert stored.pop(added) == [False]  # announced
    assert all(silences == [True] for silences in stored.values()), stored
    after = mw.run("status")
    assert "baseline:" not in after.stdout
    quiet = mw.run("run")
    assert quiet.stdout.startswith("cycle done: ")
