"""`mofawatch run` against hostile answers: exit codes and problem lines, no alerts
about pages that were never content."""

from __future__ import annotations

import pytest

from crawler.extract.listing import detail_doc_id
from tests.e2e.cli_helpers import Installation
from tests.sitesim import Fault

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

INDEX_PAGES = (
    "/press/release/index.html",
    "/press/kaiken/index.html",
    "/press/statement/fm.html",
    "/press/statement/ps.html",
    "/na/na1/us/index.html",
)
SECTIONS = ("press_releases", "press_conferences", "statements", "japan_us")


@pytest.fixture
def mw(site, tmp_path):
    return Installation(
        site, tmp_path, config_extra="\n[crawl]\nmax_response_bytes = 65536\n"
    )


def _document_paths(site) -> list[str]:
    files = sorted(site.root.rglob("*.html"))
    paths = ["/" + f.relative_to(site.root).as_posix() for f in files]
    return [p for p in paths if detail_doc_id(p)]


def _problems(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("problem: ")]


def test_robots_forbidding_everything_exits_1_naming_each_section(mw):
    mw.site.set_robots("User-agent: *\nDisallow: /\n")

    result = mw.run("run")

    assert result.returncode == 1, result.stdout + result.stderr
    for section in SECTIONS:
        assert f"problem: {section}: robots.txt forbids every index page" in (
            _problems(result.stdout)
        )


def test_every_index_page_not_found_exits_1_naming_each_section(mw):
    for path in INDEX_PAGES:
        mw.site.set_fault(path, Fault.not_found())

    result = mw.run("run")

    assert result.returncode == 1, result.stdout + result.stderr
    for section in SECTIONS:
        assert f"problem: {section}: every index page answered 'not found'" in (
            _problems(result.stdout)
        )


def test_block_pages_served_200_exit_4_on_index_pages_and_1_on_documents(mw):
    assert mw.run("run").returncode == 0
    for path in INDEX_PAGES:
        mw.site.set_fault(path, Fault.block_page())
    everywhere = mw.run("run")
    assert everywhere.returncode == 4, everywhere.stdout + everywhere.stderr
    mw.site.clear_faults()
    for path in _document_paths(mw.site):
        mw.site.set_fault(path, Fault.block_page())

    documents = mw.run("run")

    assert documents.returncode == 1, documents.stdout + documents.stderr
    assert any(p.startswith("problem: blocked: ") for p in _problems(documents.stdout))
    assert "Updated" not in documents.stdout
    assert "Access Denied" not in documents.stdout
    mw.site.clear_faults()
    recovered = mw.run("run")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "cycle done: 0 changes" in recovered.stdout


def test_a_page_past_max_response_bytes_exits_1_as_too_large(mw):
    mw.site.set_fault("/press/release/press4e_003170.html", Fault.oversized(300_000))

    result = mw.run("run")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "problem: too_large: 1" in _problems(result.stdout)
