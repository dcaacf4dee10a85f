"""The web view in a real browser: a reader's path from the changes to a diff, and
the meetings to their CSV; screenshots at desktop and phone width; hostile page text
that stays text."""

from __future__ import annotations

import csv
import io

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.web.archive import HOSTILE_TITLE
from tests.web.browser import (
    DESKTOP,
    PHONE,
    chromium,
    overflows,
    resize,
    screenshot_folder,
)
from tests.web.conftest import require_browser

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
WAIT = 60  # seconds a condition may take on a slow machine


@pytest.fixture
def browser(tmp_path):
    require_browser()
    with chromium(tmp_path / "downloads") as driver:
        yield driver


def _wait(driver, condition):
    return WebDriverWait(driver, WAIT).until(lambda d: condition(d))


def _shoot(driver, folder, name):
    resize(driver, DESKTOP)
    driver.save_screenshot(str(folder / f"{name}.png"))
    resize(driver, PHONE)
    assert not overflows(driver), f"{name} is wider than a phone"
    driver.save_screenshot(str(folder / f"{name}-phone.png"))
    resize(driver, DESKTOP)


def test_from_a_change_to_its_diff(browser, served, tmp_path):
    shots = screenshot_folder(tmp_path / "shots")
    browser.get(served.url + "changes")
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.change")) > 3
    _shoot(browser, shots, "changes")

    Select(browser.find_element(By.ID, "f-event")).select_by_value("updated")
    browser.find_element(By.ID, "f-apply").click()
    _wait(browser, lambda d: "event=updated" in d.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.change")
    assert len(rows) == 1
    assert "Japan-U.S. Foreign Ministers" in rows[0].text

    rows[0].find_element(By.CSS_SELECTOR, "a.doc-link").click()
    _wait(browser, lambda d: d.find_elements(By.ID, "facts"))
    facts = browser.find_element(By.ID, "facts").text
    assert "Duration\n70 min" in facts
    assert "HAYASHI Yoshimasa" in facts
    _shoot(browser, shots, "document")

    browser.find_element(By.ID, "compare").click()
    _wait(browser, lambda d: d.find_elements(By.ID, "diff"))
    removed = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#diff del")]
    added = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#diff ins")]
    assert removed == ["55 min", "55"]
    assert added == ["70 min", "70"]
    _shoot(browser, shots, "diff")


def test_meetings_filtered_by_a_counterpart_and_downloaded(browser, served, tmp_path):
    shots = screenshot_folder(tmp_path / "shots")
    browser.get(served.url + "meetings")
    every = len(browser.find_elements(By.CSS_SELECTOR, "#meetings tbody tr"))
    assert every >= 5
    chart = browser.find_element(By.CSS_SELECTOR, ".chart img")
    assert _wait(browser, lambda d: chart.get_property("naturalWidth") > 0)
    _shoot(browser, shots, "meetings")

    browser.find_element(By.ID, "m-counterpart").send_keys("Blinken")
    browser.find_element(By.ID, "m-apply").click()
    _wait(browser, lambda d: "counterpart=Blinken" in d.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "#meetings tbody tr")
    assert 0 < len(rows) < every
    assert all("Blinken" in row.text for row in rows)

    browser.find_element(By.ID, "csv").click()
    downloaded = tmp_path / "downloads" / "meetings.csv"
    _wait(browser, lambda d: downloaded.exists() and downloaded.stat().st_size > 0)
    table = list(csv.reader(io.StringIO(downloaded.read_text(encoding="utf-8"))))
    assert len(table) == len(rows) + 1
    assert all("Blinken" in row[3] for row in table[1:])


def test_health_page(browser, served, tmp_path):
    shots = screenshot_folder(tmp_path / "shots")
    browser.get(served.url + "health")
    assert browser.find_element(By.ID, "runs").text.count("ok") >= 2
    _shoot(browser, shots, "health")


def test_hostile_page_text_shows_as_text(browser, served):
    browser.get(served.url + "changes?q=onerror")
    link = browser.find_element(By.CSS_SELECTOR, "a.doc-link")
    assert link.text == HOSTILE_TITLE
    link.click()
    _wait(browser, lambda d: d.find_elements(By.ID, "doc-title"))
    assert browser.find_element(By.ID, "doc-title").text == HOSTILE_TITLE
    assert "<img src=x onerror=alert(3)>" in browser.find_element(By.ID, "body").text
    for page in ("", "changes", "meetings?counterpart=Quiroga"):
        if page:
            browser.get(served.url + page)
        assert not browser.find_elements(By.CSS_SELECTOR, "main script, img[src='x']")
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.accept()
