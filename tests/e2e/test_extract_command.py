"""`python -m monitor extract` as a user runs it: files, stdin, a loopback URL."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.e2e
SITE = FIXTURES / "site"


def _run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "monitor", "extract", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_extract_prints_the_document_of_a_good_page_as_json():
    page = SITE / "press/release/press4e_003170.html"
    url = "https://www.mofa.go.jp/press/release/press4e_003170.html"
    result = _run(str(page), "--url", url)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout.decode("utf-8"))
    assert doc["title"] == "Japan-U.S. Vice-Ministers\u2019 Meeting"
    assert doc["kind"] == "press_release"
    assert doc["meeting"]["duration_minutes"] == 55


def test_extract_without_url_uses_the_file_address_and_kind_page():
    page = SITE / "mofaj/press/release/press4_009321.html"
    result = _run(str(page))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout.decode("utf-8"))
    assert doc["url"] == page.resolve().as_uri()
    assert doc["kind"] == "page"
    assert doc["title"] == "サントサ・インドネシア国会議長による桜田外務大臣表敬"


def test_extract_reads_standard_input():
    raw = (SITE / "press/kaiken/kaikenite_000001_00118.html").read_bytes()
    result = _run("-", stdin=raw)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["placeholder"] is True


def test_extract_exits_1_with_one_line_on_an_unrecognizable_page():
    result = _run(str(SITE / "press/release/pressite_000001_00457.html"))
    assert result.returncode == 1
    err = result.stderr.decode("utf-8")
    assert "no body text" in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert result.stdout == b""


def test_extract_exits_2_on_a_missing_file():
    result = _run(str(SITE / "no/such/page.html"))
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert "cannot read" in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def site_url():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_extract_fetches_a_url_and_takes_kind_from_it(site_url):
    result = _run(f"{site_url}/press/kaiken/kaikenite_000001_00112.html")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["kind"] == "press_conference"
    assert doc["exchanges"][1]["speaker"] == "Nippon Daily, Kato"


def test_extract_exits_2_on_an_http_error(site_url):
    result = _run(f"{site_url}/press/release/nothing.html")
    assert result.returncode == 2
    assert "HTTP 404" in result.stderr.decode("utf-8")
