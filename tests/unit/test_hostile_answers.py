"""crawler.blocking.classify: the one judge of block pages and soft 404s."""

from __future__ import annotations

import pytest

from crawler.blocking import Hostile, classify
from tests.conftest import FIXTURES
from tests.sitesim import (
    ACCESS_DENIED_BODY,
    CHALLENGE_BODY,
    SOFT_404_BODY,
    VERIFY_BROWSER_BODY,
)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, ACCESS_DENIED_BODY, Hostile.BLOCKED),
        (200, VERIFY_BROWSER_BODY, Hostile.BLOCKED),
        (200, CHALLENGE_BODY, Hostile.BLOCKED),
        (403, ACCESS_DENIED_BODY, Hostile.BLOCKED),
        (200, SOFT_404_BODY, Hostile.NOT_FOUND),
        (
            200,
            "<html><head><title>404 Not Found</title></head></html>",
            Hostile.NOT_FOUND,
        ),
        (
            200,
            "<html><body><h1>The page cannot be found</h1></body></html>",
            Hostile.NOT_FOUND,
        ),
        (200, "<title>Attention Required! | Cloudflare</title>", Hostile.BLOCKED),
        (
            200,
            "<p>Request unsuccessful. Incapsula incident ID: 1</p>"
            '<script src="/_Incapsula_Resource?x=1"></script>',
            Hostile.BLOCKED,
        ),
        (404, SOFT_404_BODY, None),  # an honest 404 needs no judging
        (200, "<title>Access to the Sea: Japan-Pacific Talks</title>", None),
        (200, "<p>The minister said access denied to the press was wrong.</p>", None),
        (200, "<title>Not Founded on Law: a Statement</title>", None),
    ],
)
def test_classify(status, body, expected):
    assert classify(status, None, body.encode()) is expected


def test_challenge_header_is_a_block_whatever_the_body():
    assert classify(200, b"challenge", b"<title>Japan-U.S. Meeting</title>") is (
        Hostile.BLOCKED
    )


def test_no_page_of_the_fixture_site_is_taken_for_a_hostile_answer():
    pages = sorted((FIXTURES / "site").rglob("*.html"))
    for folder in ("documents", "sample-site", "golden"):
        pages += sorted((FIXTURES / folder).rglob("*.html"))
    assert len(pages) > 20
    flagged = [p for p in pages if classify(200, None, p.read_bytes()) is not None]
    assert flagged == []
