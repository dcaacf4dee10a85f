"""The English page of a known Japanese document is one event, `translated`.

Its `new` change is already queued when the pair is found (the pair is made after
the cycle's own changes are detected). A channel that takes the `translated` alert
does not also get the `new`: its alert is withdrawn while still untried, and a
`new` left with no alert at all is recorded silent (reason "translated").
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import Alert, AlertStatus, Change
from storage.vocabulary import ChangeKind, SilentReason


def supersede_new(session: Session, document_id: int, translated_change_id: int) -> int:
    """Withdraw the document's untried `new` alerts on the channels the translated
    change goes to; silence a `new` left without alerts. How many were withdrawn."""
    channels = select(Alert.channel).where(Alert.change_id == translated_change_id)
    new_changes = list(
        session.scalars(
            select(Change).where(
                Change.document_id == document_id,
                Change.kind == ChangeKind.NEW,
                Change.is_silent.is_(False),
            )
        )
    )
    withdrawn = 0
    for change in new_changes:
        result = session.execute(
            delete(Alert)
            .where(
                Alert.change_id == change.id,
                Alert.status == AlertStatus.PENDING,
                Alert.attempts == 0,
                Alert.channel.in_(channels),
            )
            .execution_options(synchronize_session=False)
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        withdrawn += count
        if count and not _alerts_left(session, change.id):
            change.is_silent = True
            change.reason = SilentReason.TRANSLATED.value
    session.flush()
    return withdrawn


def _alerts_left(session: Session, change_id: int) -> bool:
    left = session.scalar(
        select(func.count()).select_from(Alert).where(Alert.change_id == change_id)
    )
    return bool(left)
