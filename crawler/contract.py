"""What the parent tells the crawl subprocess: the values both sides must agree on.

Pure (no Scrapy): `monitor` imports this module and nothing else of the crawler but the
extractor.
"""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import ConfigDict, Field, Strict
from pydantic.dataclasses import dataclass

Days = Annotated[float, Strict(), Field(ge=0)]


class Section(enum.StrEnum):
    """A part of the site the crawl can watch ([site] sections)."""

    PRESS_RELEASES = "press_releases"
    PRESS_CONFERENCES = "press_conferences"
    STATEMENTS = "statements"
    JAPAN_US = "japan_us"


class Language(enum.StrEnum):
    """A language edition of the site ([site] languages)."""

    EN = "en"
    JA = "ja"


# Strictness lives on the fields, not the class: a class-level strict flag would make
# pydantic refuse the plain TOML table that [site.revisit] arrives as.
@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class RevisitPolicy:
    """How often known documents are fetched again, by age ([site.revisit])."""

    every_cycle_days: Days = 3.0
    daily_until_days: Days = 30.0
    weekly_until_days: Days = 365.0
    monthly_after: Annotated[bool, Strict()] = True
