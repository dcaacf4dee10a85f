"""The closed sets of values the configuration names, one enum per concept.

Those the crawler or storage already own are theirs (imported, not copied): sections and
languages are part of the crawl's contract, document kinds are the extractor's, and the
events a rule matches are the kinds of change stored.
"""

from __future__ import annotations

import enum

from crawler.contract import Language, Section
from crawler.extract.document import DocumentKind
from storage.vocabulary import ChangeKind as EventKind

__all__ = [
    "AlertMode",
    "ChannelType",
    "DocumentKind",
    "EventKind",
    "Language",
    "Section",
    "Security",
]


class ChannelType(enum.StrEnum):
    """Where a [[channels]] entry delivers alerts."""

    EMAIL = "email"
    SLACK = "slack"
    WEBHOOK = "webhook"
    CONSOLE = "console"
    APPRISE = "apprise"


class Security(enum.StrEnum):
    """How an email channel talks to its SMTP server."""

    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"

    @property
    def default_port(self) -> int:
        """The port a server listens on for this kind of connection."""
        return {Security.NONE: 25, Security.STARTTLS: 587, Security.SSL: 465}[self]


class AlertMode(enum.StrEnum):
    """When a rule's alerts go out: at once, or in an hourly or daily digest."""

    IMMEDIATE = "immediate"
    HOURLY = "hourly"
    DAILY = "daily"
