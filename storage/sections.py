"""Health of each configured section, from the outcome of its index pages."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Section, SectionState

logger = logging.getLogger(__name__)

_STATES = {
    "ok": SectionState.OK,
    "failed": SectionState.FAILING,
    "blocked": SectionState.BLOCKED,
}


def record_section_outcome(
    session: Session, name: str, outcome: str, now: datetime, error: str | None = None
) -> Section:
    """Record "ok", "failed" or "blocked" for the section; returns its updated row."""
    if outcome not in _STATES:
        raise ValueError(f"section outcome must be ok, failed or blocked: {outcome!r}")
    section = session.get(Section, name)
    if section is None:
        section = Section(name=name, state=SectionState.OK, consecutive_failures=0)
        session.add(section)
    state = _STATES[outcome]
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
