"""`mofawatch check` as a user runs it, against the simulated site and its faults."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests import bilingual
from tests.e2e.cli_helpers import Installation
from tests.proxy import ForwardProxy
from tests.sitesim import Fault, SiteSim

pytestmark = pytest.mark.e2e

INDEX = "/press/release/index.html"
NEWEST_RELEASE = "/press/release/pressite_000001_00447.html"
NEWEST_JAPAN_US = "/na/na1/us/page1e_000678.html"
AGENT = "check-test/1.0 (+https://example.org/contact)"


def _with_agent(site: SiteSim, tmp_path: Path, extra: str = "") -> Installation:
    folder = tmp_path / "home"
    folder.mkdir(exist_ok=True)
    home = Installation(site, folder)
    config = folder / "mofawatch.toml"
    text = config.read_text().replace("[site]\n", f'[site]\nuser_agent = "{AGENT}"\n')
    config.write_text(text + extra)
    return home


def _line(stdout: str, path: str) -> str:
    lines = [
        line
        for line in stdout.splitlines()
        if line.endswith(path) or f"{path}  (" in line
    ]
    assert lines, f"no line for {path} in:\n{stdout}"
    return lines[0]


def test_a_healthy_site_exits_0_with_fields_per_page_and_nothing_stored(
    site: SiteSim, tmp_path: Path
) -> None:
    home = _with_agent(site, tmp_path)
    done = home.run("check")

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert _line(out, "/robots.txt").startswith("OK")
    assert "2 detail links" in _line(out, INDEX)
    release = out[out.index(NEWEST_RELEASE) :]
    assert "title: Japan-Philippines Foreign Ministers\u2019 Working Lunch" in release
    assert "date: 2024-04-09" in release
    assert "meeting: working_lunch, 12:15, 60 min, 2 participants" in release
    assert "missing: nothing" in release
    assert "all good (exit 0)" in out
    assert (
        out.splitlines()[0]
        == f"check: {site.base_url} as {AGENT!r}, 0 s between requests, direct"
    )
    # Polite: the configured User-Agent, robots.txt first, a handful of requests.
    paths = [r.path for r in site.requests]
    assert paths[0] == "/robots.txt"
    assert len(paths) <= 12
    assert {r.user_agent for r in site.requests} == {AGENT}
    assert not (home.folder / "mofawatch.db").exists()
    assert not site.requests_for("/mofaj/")  # languages = ["en"], the default


def test_with_japanese_it_also_checks_the_japanese_lists_and_newest_pages(
    site: SiteSim, tmp_path: Path
) -> None:
    bilingual.bilingual_baseline(site)  # adds a Shift_JIS readout, among others
    home = _with_agent(site, tmp_path)
    config = home.folder / "mofawatch.toml"
    editions = 'languages = ["en", "ja"]\nsections = ["press_releases"]\n'
    config.write_text(config.read_text().replace("[site]\n", "[site]\n" + editions))
    done = home.run("check", "--details", "2")

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    index = _line(out, bilingual.JA_INDEX)
    assert index.startswith("OK")
    assert " press_releases (ja) index " in index
    assert "4 detail links" in index
    assert "2 detail links" in _line(out, INDEX)
    # The newest two Japanese readouts: 4月8日, then 4月5日 (the Shift_JIS page).
    details = [
        line.split()[-2]
        for line in out.splitlines()
        if " press_releases (ja) detail " in line
    ]
    assert details == [site.url(bilingual.DISAGREE_JA), site.url(bilingual.NO_ENGLISH)]
    newest = out[out.index(bilingual.DISAGREE_JA) :]
    assert "title: 日・ニュージーランド外相電話会談" in newest
    assert "date: 2024-04-08" in newest
    assert "meeting: telephone_talk, 13:45, 60 min, 2 participants" in newest
    sjis = out[out.index(bilingual.NO_ENGLISH) :]
    assert "title: 日・フィジー外相電話会談" in sjis
    assert "missing: nothing" in sjis
    # Still a handful: robots.txt, two list pages, two pages of each edition.
    assert len(site.requests) == 7
    assert "all good (exit 0)" in out


def test_a_blocked_index_page_exits_4(site: SiteSim, tmp_path: Path) -> None:
    site.set_fault(INDEX, Fault.blocked())
    done = _with_agent(site, tmp_path).run("check")

    assert done.returncode == 4, done.stdout + done.stderr
    line = _line(done.stdout, INDEX)
    assert line.startswith("BLOCKED")
    assert "403" in line
    assert "bot challenge page" in line  # the simulated 403 is a Cloudflare wall
    assert "the site blocked us (exit 4)" in done.stdout


def test_a_bot_wall_answering_200_is_blocked_too(site: SiteSim, tmp_path: Path) -> None:
    wall = site.read_page(INDEX).replace(
        "<title>",
        '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate"></script><title>',
    )
    site.write_page(NEWEST_JAPAN_US, wall)
    done = _with_agent(site, tmp_path).run("check")

    assert done.returncode == 4, done.stdout
    line = _line(done.stdout, NEWEST_JAPAN_US)
    assert line.startswith("BLOCKED")
    assert "bot challenge page (HTTP 200)" in line


def test_a_server_error_on_a_detail_page_exits_1(site: SiteSim, tmp_path: Path) -> None:
    site.set_fault(NEWEST_RELEASE, Fault.error(500))
    done = _with_agent(site, tmp_path).run("check")

    assert done.returncode == 1, done.stdout
    assert _line(done.stdout, NEWEST_RELEASE).startswith("FAILED     500")
    assert "something is missing or failed (exit 1)" in done.stdout


def test_broken_html_is_reported_unrecognizable(site: SiteSim, tmp_path: Path) -> None:
    page = site.read_page(NEWEST_RELEASE)
    site.write_page(NEWEST_RELEASE, page[: len(page) // 2])  # cut mid-page
    done = _with_agent(site, tmp_path).run("check")

    assert done.returncode == 1, done.stdout
    line = _line(done.stdout, NEWEST_RELEASE)
    assert line.startswith("MISSING")
    assert "unrecognizable page" in line


def test_a_page_without_its_date_names_what_is_missing(
    site: SiteSim, tmp_path: Path
) -> None:
    site.edit_page(NEWEST_RELEASE, "April 9, 2024", "")
    done = _with_agent(site, tmp_path).run("check")

    assert done.returncode == 1, done.stdout
    release = done.stdout[done.stdout.index(NEWEST_RELEASE) :]
    assert "missing: date" in release.splitlines()[3]


def test_robots_txt_is_obeyed(site: SiteSim, tmp_path: Path) -> None:
    site.set_robots("User-agent: *\nDisallow: /na/\n")
    done = _with_agent(site, tmp_path).run("check")

    assert done.returncode == 1, done.stdout
    line = _line(done.stdout, "/na/na1/us/index.html")
    assert line.startswith("DISALLOWED")
    assert "robots.txt" in line
    assert not site.requests_for("/na/")


def test_without_robots_txt_nothing_else_is_fetched(
    site: SiteSim, tmp_path: Path
) -> None:
    site.set_fault("/robots.txt", Fault.error(503))
    done = _with_agent(site, tmp_path).run("check")

    assert done.returncode == 1, done.stdout
    assert "nothing may be fetched" in _line(done.stdout, "/robots.txt")
    assert {r.path for r in site.requests} == {"/robots.txt"}


def test_check_goes_through_the_proxy_with_credentials_from_the_environment(
    site: SiteSim, tmp_path: Path, forward_proxy: ForwardProxy
) -> None:
    forward_proxy.require("watcher", "pr0xy-pass")
    home = _with_agent(site, tmp_path)
    home.env["MOFAWATCH_PROXY_URL"] = forward_proxy.url_with("watcher", "pr0xy-pass")
    done = home.run("-v", "check")

    assert done.returncode == 0, done.stdout + done.stderr
    assert forward_proxy.requests
    assert all(r.authorized for r in forward_proxy.requests)
    assert sorted(forward_proxy.paths()) == sorted(r.path for r in site.requests)
    assert f"through proxy http://***@127.0.0.1:{forward_proxy.port}" in done.stdout
    assert "pr0xy-pass" not in done.stdout + done.stderr


def test_a_proxy_refusing_the_credentials_stops_after_robots_txt(
    site: SiteSim, tmp_path: Path, forward_proxy: ForwardProxy
) -> None:
    forward_proxy.require("watcher", "pr0xy-pass")
    home = _with_agent(site, tmp_path)
    home.env["MOFAWATCH_PROXY_URL"] = forward_proxy.url_with("watcher", "wrong")
    done = home.run("check")

    assert done.returncode == 1, done.stdout
    line = _line(done.stdout, "/robots.txt")
    assert line.startswith("FAILED     407")
    assert "the proxy wants credentials" in line
    assert forward_proxy.paths() == ["/robots.txt"]
    assert site.requests == []
    assert "wrong" not in done.stdout + done.stderr


def test_the_standard_proxy_variable_is_honoured(
    site: SiteSim, tmp_path: Path, forward_proxy: ForwardProxy
) -> None:
    home = _with_agent(site, tmp_path)
    home.env["http_proxy"] = forward_proxy.url
    home.env.pop("no_proxy", None)
    home.env.pop("NO_PROXY", None)
    done = home.run("check")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "/robots.txt" in forward_proxy.paths()
    assert len(forward_proxy.requests) == len(site.requests)


def test_details_out_of_range_is_a_usage_error(site: SiteSim, tmp_path: Path) -> None:
    done = _with_agent(site, tmp_path).run("check", "--details", "3")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert site.requests == []


def test_the_configured_delay_separates_the_requests(
    site: SiteSim, tmp_path: Path
) -> None:
    home = _with_agent(site, tmp_path)
    config = home.folder / "mofawatch.toml"
    text = config.read_text().replace("download_delay = 0\n", "download_delay = 0.3\n")
    config.write_text(text)
    done = home.run("check")

    assert done.returncode == 0, done.stdout
    assert "0.3 s between requests" in done.stdout
    times = [r.at for r in site.requests]
    assert len(times) >= 5
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.29


def test_details_2_tries_the_two_newest_pages_of_each_section(
    site: SiteSim, tmp_path: Path
) -> None:
    done = _with_agent(site, tmp_path).run("check", "--details", "2")

    assert done.returncode == 0, done.stdout
    releases = [
        line.split()[-2]
        for line in done.stdout.splitlines()
        if " press_releases detail " in line
    ]
    assert releases == [
        site.url(NEWEST_RELEASE),
        site.url("/press/release/pressite_000001_00441.html"),
    ]
    assert len(site.requests) <= 16
