"""Logging set-up: one line per event (time, level, logger, message, fields) on stderr.

Fields are the `extra={...}` of a log call: `key=value` after the message in text,
keys of the object in JSON. Secrets never go into fields.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from monitor.textsafe import printable

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Libraries whose INFO lines are noise in a cycle log.
_QUIET_LOGGERS = ("apscheduler.executors", "alembic.runtime.migration")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(
        timespec="milliseconds"
    )


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return json.dumps(text, ensure_ascii=False) if (" " in text or not text) else text


class TextFormatter(logging.Formatter):
    """`TIME LEVEL logger: message key=value ...`, exception on following lines.

    Messages may quote page text, and this stream is often a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{_time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        )
        extra = " ".join(f"{k}={_text_value(v)}" for k, v in _fields(record).items())
        if extra:
            line = f"{line} {extra}"
        line = printable(line)
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_fields(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(
    *,
    verbose: bool = False,
    quiet: bool = False,
    fmt: str = "text",
    stream: TextIO | None = None,
) -> None:
    """Send every log record to stderr (or `stream`) in the chosen format."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
