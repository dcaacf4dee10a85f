"""Headless Chromium from the OS packages, driven by Selenium (no browser download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DESKTOP = (1280, 900)
PHONE = (390, 844)
SCREENSHOTS_ENV = "MOFAWATCH_SCREENSHOTS"


@contextmanager
def chromium(downloads: Path) -> Iterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads)}
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd(
            "Page.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(downloads)},
        )
        yield driver
    finally:
        driver.quit()


def screenshot_folder(fallback: Path) -> Path:
    """Where screenshots go: $MOFAWATCH_SCREENSHOTS (the README's images), else a
    folder of the test's own."""
    chosen = os.environ.get(SCREENSHOTS_ENV)
    folder = Path(chosen) if chosen else fallback
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def resize(driver: webdriver.Chrome, size: tuple[int, int]) -> None:
    driver.set_window_size(*size)


def overflows(driver: webdriver.Chrome) -> bool:
    """True when the page is wider than the window (a sideways scroll at that width)."""
    wider: bool = driver.execute_script(
        "return document.documentElement.scrollWidth > window.innerWidth + 1;"
    )
    return wider
