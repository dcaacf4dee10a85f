"""Health of each configured section, from the outcome of its index pages."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Section, SectionState

logger = logging.getLogger(__name__)


def record_section_outcome(
    session: Session,
    name: str,
    state: SectionState,
    now: datetime,
    error: str | None = None,
) -> Section:
    """Record this cycle's state of the section; returns its updated row."""
    state = SectionState(state)  # a stray string is refused here, not stored
    section = session.get(Section, name)
    if section is None:
        section = Section(name=name, state=SectionState.OK, consecutive_failures=0)
        session.add(section)
    if section.state != state or section.since is None:
        section.since = now
    section.state = state
    section.last_checked_at = now
    if state == SectionState.OK:
        section.consecutive_failures = 0
        section.last_ok_at = now
        section.last_error = None
    else:
        section.consecutive_failures = (section.consecutive_failures or 0) + 1
        section.last_error = error
    session.flush()
    return section


def section_health(session: Session) -> list[Section]:
    """Every known section, by name."""
    return list(session.scalars(select(Section).order_by(Section.name)))
