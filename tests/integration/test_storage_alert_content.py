"""storage.alert_content: the rows behind a queued alert, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from storage.alert_content import (
    AlertRowsMissing,
    QueuedAlert,
    change_content,
    ops_content,
    queued_alerts,
)
from storage.db import unit_of_work
from storage.outbox import enqueue_alert
from storage.vocabulary import ChangeKind
from tests.factories import (
    T0,
    make_change,
    make_document,
    make_ops_event,
    make_version,
)


def _alert(session, channel, **subject):
    alert = enqueue_alert(session, channel=channel, now=T0, **subject)
    assert alert is not None
    return alert.id


def test_queued_alerts_come_in_id_order_and_skip_missing_ones(session_factory):
    with unit_of_work(session_factory) as session:
        record = make_version(session, make_document(1))
        change = make_change(
            session, record.document_id, to_version_id=record.version_id
        )
        event = make_ops_event(session)
        first = _alert(session, "mail", change_id=change.id)
        second = _alert(session, "slack", ops_event_id=event.id)
    with unit_of_work(session_factory) as session:
        found = queued_alerts(session, [second, second + 100, first])
    assert found == [
        QueuedAlert(first, "mail", "immediate", change.id, None),
        QueuedAlert(second, "slack", "immediate", None, event.id),
    ]


def test_a_change_alert_shows_its_version_and_its_thread_root(session_factory):
    with unit_of_work(session_factory) as session:
        old = make_version(session, make_document(1))
        new = make_version(session, make_document(1, title="Edited"))
        created = make_change(session, old.document_id, to_version_id=old.version_id)
        edited = make_change(
            session,
            new.document_id,
            kind=ChangeKind.UPDATED,
            from_version_id=old.version_id,
            to_version_id=new.version_id,
        )
        root = _alert(session, "mail", change_id=created.id)
        other_channel = _alert(session, "slack", change_id=edited.id)
        follow_up = _alert(session, "mail", change_id=edited.id)
    with unit_of_work(session_factory) as session:
        alerts = {
            a.id: a for a in queued_alerts(session, [root, other_channel, follow_up])
        }
        first = change_content(session, alerts[root])
        shown = change_content(session, alerts[follow_up])
        alone = change_content(session, alerts[other_channel])
    assert first.thread_root_alert_id is None
    assert (shown.kind, shown.seq, shown.content["title"]) == ("updated", 2, "Edited")
    assert shown.thread_root_alert_id == root
    assert alone.thread_root_alert_id is None  # the first on its channel


def test_a_removal_shows_the_content_it_had(session_factory):
    with unit_of_work(session_factory) as session:
        record = make_version(session, make_document(1, title="Last words"))
        removal = make_change(
            session,
            record.document_id,
            kind=ChangeKind.REMOVED,
            from_version_id=record.version_id,
        )
        alert_id = _alert(session, "mail", change_id=removal.id)
    with unit_of_work(session_factory) as session:
        (alert,) = queued_alerts(session, [alert_id])
        shown = change_content(session, alert)
    assert (shown.kind, shown.seq, shown.content["title"]) == (
        "removed",
        1,
        "Last words",
    )


def test_an_ops_alert_shows_its_event(session_factory):
    with unit_of_work(session_factory) as session:
        event = make_ops_event(session, kind="failing", subject="press", phase="ended")
        alert_id = _alert(session, "mail", ops_event_id=event.id)
    with unit_of_work(session_factory) as session:
        (alert,) = queued_alerts(session, [alert_id])
        shown = ops_content(session, alert)
    assert (shown.kind, shown.subject, shown.phase) == ("failing", "press", "ended")
    assert (shown.event_id, shown.detail, shown.created_at) == (event.id, {}, T0)


def test_alerts_whose_rows_are_gone_say_which_row(session_factory):
    with unit_of_work(session_factory) as session:
        with pytest.raises(AlertRowsMissing, match="alert 7: change 99 not found"):
            change_content(session, QueuedAlert(7, "mail", "immediate", 99, None))
        with pytest.raises(AlertRowsMissing, match="alert 8: ops event 5 not found"):
            ops_content(session, QueuedAlert(8, "mail", "immediate", None, 5))
