"""Helpers for detect, dispatch and ops tests: documents, versions, fake channels."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from monitor.alerts.notifiers.base import NotifyError
from monitor.config import ChannelSettings
from storage.db import unit_of_work
from storage.models import Alert, Change
from storage.snapshots import FetchRecord, store_snapshot
from storage.versions import record_version
from tests.servers import HOST

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
URL = "https://www.mofa.go.jp/press/release/pressite_000001_00001.html"
READOUT: dict[str, Any] = {
    "url": URL,
    "doc_id": "pressite_000001_00001",
    "language": "en",
    "kind": "press_release",
    "section": "Japan-United States of America Relations",
    "title": "Japan-U.S. Foreign Ministers' Meeting",
    "date": "2026-11-01",
    "body": [
        "On November 1, commencing at 10:00 for approximately 45 minutes, Mr. "
        "TAKEMURA Ichiro, Minister for Foreign Affairs, held a meeting with Ms. "
        "Jane Doerr, Secretary of State.",
        "The two ministers confirmed close cooperation on North Korea.",
    ],
    "captions": [],
    "provisional_translation": False,
    "placeholder": False,
    "japanese_url": None,
    "english_url": None,
    "topics": ["North Korea"],
    "meeting": {
        "format": "meeting",
        "started_at_local": "10:00",
        "started_at_jst": None,
        "duration_minutes": 45,
        "location": None,
        "participants": [
            {
                "name": "TAKEMURA Ichiro",
                "role": "Minister for Foreign Affairs",
                "side": "japan",
            },
            {"name": "Jane Doerr", "role": "Secretary of State", "side": "counterpart"},
        ],
        "counterpart_country": "United States",
    },
    "exchanges": [],
}


def document(**over: Any) -> dict[str, Any]:
    doc = copy.deepcopy(READOUT)
    doc.update(over)
    return doc


# The readout with a sentence added: an update of it.
EDITED = document(body=[READOUT["body"][0], "They also discussed the Indo-Pacific."])


def email_channel(
    port: int, *, to: tuple[str, ...] = ("desk@example.org",), timeout: float = 3
) -> ChannelSettings:
    """The channel "desk": plain SMTP to the loopback server on `port`."""
    return ChannelSettings(
        name="desk",
        type="email",
        to=to,
        sender="mofawatch@example.org",
        smtp_host=HOST,
        smtp_port=port,
        security="none",
        timeout_seconds=timeout,
    )


def store(
    factory,
    doc: dict[str, Any],
    now: datetime,
    *,
    extractor: str = "1",
    body: bytes | None = None,
    url: str | None = None,
):
    """Record one version (with a snapshot of `body`, if given), as ingest would."""
    url = url or doc["url"]
    with unit_of_work(factory) as session:
        snapshot = None
        if body is not None:
            snapshot = store_snapshot(
                session, FetchRecord(url=url, fetched_at=now, status=200, body=body)
            )
        return record_version(session, url, doc, snapshot, extractor, now)


def changes(factory) -> list[Change]:
    with factory() as session:
        return list(session.scalars(select(Change).order_by(Change.id)))


def alerts(factory) -> list[Alert]:
    with factory() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def later(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class RecordingNotifier:
    """A channel that keeps what it was given; can fail a number of times first."""

    def __init__(
        self,
        name: str,
        *,
        fail: int = 0,
        retry_after: float | None = None,
        error: type[Exception] | None = None,
    ) -> None:
        self.name = name
        self.sent: list[Any] = []
        self.attempts = 0
        self._fail = fail
        self._retry_after = retry_after
        self._error = error

    def send(self, message: Any) -> None:
        self.attempts += 1
        if self._fail > 0:
            self._fail -= 1
            if self._error is not None:
                raise self._error("boom")
            raise NotifyError("server said no", retry_after=self._retry_after)
        self.sent.append(message)

    @property
    def subjects(self) -> list[str]:
        return [m.subject for m in self.sent]
