"""Log lines carry time, level and fields; the progress bar draws only on a terminal."""

from __future__ import annotations

import io
import json
import logging

from monitor.cli.logs import configure_logging
from monitor.cli.progress import Progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_log_line_has_time_level_message_and_fields(restore_root_logger):
    out = io.StringIO()
    configure_logging(stream=out)
    logging.getLogger("monitor.x").info("cycle done", extra={"run_id": 7, "why": "a b"})
    line = out.getvalue().strip()
    assert line.endswith('INFO monitor.x: cycle done run_id=7 why="a b"')
    assert line[:4].isdigit()
    assert "T" in line.split()[0]


def test_json_log_line_is_one_object_with_fields(restore_root_logger):
    out = io.StringIO()
    configure_logging(fmt="json", stream=out)
    logging.getLogger("monitor.x").warning("blocked", extra={"section": "japan_us"})
    entry = json.loads(out.getvalue())
    assert entry["level"] == "warning"
    assert entry["message"] == "blocked"
    assert entry["section"] == "japan_us"
    assert entry["time"].endswith("+00:00")


def test_quiet_hides_info_and_verbose_shows_debug(restore_root_logger):
    out = io.StringIO()
    configure_logging(quiet=True, stream=out)
    logging.getLogger("monitor.x").info("hidden")
    assert out.getvalue() == ""
    configure_logging(verbose=True, stream=out)
    logging.getLogger("monitor.x").debug("shown")
    assert "shown" in out.getvalue()


def test_progress_draws_nothing_when_stderr_is_not_a_terminal():
    out = io.StringIO()
    with Progress("replay", 5, stream=out) as bar:
        for _ in range(5):
            bar.advance()
        bar.report(5, 5)
    assert out.getvalue() == ""


def test_progress_draws_a_bar_with_counts_on_a_terminal():
    out = _Tty()
    with Progress("replay", 3, stream=out) as bar:
        for _ in range(3):
            bar.advance()
    text = out.getvalue()
    assert text.startswith("\rreplay:")
    assert "3/3" in text
    assert "100%" in text


def test_progress_learns_its_total_late():
    out = _Tty()
    with Progress("reextract", stream=out) as bar:
        bar.report(40, 100)
        bar.report(100, 100)
    assert "40/100" in out.getvalue()
    assert "100/100" in out.getvalue()


def test_progress_without_total_shows_a_count():
    out = _Tty()
    with Progress("export", unit="doc", stream=out) as bar:
        bar.advance(4)
    assert "export: 4doc" in out.getvalue()
