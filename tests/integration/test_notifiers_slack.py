"""Slack channel against a loopback HTTP receiver: Block Kit, limits, 429, secrecy."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from monitor.alerts.notifiers import NotifyError, SlackNotifier, build_notifiers
from monitor.alerts.render.cards import render_change
from monitor.config import ChannelSettings, Settings
from monitor.detect.diff import diff_documents
from tests.conftest import fixture_text
from tests.servers import free_port
from tests.views import change_view

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOOK_PATH = "/services/T000/B000/XXXXsecretXXXX"


def seed(name="seed_001_page4e_001274"):
    return json.loads(fixture_text(f"documents/{name}.json"))


def view(content, *, kind="new", changes=()):
    return change_view(
        content, NOW, alert_id=5, change_id=6, kind=kind, changes=changes, root=5
    )


def huge_update():
    old = seed()
    new = json.loads(json.dumps(old))
    new["title"] = "Japan-U.S. Foreign Ministers\u2019 Meeting " + "& <long> " * 40
    new["body"] = [p.replace("two", "2 <b>&</b>") + " Added." for p in old["body"]]
    new["body"] += [f"New paragraph {i} " + "word " * 300 for i in range(40)]
    new["topics"] = [f"Topic {i}" for i in range(30)]
    new["meeting"]["participants"] += [
        {"name": f"Person {i}", "role": "Adviser " * 100, "side": "counterpart"}
        for i in range(40)
    ]
    return render_change(view(new, kind="updated", changes=diff_documents(old, new)))


def assert_within_slack_limits(blocks):
    assert 0 < len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            if "text" in block:
                assert block["text"]["type"] == "mrkdwn"
                assert len(block["text"]["text"]) <= 3000
            fields = block.get("fields", [])
            assert len(fields) <= 10
            assert all(len(f["text"]) <= 2000 for f in fields)
            assert "text" in block or fields
        elif block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 2000 for e in block["elements"])
        else:
            pytest.fail(f"unexpected block type {block['type']}")


def test_new_meeting_is_posted_as_block_kit_with_a_text_fallback(http_receiver):
    rendered = render_change(view(seed()))
    SlackNotifier("team", http_receiver.url + HOOK_PATH).send(rendered)

    [request] = http_receiver.requests
    assert request.path == HOOK_PATH
    assert request.headers["Content-Type"].startswith("application/json")
    data = json.loads(request.body)
    assert set(data) == {"text", "blocks", "unfurl_links", "unfurl_media"}
    assert data["unfurl_links"] is False
    assert data["text"] == rendered.subject
    assert data["blocks"][0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "New meeting: Japan-U.S. Foreign Ministers\u2019 Meeting",
        },
    }
    fields = [f["text"] for f in data["blocks"][1]["fields"]]
    assert "*Duration*\n55 min" in fields
    counterpart = "Antony Blinken, Secretary of State of the United States of America"
    assert f"*Counterpart*\n{counterpart}" in fields
    assert_within_slack_limits(data["blocks"])


def test_huge_diff_stays_within_slack_limits_and_is_escaped(http_receiver):
    rendered = huge_update()
    SlackNotifier("team", http_receiver.url + HOOK_PATH).send(rendered)
    data = json.loads(http_receiver.requests[0].body)
    blocks = data["blocks"]
    assert_within_slack_limits(blocks)
    mrkdwn = json.dumps(
        [b for b in blocks if b["type"] != "header"], ensure_ascii=False
    )
    assert "<b>" not in mrkdwn
    assert "<long>" not in mrkdwn
    assert "&lt;long&gt;" in mrkdwn
    assert blocks[0]["text"]["text"].endswith("\u2026")
    diff_text = next(
        b["text"]["text"]
        for b in blocks
        if b.get("text", {}).get("text", "").startswith("*What changed*")
    )
    assert diff_text.endswith("more changes")


def test_429_gives_notify_error_with_retry_after(http_receiver):
    http_receiver.respond_with(429, headers={"Retry-After": "7"}, body=b"rate_limited")
    notifier = SlackNotifier("team", http_receiver.url + HOOK_PATH)
    with pytest.raises(NotifyError) as info:
        notifier.send(render_change(view(seed())))
    assert info.value.retry_after == 7.0
    assert "429" in str(info.value)
    notifier.send(render_change(view(seed())))  # the next try goes through
    assert len(http_receiver.requests) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 500, 503])
def test_error_status_is_a_notify_error_naming_the_channel_not_the_url(
    http_receiver, caplog, status
):
    caplog.set_level(logging.DEBUG)
    http_receiver.respond_with(status, body=b"invalid_payload")
    url = http_receiver.url + HOOK_PATH
    with pytest.raises(NotifyError) as info:
        SlackNotifier("team", url).send(render_change(view(seed())))
    message = str(info.value)
    assert message == f"slack webhook of channel team: HTTP {status}"
    assert info.value.retry_after is None
    assert "secret" not in message
    assert "secret" not in caplog.text
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_unreachable_webhook_error_never_shows_the_url(caplog):
    caplog.set_level(logging.DEBUG)
    url = f"http://127.0.0.1:{free_port()}{HOOK_PATH}"
    notifier = SlackNotifier("team", url, timeout=2)
    with pytest.raises(NotifyError) as info:
        notifier.send(render_change(view(seed())))
    assert str(info.value).startswith("slack webhook of channel team: ")
    for text in (str(info.value), repr(notifier), caplog.text):
        assert "secret" not in text
        assert "127.0.0.1" not in text


def test_build_notifiers_makes_a_slack_notifier_from_settings(http_receiver):
    settings = Settings(
        channels=(
            ChannelSettings(
                name="team", type="slack", webhook_url=http_receiver.url + HOOK_PATH
            ),
        )
    )
    notifiers = build_notifiers(settings)
    assert list(notifiers) == ["team"]
    notifiers["team"].send(render_change(view(seed())))
    assert len(http_receiver.requests) == 1
    assert "secret" not in repr(notifiers)


def test_outbox_waits_out_a_429_and_posts_once(session_factory, http_receiver):
    from monitor.alerts.dispatch import dispatch_due
    from monitor.detect.changes import detect_changes
    from tests.integration.alerting import later, store

    settings = Settings(
        channels=(
            ChannelSettings(
                name="team", type="slack", webhook_url=http_receiver.url + HOOK_PATH
            ),
        )
    )
    store(session_factory, seed(), later(0))
    detect_changes(session_factory, settings, later(1))
    http_receiver.respond_with(429, headers={"Retry-After": "1"})
    slept: list[float] = []
    result = dispatch_due(session_factory, settings, later(2), sleep=slept.append)
    assert (result.sent, result.failed) == (1, 0)
    assert slept == [1.0]
    assert (
        dispatch_due(session_factory, settings, later(3), sleep=slept.append).sent == 0
    )
    first, second = http_receiver.requests
    assert first.body == second.body
    assert json.loads(second.body)["blocks"][0]["type"] == "header"
