"""The simulated mofa site over real HTTP: pages, validators, changes, faults, CLI."""

from __future__ import annotations

import email.utils
import http.client
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from tests.sitegen import generate_site
from tests.sitesim import Fault, SiteSim

REPO = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect comes back as an HTTPError; never leave 127.0.0.1


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


def fetch(url, headers=None, method="GET", timeout=5.0) -> Reply:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read())


@pytest.fixture(scope="module")
def generated_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    generate_site(root, documents=60, months=3, end_month="2026-10", seed=7)
    return root


@pytest.fixture
def sim(generated_root, tmp_path, site_factory):
    copy = tmp_path / "site"
    shutil.copytree(generated_root, copy)
    return site_factory(copy)


def test_serves_index_page_as_html_with_its_charset_and_validators(sim):
    reply = fetch(sim.url("/press/release/index.html"))
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert re.fullmatch(r'"[0-9a-f]{32}"', reply.headers["ETag"])
    assert email.utils.parsedate_to_datetime(reply.headers["Last-Modified"])
    assert b'<dl class="title-list">' in reply.body
    assert fetch(sim.url("/press/release/")).body == reply.body
    folder = fetch(sim.url("/press/release"))
    assert (folder.status, folder.headers["Location"]) == (301, "/press/release/")


def test_serves_html_with_the_meta_charset_of_the_file(sim):
    page = '<html><head><meta charset="Shift_JIS"></head><body>日米</body></html>'
    sim.write_page(
        "/mofaj/press/release/pressit_000001_00001.html", page.encode("cp932")
    )
    reply = fetch(sim.url("/mofaj/press/release/pressit_000001_00001.html"))
    assert reply.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert reply.body.decode("cp932") == page


def test_unknown_path_is_404_with_a_small_html_body(sim):
    reply = fetch(sim.url("/press/release/press9e_999999.html"))
    assert reply.status == 404
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"Not Found" in reply.body


def test_answers_304_when_if_none_match_matches(sim):
    url = sim.url("/press/release/index.html")
    etag = fetch(url).headers["ETag"]
    not_modified = fetch(url, {"If-None-Match": etag})
    assert not_modified.status == 304
    assert not_modified.body == b""
    assert not_modified.headers["ETag"] == etag
    assert fetch(url, {"If-None-Match": '"other"'}).status == 200


def test_answers_304_when_if_modified_since_is_not_older_than_the_file(sim):
    url = sim.url("/press/kaiken/index.html")
    last_modified = fetch(url).headers["Last-Modified"]
    assert fetch(url, {"If-Modified-Since": last_modified}).status == 304
    earlier = email.utils.formatdate(
        email.utils.parsedate_to_datetime(last_modified).timestamp() - 1, usegmt=True
    )
    assert fetch(url, {"If-Modified-Since": earlier}).status == 200
    # If-None-Match decides when both are sent
    both = {"If-Modified-Since": last_modified, "If-None-Match": '"stale"'}
    assert fetch(url, both).status == 200


def test_head_sends_headers_without_body(sim):
    url = sim.url("/na/na1/us/index.html")
    full = fetch(url)
    head = fetch(url, method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["Content-Length"] == str(len(full.body))
    assert sim.requests[-1].method == "HEAD"
    assert sim.requests[-1].bytes_sent == 0


def test_keeps_the_connection_alive_between_requests(sim):
    conn = http.client.HTTPConnection("127.0.0.1", int(sim.base_url.rsplit(":", 1)[1]))
    sockets = []
    try:
        for path in ("/press/release/index.html", "/press/kaiken/index.html"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            sockets.append(conn.sock)
    finally:
        conn.close()
    assert sockets[0] is not None
    assert sockets[0] is sockets[1]


def test_edit_in_the_same_second_changes_etag_and_last_modified(sim):
    url = sim.url("/press/release/index.html")
    before = fetch(url)
    sim.edit_page("/press/release/index.html", "Press Releases</h1>", "Releases</h1>")
    after = fetch(url, {"If-None-Match": before.headers["ETag"]})
    assert after.status == 200
    assert b"Releases</h1>" in after.body
    assert b"Press Releases</h1>" not in after.body
    assert after.headers["ETag"] != before.headers["ETag"]
    since = {"If-Modified-Since": before.headers["Last-Modified"]}
    assert fetch(url, since).status == 200
    assert fetch(url, {"If-None-Match": after.headers["ETag"]}).status == 304


def test_edit_page_raises_when_the_text_is_absent(sim):
    with pytest.raises(ValueError, match="not found"):
        sim.edit_page("/press/release/index.html", "no such text", "x")


def test_overlay_writes_only_the_files_that_differ(sim, tmp_path):
    other = tmp_path / "v2"
    (other / "press/release").mkdir(parents=True)
    same = sim.file_for("/na/na1/us/index.html").read_bytes()
    (other / "press/release/index.html").write_text("<html>v2</html>", encoding="utf-8")
    (other / "press/release/new.html").write_text("<html>new</html>", encoding="utf-8")
    (other / "na/na1/us").mkdir(parents=True)
    (other / "na/na1/us/index.html").write_bytes(same)
    changed = sim.overlay(other)
    assert changed == ["/press/release/index.html", "/press/release/new.html"]
    assert fetch(sim.url("/press/release/index.html")).body == b"<html>v2</html>"


def test_deleted_page_answers_404(sim):
    path = "/press/release/pressite_000001_00001.html"
    assert fetch(sim.url(path)).status == 200
    sim.delete_page(path)
    assert fetch(sim.url(path)).status == 404


def test_add_page_links_it_under_a_new_date_at_the_top_of_the_release_index(sim):
    path = "/press/release/pressite_000001_09999.html"
    sim.add_page(
        path,
        "<html><body><h1>Added</h1></body></html>",
        index_path="/press/release/index.html",
        link_text="Japan-Aurelia Summit Meeting",
        index_date="November 20",
    )
    index = fetch(sim.url("/press/release/index.html")).body.decode()
    expected = (
        '<dl class="title-list">\n<dt class="list-title">November 20</dt>\n'
        f'<dd><ul class="link-list"><li><a href="{path}">Japan-Aurelia Summit Meeting'
    )
    assert expected in index
    assert fetch(sim.url(path)).status == 200


def test_add_page_links_it_first_under_an_existing_date(sim):
    index = sim.read_page("/press/release/index.html")
    dates = re.findall(r'<dt class="list-title">([^<]+)</dt>', index)
    newest, older = dates[0], dates[-1]
    sim.add_page(
        "/press/release/pressite_000001_09998.html",
        "<html></html>",
        index_path="/press/release/",
        link_text="Added Release",
        index_date=older,
    )
    index = sim.read_page("/press/release/index.html")
    assert index.count(f'<dt class="list-title">{older}</dt>') == 1
    block = index.split(f'<dt class="list-title">{older}</dt>', 1)[1]
    assert block.startswith(
        '\n<dd><ul class="link-list"><li><a href="/press/release/'
        'pressite_000001_09998.html">Added Release</a></li>'
    )
    assert re.findall(r'<dt class="list-title">([^<]+)</dt>', index)[0] == newest


def test_add_page_puts_the_link_first_on_the_us_and_kaiken_indexes(sim):
    sim.add_page(
        "/na/na1/us/pageite_000001_09999.html",
        "<html></html>",
        index_path="/na/na1/us/index.html",
        link_text="Japan-U.S. Summit Meeting (November 20, 2026)",
    )
    us = sim.read_page("/na/na1/us/index.html")
    assert (
        '<ul class="link-list"><li><a href="/na/na1/us/pageite_000001_09999.html">'
        in us
    )
    sim.add_page(
        "/press/kaiken/kaikenite_000001_09999.html",
        "<html></html>",
        index_path="/press/kaiken/index.html",
        link_text="Press Conference (November 20, 2026, 4:10 p.m.)",
    )
    kaiken = sim.read_page("/press/kaiken/index.html")
    assert (
        '<dl class="title-list">\n<dt><a href="/press/kaiken/'
        'kaikenite_000001_09999.html">Press Conference (November 20, 2026, 4:10 p.m.)'
        "</a></dt><dd></dd>"
    ) in kaiken


def test_blocked_fault_answers_403_with_a_challenge_page(sim):
    sim.set_fault("/press/release/index.html", Fault.blocked())
    reply = fetch(sim.url("/press/release/index.html"))
    assert reply.status == 403
    assert reply.headers["cf-mitigated"] == "challenge"
    assert b"Just a moment..." in reply.body
    assert b"Checking your browser" in reply.body
    assert fetch(sim.url("/press/kaiken/index.html")).status == 200


def test_too_many_fault_answers_429_with_retry_after(sim):
    sim.set_fault("/press/release/index.html", Fault.too_many(retry_after=3))
    reply = fetch(sim.url("/press/release/index.html"))
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "3"


@pytest.mark.parametrize("status", [500, 503])
def test_error_fault_answers_the_status(sim, status):
    sim.set_fault("/press/*", Fault.error(status))
    assert fetch(sim.url("/press/kaiken/index.html")).status == status
    assert fetch(sim.url("/na/na1/us/index.html")).status == 200


@pytest.mark.parametrize(
    ("fault", "status"), [(Fault.not_found(), 404), (Fault.gone(), 410)]
)
def test_missing_faults_hide_an_existing_page(sim, fault, status):
    sim.set_fault("/press/release/pressite_000001_00001.html", fault)
    assert fetch(sim.url("/press/release/pressite_000001_00001.html")).status == status


def test_slow_fault_answers_normally_after_the_delay_or_times_out_the_client(sim):
    url = sim.url("/press/release/index.html")
    sim.set_fault("/press/release/index.html", Fault.slow(0.3))
    started = time.monotonic()
    assert fetch(url).status == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(url, timeout=0.1)


def test_held_fault_answers_when_released_and_not_before(sim):
    url = sim.url("/press/release/index.html")
    sim.set_fault("/press/release/index.html", Fault.held(60, times=1))
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(url, timeout=0.5)  # held: no answer yet
    sim.release_held()
    assert fetch(url).status == 200  # the fault is used up
    sim.set_fault("/press/release/index.html", Fault.held(60))
    answers: list[int] = []
    waiting = threading.Thread(target=lambda: answers.append(fetch(url).status))
    waiting.start()
    sim.release_held()
    waiting.join(timeout=30)
    assert answers == [200]


def test_reset_fault_closes_the_connection_without_a_response(sim):
    sim.set_fault("/press/release/index.html", Fault.reset())
    with pytest.raises((ConnectionError, urllib.error.URLError)) as caught:
        fetch(sim.url("/press/release/index.html"))
    if isinstance(caught.value, urllib.error.URLError):
        assert isinstance(caught.value.reason, ConnectionError)
    assert sim.requests[-1].status == 0
    assert fetch(sim.url("/press/kaiken/index.html")).status == 200


def test_redirect_fault_points_to_another_host(sim):
    sim.set_fault(
        "/press/release/index.html", Fault.redirect("http://elsewhere.invalid/")
    )
    reply = fetch(sim.url("/press/release/index.html"))
    assert reply.status == 302
    assert reply.headers["Location"] == "http://elsewhere.invalid/"


def test_fault_with_times_applies_to_the_next_requests_of_each_path_only(sim):
    sim.set_fault("/press/*", Fault.error(503, times=1))
    assert fetch(sim.url("/press/release/index.html")).status == 503
    assert fetch(sim.url("/press/release/index.html")).status == 200
    assert fetch(sim.url("/press/kaiken/index.html")).status == 503
    assert fetch(sim.url("/press/kaiken/index.html")).status == 200


def test_cleared_faults_stop_applying(sim):
    sim.set_fault("/press/release/index.html", Fault.blocked())
    sim.set_fault("/na/*", Fault.blocked())
    sim.clear_fault("/press/release/index.html")
    assert fetch(sim.url("/press/release/index.html")).status == 200
    assert fetch(sim.url("/na/na1/us/index.html")).status == 403
    sim.clear_faults()
    assert fetch(sim.url("/na/na1/us/index.html")).status == 200


def test_robots_txt_can_be_replaced_removed_and_faulted(sim):
    url = sim.url("/robots.txt")
    assert fetch(url).body == b"User-agent: *\nAllow: /\n"
    sim.set_robots("User-agent: *\nDisallow: /press/kaiken/\n")
    reply = fetch(url)
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert reply.body == b"User-agent: *\nDisallow: /press/kaiken/\n"
    sim.set_robots(None)
    assert fetch(url).status == 404
    sim.set_fault("/robots.txt", Fault.blocked())
    assert fetch(url).status == 403
    sim.set_fault("/robots.txt", Fault.error(500))
    assert fetch(url).status == 500


def test_records_every_request_with_conditional_headers_and_user_agent(sim):
    fetch(sim.url("/robots.txt"), {"User-Agent": "mofawatch-test/1"})
    fetch(
        sim.url("/press/release/index.html?x=1"),
        {
            "User-Agent": "mofawatch-test/1",
            "If-None-Match": '"abc"',
            "If-Modified-Since": "Mon, 23 Nov 2026 00:00:00 GMT",
        },
    )
    robots, index = sim.requests[-2:]
    assert robots.path == "/robots.txt"
    assert robots.status == 200
    assert index.path == "/press/release/index.html?x=1"
    assert index.method == "GET"
    assert index.if_none_match == '"abc"'
    assert index.if_modified_since == "Mon, 23 Nov 2026 00:00:00 GMT"
    assert index.user_agent == "mofawatch-test/1"
    assert index.headers["User-Agent"] == "mofawatch-test/1"
    assert index.bytes_sent > 1000
    assert robots.at <= index.at
    assert sim.requests_for("/press/") == [index]
    sim.clear_requests()
    assert sim.requests == []


def test_restart_after_stop_serves_on_the_same_port(sim):
    base_url = sim.base_url
    sim.stop()
    with pytest.raises(urllib.error.URLError):
        fetch(base_url + "/robots.txt", timeout=1)
    sim.start()
    assert sim.base_url == base_url
    assert fetch(base_url + "/robots.txt").status == 200


def test_survives_a_client_that_disconnects_mid_request(sim):
    port = int(sim.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(b"GET /press/release/index.html HTTP/1.1\r\nHost: x\r\n")
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(b"GET /press/release/index.html HTTP/1.1\r\nHost: x\r\n\r\n")
    assert fetch(sim.url("/press/release/index.html")).status == 200


def test_generate_site_links_every_detail_page_from_exactly_one_index_page(tmp_path):
    site = generate_site(tmp_path, documents=2000, months=24, seed=3)
    assert len(site.detail_paths) == len(set(site.detail_paths)) == 2000
    assert site.months[0] == "202411"
    assert site.months[-1] == "202610"
    release_archives = [p for p in site.index_paths if p.endswith("_index.html")]
    assert "/press/release/202410_index.html" not in site.index_paths
    assert "/press/release/202411_index.html" in release_archives
    links: dict[str, int] = {}
    for index_path in site.index_paths:
        text = (tmp_path / index_path.lstrip("/")).read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]+)"', text):
            links[href] = links.get(href, 0) + 1
    assert all(links.get(path) == 1 for path in site.detail_paths)
    assert all((tmp_path / p.lstrip("/")).is_file() for p in site.detail_paths)
    current = (tmp_path / "press/release/index.html").read_text(encoding="utf-8")
    for ym in site.months[:-1]:
        assert f'href="/press/release/{ym}_index.html"' in current
    detail = (tmp_path / site.detail_paths[0].lstrip("/")).read_text(encoding="utf-8")
    assert '<div class="rightalign">' in detail
    assert '<div class="main-section section">\n<div class="any-area">' in detail
    assert "<ol" in detail


def test_generate_site_is_deterministic_from_its_seed(tmp_path):
    first = generate_site(tmp_path / "a", documents=40, months=2, seed=5)
    second = generate_site(tmp_path / "b", documents=40, months=2, seed=5)
    assert first.detail_paths == second.detail_paths
    for path in first.index_paths + first.detail_paths:
        rel = path.lstrip("/")
        assert (tmp_path / "a" / rel).read_bytes() == (
            tmp_path / "b" / rel
        ).read_bytes()


def test_from_fixture_copies_a_site_into_dest_without_starting_it(
    generated_root, tmp_path
):
    sim = SiteSim.from_fixture(tmp_path / "copy", source=generated_root)
    assert (tmp_path / "copy/press/release/index.html").is_file()
    with pytest.raises(RuntimeError):
        sim.base_url  # noqa: B018
    with sim:
        assert fetch(sim.url("/na/na1/us/index.html")).status == 200


def test_site_fixture_serves_a_copy_of_the_fixture_site(site, tmp_path):
    assert site.root == (tmp_path / "site").resolve()
    reply = fetch(site.url("/press/release/index.html"))
    assert reply.status == 200
    assert b'class="title-list"' in reply.body


def test_cli_prints_the_base_url_and_serves_the_folder(tmp_path):
    command = [
        sys.executable,
        "-m",
        "tests.sitesim",
        str(tmp_path / "gen"),
        "--port",
        "0",
    ]
    command += ["--generate", "30", "--months", "2"]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        base_url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
        assert fetch(base_url + "/press/release/index.html").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        proc.stdout.close()
    assert proc.returncode == 0


def test_kept_alive_connections_send_without_nagle_delay(sim):
    # Header and body are separate writes: with Nagle on, each body would wait for the
    # client's delayed ACK, and crawl benchmarks would measure the simulator.
    conn = http.client.HTTPConnection("127.0.0.1", int(sim.base_url.rsplit(":", 1)[1]))
    try:
        for _ in range(2):
            conn.request("GET", "/press/release/index.html")
            assert conn.getresponse().read()
        server_side = list(sim._server._open)
        assert server_side
        assert all(
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in server_side
        )
    finally:
        conn.close()
