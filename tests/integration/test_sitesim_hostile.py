"""The simulated site's hostile 200 answers, over real HTTP."""

from __future__ import annotations

import http.client

import pytest

from tests.sitesim import HOSTILE_LAST_MODIFIED, Fault, SiteSim

PAGE = "/press/release/press4e_003170.html"


def _get(site: SiteSim, path: str, limit: int = 1 << 20):
    conn = http.client.HTTPConnection(site.host, site.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response, response.read(limit)
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("fault", "marker"),
    [
        (Fault.block_page(), b"<TITLE>Access Denied</TITLE>"),
        (Fault.soft_404(), b"<h1>Page Not Found</h1>"),
    ],
    ids=["block", "soft-404"],
)
def test_hostile_pages_answer_200_with_validators_of_their_own(site, fault, marker):
    real, _ = _get(site, PAGE)
    site.set_fault(PAGE, fault)
    response, body = _get(site, PAGE)
    assert response.status == 200
    assert marker in body
    assert response.getheader("cf-mitigated") is None
    assert response.getheader("ETag") != real.getheader("ETag")
    assert response.getheader("Last-Modified") == HOSTILE_LAST_MODIFIED


def test_oversized_body_has_the_size_asked_for(site):
    site.set_fault(PAGE, Fault.oversized(300_000))
    response, body = _get(site, PAGE)
    assert response.getheader("Content-Length") == "300000"
    assert len(body) == 300_000
    assert body.startswith(b"<!DOCTYPE html>")


def test_endless_body_goes_on_past_any_limit_without_a_length(site):
    site.set_fault(PAGE, Fault.endless(times=1))
    response, body = _get(site, PAGE, limit=3_000_000)
    assert response.status == 200
    assert response.getheader("Content-Length") is None
    assert len(body) == 3_000_000
    assert _get(site, PAGE)[0].status == 200  # the next request is served again


def test_meta_refresh_page_points_at_the_location(site):
    site.set_fault(PAGE, Fault.meta_refresh("http://elsewhere.invalid/x.html"))
    response, body = _get(site, PAGE)
    assert response.status == 200
    assert b'content="0; url=http://elsewhere.invalid/x.html"' in body


def test_meta_refresh_needs_a_location():
    with pytest.raises(ValueError, match="location"):
        Fault("meta_refresh")
