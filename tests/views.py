"""Change alerts as the renderers take them, for the renderer and notifier tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from monitor.alerts.render.cards import ChangeView
from monitor.detect.diff import FieldChange


def change_view(
    content: Mapping[str, Any],
    detected_at: datetime,
    *,
    alert_id: int,
    change_id: int,
    kind: str = "new",
    seq: int | None = 1,
    changes: Iterable[FieldChange] = (),
    root: int | None = None,
    counterpart: tuple[str, str, str | None] | None = None,
) -> ChangeView:
    """The alert of a change to the stored Document `content`; `root` is the alert
    that starts its thread (None: no thread)."""
    return ChangeView(
        alert_id=alert_id,
        change_id=change_id,
        kind=kind,
        document_url=content["url"],
        doc_id=content["doc_id"],
        doc_kind=content["kind"],
        seq=seq,
        content=content,
        changes=tuple(changes),
        detected_at=detected_at,
        thread_root_alert_id=root,
        counterpart=counterpart,
    )
