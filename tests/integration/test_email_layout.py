"""Email size and phone layout: a huge edit stays small, the HTML part reads at 380 px.

Mail goes through a real SMTP server on loopback; the HTML part that arrives is
rendered in headless Chromium (the OS package) through Selenium.
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest

from monitor.alerts.notifiers import EmailNotifier
from monitor.alerts.render.cards import render_change, render_digest
from monitor.alerts.render.limits import MAX_SHOWN_CHANGES, PART_LIMIT
from monitor.detect.diff import diff_documents
from tests.integration.test_notifiers_email import channel, parts, seed, view

# The OS packages' programs (Debian: chromium, chromium-driver), found on PATH.
CHROMIUM = os.environ.get("MOFAWATCH_TEST_CHROMIUM", "chromium")
CHROMEDRIVER = os.environ.get("MOFAWATCH_TEST_CHROMEDRIVER", "chromedriver")
PHONE_WIDTH = 380
ADDED = 160


def _huge_edit():
    """The seed readout and an edit adding 160 long paragraphs to it."""
    old = seed()
    new = copy.deepcopy(old)
    filler = "The two ministers reaffirmed their close cooperation on this matter. " * 6
    new["body"] += [f"{n}. Paragraph {n}: {filler}" for n in range(1, ADDED + 1)]
    return old, new


def _sent(smtp_server, rendered):
    EmailNotifier(channel(smtp_server)).send(rendered)
    return smtp_server.messages[-1]


def test_an_edit_adding_160_paragraphs_shows_the_first_few_then_a_count_and_link(
    smtp_server,
):
    old, new = _huge_edit()
    changes = diff_documents(old, new)
    assert len(changes) >= ADDED
    message = _sent(
        smtp_server, render_change(view(new, kind="updated", changes=changes, root=1))
    )
    text, html = parts(message)
    hidden = len(changes) - MAX_SHOWN_CHANGES
    assert len(text.encode()) < PART_LIMIT
    assert len(html.encode()) < PART_LIMIT
    assert len(message.as_bytes()) < 2 * PART_LIMIT + 4096
    assert "Paragraph 1:" in text
    assert f"Paragraph {MAX_SHOWN_CHANGES + 1}:" not in text
    link = new["url"]
    assert f"and {hidden} more changes: {link}" in text
    assert f"and {hidden} more changes" in html
    assert f'<a href="{link}"' in html


def test_a_digest_of_many_huge_edits_stays_under_the_limit_and_counts_the_rest(
    smtp_server,
):
    old, new = _huge_edit()
    changes = diff_documents(old, new)
    views = [
        view(new, alert_id=n, kind="updated", changes=changes, root=n)
        for n in range(1, 41)
    ]
    message = _sent(smtp_server, render_digest(views))
    text, html = parts(message)
    assert len(text.encode()) < PART_LIMIT
    assert len(html.encode()) < PART_LIMIT
    assert "more alerts" in text


def test_message_id_is_under_the_senders_domain_and_threads_hold(smtp_server):
    old, new = _huge_edit()
    notifier = EmailNotifier(channel(smtp_server, sender="Desk <alerts@News.Example>"))
    notifier.send(render_change(view(old, alert_id=3)))
    changes = diff_documents(old, new)
    notifier.send(
        render_change(view(new, alert_id=9, kind="updated", changes=changes, root=3))
    )
    first, update = smtp_server.messages
    assert first["Message-ID"] == "<alert-3.page4e_001274@news.example>"
    assert update["In-Reply-To"] == first["Message-ID"]
    assert update["References"] == first["Message-ID"]


def phone_browser(tmp_path: Path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    browser, driver = shutil.which(CHROMIUM), shutil.which(CHROMEDRIVER)
    if not (browser and driver):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"Chromium or chromedriver missing ({CHROMIUM}, {CHROMEDRIVER})"
            )
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    return webdriver.Chrome(options=options, service=Service(driver))


def test_html_part_reads_on_a_380_px_phone_screen(smtp_server, tmp_path):
    old, new = _huge_edit()
    content = copy.deepcopy(new)
    content["meeting"]["location"] = "Washington D.C. " + "x" * 90  # a long word
    changes = diff_documents(old, content)
    message = _sent(
        smtp_server,
        render_change(view(content, kind="updated", changes=changes, root=1)),
    )
    _, html = parts(message)
    page = tmp_path / "alert.html"
    page.write_text(html, encoding="utf-8")
    driver = phone_browser(tmp_path)
    try:
        driver.set_window_size(PHONE_WIDTH, 800)
        driver.get(page.as_uri())
        viewport = driver.execute_script("return window.innerWidth")
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        font_px = driver.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('td')).fontSize)"
        )
        shot = tmp_path / "alert-380px.png"
        assert driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    assert viewport <= PHONE_WIDTH
    assert overflow == 0  # nothing wider than the screen: no sideways scrolling
    assert font_px >= 14  # the viewport keeps text at its size, not zoomed out
    width = int.from_bytes(shot.read_bytes()[16:20], "big")  # PNG IHDR width
    assert width <= PHONE_WIDTH
