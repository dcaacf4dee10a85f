"""Terminal controls from page text never reach a terminal, a subject line or Slack."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.alerts.notifiers.console import ConsoleNotifier
from monitor.alerts.render.cards import render_change
from monitor.cli.logs import configure_logging
from monitor.textsafe import printable
from tests.unit.test_render import SEEDS, doc, view

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = "Talks \x1b]0;owned\x07with \x1b[1;31mthe\x1b[0m Minister\x9b2J\r\x00"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("日米外相会談", "日米外相会談"),
        ("a\tb\nc", "a\tb\nc"),
        ("red \x1b[1;31mtext\x1b[0m", "red text"),
        ("title \x1b]0;evil title\x07after", "title after"),
        ("link \x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\", "link here"),
        ("8-bit \x9b2Jcsi and \x9d0;osc\x9c", "8-bit csi and "),
        ("reset \x1bc done", "reset  done"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("over\rwrite", "overwrite"),
        ("windows\r\nline", "windows\nline"),
        ("unterminated \x1b]0;title", "unterminated 0;title"),
    ],
)
def test_printable_drops_sequences_and_controls(raw, shown):
    assert printable(raw) == shown


@given(st.text())
def test_printable_leaves_no_control_but_tab_and_newline(text):
    cleaned = printable(text)
    assert not CONTROLS.search(cleaned)
    assert printable(cleaned) == cleaned


def _hostile_view():
    content = doc(SEEDS[1])
    content["title"] = HOSTILE
    content["body"][0] = f"First paragraph {HOSTILE}"
    return view(content)


def test_subject_line_carries_no_control_characters():
    rendered = render_change(_hostile_view())
    assert not CONTROLS.search(rendered.subject)
    assert "Talks with the Minister" in rendered.subject


def test_slack_blocks_carry_no_control_characters():
    blocks = render_change(_hostile_view()).slack_blocks
    # json.dumps would escape controls; look at the strings themselves.
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', json.dumps(blocks))
    decoded = "".join(json.loads(f'"{s}"') for s in strings)
    assert not CONTROLS.search(decoded)
    assert "Talks with the Minister" in decoded


def test_console_channel_prints_no_control_characters():
    out = io.StringIO()
    ConsoleNotifier(stream=out).send(render_change(_hostile_view()))
    assert not CONTROLS.search(out.getvalue().replace("\n", ""))
    assert "Talks with the Minister" in out.getvalue()


def test_text_log_lines_carry_no_control_characters():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out = io.StringIO()
    try:
        configure_logging(stream=out)
        logging.getLogger("monitor.x").info("stored %s", HOSTILE, extra={"t": HOSTILE})
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    line = out.getvalue().rstrip("\n")
    assert not CONTROLS.search(line)
    assert "stored Talks with the Minister" in line
