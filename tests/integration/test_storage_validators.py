"""validators_for sends only the validators of content (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from storage.db import unit_of_work
from storage.snapshots import validators_for
from tests.factories import T0, make_document, make_snapshot

URL = make_document()["url"]


def test_a_200_the_extractor_could_not_read_lends_no_validators(session_factory):
    with unit_of_work(session_factory) as session:
        make_snapshot(session, URL, etag='"real"', last_modified="Mon, 01 Jun 2026")
        unreadable = make_snapshot(
            session,
            URL,
            fetched_at=T0 + timedelta(hours=1),
            body=b"<html><title>Access Denied</title></html>",
            etag='"block"',
            last_modified="Fri, 01 Jan 2100 00:00:00 GMT",
        )
        unreadable.extract_error = "content area missing"
    with unit_of_work(session_factory) as session:
        assert validators_for(session, [URL]) == {URL: ('"real"', "Mon, 01 Jun 2026")}


def test_blocked_and_missing_answers_lend_no_validators(session_factory):
    with unit_of_work(session_factory) as session:
        for hour, status in enumerate((403, 404, 429, 500), start=1):
            make_snapshot(
                session,
                URL,
                fetched_at=T0 + timedelta(hours=hour),
                status=status,
                etag=f'"{status}"',
            )
    with unit_of_work(session_factory) as session:
        assert validators_for(session, [URL]) == {}
