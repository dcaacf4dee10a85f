"""A page whose template changes but whose content does not makes no new version.

Each readout of the layout set is stored from today's template, then fetched again in
the HTML5, legacy, renamed and redesign templates (the last three read by the
structural fallback): the Document is the same, so the ingest path records nothing
new, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.extract.current import current_extractor
from storage.db import unit_of_work
from storage.ingest import Outcome
from storage.snapshots import FetchRecord
from tests.factories import T0
from tests.integration.ingest_helpers import ingest_one
from tests.layouts import TEMPLATES, load_readouts, url_of

READOUTS = load_readouts("en")[:3] + load_readouts("ja")[:3]


def _ingest(session, readout, template, day):
    page = TEMPLATES[template](readout).encode("utf-8")
    fetch = FetchRecord(
        url=url_of(readout),
        fetched_at=T0 + timedelta(days=day),
        status=200,
        body=page,
        charset="utf-8",
    )
    return ingest_one(session, fetch, current_extractor())


@pytest.mark.parametrize("readout", READOUTS, ids=lambda r: r["path"].rsplit("/")[-1])
def test_a_new_template_with_the_same_content_is_no_new_version(
    session_factory, readout
):
    with unit_of_work(session_factory) as session:
        first = _ingest(session, readout, "mofa", 0)
    assert first.outcome is Outcome.NEW_VERSION
    for day, template in enumerate(("html5", "legacy", "renamed", "redesign"), 1):
        with unit_of_work(session_factory) as session:
            again = _ingest(session, readout, template, day)
        assert again.outcome is Outcome.UNCHANGED, template
