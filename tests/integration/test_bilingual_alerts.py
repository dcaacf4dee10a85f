"""Alerts of Japanese documents and of pairs: real SMTP (RFC 2047 subject decoded
here) and a real Slack receiver (UTF-8 JSON within Block Kit limits); the HTML part
of a Japanese alert as headless Chromium shows it."""

from __future__ import annotations

import base64
import email.header
import json
import re
from datetime import UTC, datetime

from selenium.webdriver.common.by import By

from monitor.alerts.notifiers import EmailNotifier, SlackNotifier
from monitor.alerts.render.cards import render_change
from monitor.detect.diff import FieldChange
from tests.conftest import fixture_text
from tests.integration.alerting import email_channel
from tests.integration.test_email_layout import PHONE_WIDTH, phone_browser
from tests.integration.test_notifiers_slack import assert_within_slack_limits
from tests.views import change_view

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
JA = json.loads(fixture_text("expected/mofaj/press/release/pressit_000001_00873.json"))
EN = json.loads(fixture_text("expected/press/release/pressite_000001_00412.json"))


def view(content, kind, changes=(), counterpart=None):
    return change_view(
        content,
        NOW,
        alert_id=5,
        change_id=50,
        kind=kind,
        changes=changes,
        counterpart=counterpart,
    )


def channel(server):
    return email_channel(server.port, timeout=5.0)


def test_japanese_readout_arrives_with_an_encoded_readable_subject(smtp_server):
    english = ("en", EN["url"], EN["title"])
    EmailNotifier(channel(smtp_server)).send(
        render_change(view(JA, "new", (), english))
    )

    (raw,) = smtp_server.raw
    header = next(
        line for line in raw.decode("ascii").splitlines() if line.startswith("Subject:")
    )
    assert "=?utf-8?" in header.lower()  # RFC 2047: the raw header is pure ASCII
    (message,) = smtp_server.messages
    decoded = str(
        email.header.make_header(email.header.decode_header(message["Subject"]))
    )
    assert decoded == "New meeting: 日・カナダ外相電話会談 (4 March 2024)"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "桜田健二" in text
    assert f"English version: {EN['title']} — {EN['url']}" in text
    assert "日・カナダ外相電話会談" in html
    assert message.get_body(preferencelist=("html",)).get_content_charset() == "utf-8"


def test_discrepancy_shows_both_values_side_by_side_in_slack(http_receiver):
    japanese = ("ja", JA["url"], JA["title"])
    changes = (
        FieldChange("started_at_local", "differs", "13:45", "13:30"),
        FieldChange("duration_minutes", "differs", 60, 45),
    )
    rendered = render_change(view(EN, "discrepancy", changes, japanese))
    SlackNotifier("team", http_receiver.url + "/slack").send(rendered)

    (request,) = http_receiver.requests
    data = json.loads(request.body.decode("utf-8"))
    assert data["text"].startswith("Versions disagree: ")
    assert_within_slack_limits(data["blocks"])
    flat = json.dumps(data["blocks"], ensure_ascii=False)
    assert "Start: 日本語 13:45 / English 13:30" in flat
    assert "Duration: 日本語 60 min / English 45 min" in flat
    fields = [f["text"] for b in data["blocks"] for f in b.get("fields", ())]
    assert f"*日本語版*\n{JA['title']} — {JA['url']}" in fields


def test_translation_and_resolution_say_so():
    translated = render_change(
        view(EN, "translated", (FieldChange("lag_days", "translated", None, 3),))
    )
    assert translated.subject.startswith("English version published: ")
    assert "The English page appeared 3 days after the Japanese page." in (
        translated.text
    )
    resolved = render_change(
        view(
            EN,
            "discrepancy",
            (FieldChange("started_at_local", "resolved", "13:45", "13:30"),),
        )
    )
    assert resolved.subject.startswith("Versions agree again: ")
    assert "An edit resolved the disagreement" in resolved.text
    assert translated.payload["kind"] == "translated"


# What UTF-8 read as Latin-1 or cp1252 looks like, and the replacement character.
MOJIBAKE = re.compile(r"[\u00c2-\u00c3\u00e2-\u00e6\u0080-\u009f\ufffd]")


def test_the_japanese_html_part_reads_in_a_real_browser_at_380_px(
    smtp_server, tmp_path
):
    english = ("en", EN["url"], EN["title"])
    EmailNotifier(channel(smtp_server)).send(
        render_change(view(JA, "new", (), english))
    )
    (message,) = smtp_server.messages
    part = message.get_body(preferencelist=("html",))
    # The part's bytes as they arrived, decoded by the browser by the part's charset
    # (what a mail client does), not by Python.
    raw = part.get_payload(decode=True)
    charset = part.get_content_charset()
    url = f"data:text/html;charset={charset};base64,{base64.b64encode(raw).decode()}"
    driver = phone_browser(tmp_path)
    try:
        driver.set_window_size(PHONE_WIDTH, 800)
        driver.get(url)
        shown = driver.find_element(By.TAG_NAME, "body").text
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        viewport = driver.execute_script("return window.innerWidth")
    finally:
        driver.quit()
    for text in (
        "日・カナダ外相電話会談",  # the title
        "桜田健二",  # the participants and their roles
        "外務大臣",
        "クレア・ホイットフィールド",
        "カナダ外務大臣",
        "報道発表",  # the section
        "3月4日、午前8時10分から約20分間",  # the summary
    ):
        assert text in shown, text
    assert EN["title"] in shown  # the English version's link
    assert not MOJIBAKE.search(shown), MOJIBAKE.findall(shown)
    assert not re.search(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", shown, re.IGNORECASE)
    assert viewport <= PHONE_WIDTH
    assert overflow == 0  # no sideways scrolling on a phone
