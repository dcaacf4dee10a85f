"""What the parent and the crawl process exchange: a run configuration, a record back.

Pure (no Scrapy, no I/O), so `monitor` may import it. The parent writes the RunConfig
as JSON to the crawl's standard input and closes it: nothing of it, the database
password least of all, is on the command line or in the environment. The crawl writes
CrawlEvent lines (JSON, one per line) to its standard output: its log records,
progress counts, and at the end the CrawlStats record.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, TypeAdapter, field_validator
from pydantic.dataclasses import dataclass

from storage.vocabulary import SectionState

__all__ = [
    "CrawlStats",
    "Language",
    "Progress",
    "RevisitPolicy",
    "RunConfig",
    "Section",
]

# Where the crawl reads its RunConfig from inside Scrapy (a settings key).
RUN_SETTING = "MOFAWATCH_RUN"

# The list pages each section starts from (paths on the site), for the crawl and check.
ENTRY_PAGES: dict[str, tuple[str, ...]] = {
    "press_releases": ("/press/release/index.html",),
    "press_conferences": ("/press/kaiken/index.html",),
    "statements": ("/press/statement/fm.html", "/press/statement/ps.html"),
    "japan_us": ("/na/na1/us/index.html",),
}
# The Japanese edition's list pages (research/mofa-site.md 1.4, 2.1). Assumed where
# unknown: no Japanese statements list (statements appear among press releases), the
# Minister's and the Press Secretary's conference lists on pages of their own.
JAPANESE_ENTRY_PAGES: dict[str, tuple[str, ...]] = {
    "press_releases": ("/mofaj/press/release/index.html",),
    "press_conferences": (
        "/mofaj/press/kaiken/gaisho/index.html",
        "/mofaj/press/kaiken/bn/index.html",
    ),
    "statements": (),
    "japan_us": ("/mofaj/na/na1/us/index.html",),
}
JAPANESE_PREFIX = "/mofaj/"
# Checked weekly once it answered 404: the site may not have it (statements: one
# list page answering is enough).
OPTIONAL_ENTRY_PAGES = frozenset(
    {"/press/statement/ps.html", "/mofaj/press/kaiken/bn/index.html"}
)


Days = Annotated[float, Strict(), Field(ge=0)]
# The largest page the crawl takes in ([crawl] max_response_bytes); the site's biggest
# pages (long transcripts) are a few hundred KB.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024


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


def path_language(path: str) -> Language:
    """The edition a site path belongs to: everything under /mofaj/ is Japanese."""
    return Language.JA if path.startswith(JAPANESE_PREFIX) else Language.EN


def entry_paths(section: str, languages: tuple[Language, ...]) -> tuple[str, ...]:
    """The list pages of one section in the configured editions, English first."""
    paths: tuple[str, ...] = ()
    if Language.EN in languages:
        paths += ENTRY_PAGES.get(section, ())
    if Language.JA in languages:
        paths += JAPANESE_ENTRY_PAGES.get(section, ())
    return paths


# Strictness lives on the fields, not the class: a class-level strict flag would make
# pydantic refuse the plain TOML table that [site.revisit] arrives as.
@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class RevisitPolicy:
    """How often known documents are fetched again, by age ([site.revisit])."""

    every_cycle_days: Days = 3.0
    daily_until_days: Days = 30.0
    weekly_until_days: Days = 365.0
    monthly_after: Annotated[bool, Strict()] = True
    # The per-cycle revisit budget: what fits in this share of the cycle's window
    # (the schedule interval, or the crawl time-out when shorter) at the configured
    # delay; max_per_cycle, when set, is the number itself.
    budget_share: Annotated[float, Strict(), Field(gt=0, le=1)] = 0.5
    max_per_cycle: Annotated[int, Strict(), Field(ge=0)] | None = None


class LogLevel(enum.StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RunConfig(_Frozen):
    """Everything one crawl needs; paths are absolute (the parent resolved them)."""

    database_url: str = Field(repr=False)  # may hold a password
    proxy_url: str | None = Field(default=None, repr=False)  # so may this
    base_url: str
    sections: tuple[Section, ...]
    languages: tuple[Language, ...] = (Language.EN,)
    since: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    user_agent: str
    download_delay: float = Field(ge=0)
    timeout_seconds: float = Field(gt=0)
    retry_times: int = Field(ge=0)
    retry_backoff_seconds: float = Field(default=2.0, ge=0)
    archive_recheck_days: float = Field(default=7.0, ge=0)
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, ge=1024)
    revisit: RevisitPolicy = RevisitPolicy()
    # Known documents fetched again in this crawl at most (most overdue first); None:
    # every due one. Index pages and documents never fetched are not counted.
    revisit_budget: int | None = Field(default=None, ge=0)
    # While a baseline is open: new documents fetched at most in this crawl; the rest
    # wait (silently) for the next cycles. None: every one.
    baseline_budget: int | None = Field(default=None, ge=1)
    # Whether an index page answered 304 is parsed again from its stored copy, for
    # documents an earlier crawl listed but did not get. The parent turns it off
    # when no baseline is open and the last crawl fetched all it was given.
    reread_unchanged_indexes: bool = True
    run_id: int | None = None
    warc_path: str | None = None
    now: datetime | None = None  # a fixed clock (tests, benchmarks); None: real time
    log_level: LogLevel = LogLevel.INFO
    parent_pid: int | None = None  # the crawl stops when this process is gone
    progress_seconds: float = Field(default=1.0, gt=0)

    @field_validator("warc_path")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("the WARC path must be absolute (resolved by the parent)")
        return value

    @property
    def since_month(self) -> tuple[int, int]:
        year, month = self.since.split("-")
        return int(year), int(month)

    def clock(self) -> datetime:
        """The crawl's clock: the fixed `now` when given, else the real time (UTC)."""
        if self.now is None:
            return datetime.now(UTC)
        return self.now if self.now.tzinfo else self.now.replace(tzinfo=UTC)


class IndexResult(enum.StrEnum):
    """What one index page fetch said about its section."""

    OK = "ok"
    MISSING = "missing"
    BLOCKED = "blocked"
    FAILED = "failed"
    DISALLOWED = "disallowed"


class Progress(_Frozen):
    """Running counts, sent while the crawl goes on."""

    requests: int = 0
    not_modified: int = 0  # answered 304
    new_documents: int = 0
    changed_documents: int = 0  # a new version of a document already known
    failed: int = 0  # fetches that gave no content, detail and index pages
    blocked: int = 0

    def describe(self) -> str:
        return (
            f"{self.requests} requests, {self.not_modified} answered 304, "
            f"{self.new_documents} new, {self.changed_documents} changed, "
            f"{self.failed} failed, {self.blocked} blocked"
        )


class ExtractErrorUrl(_Frozen):
    url: str
    error: str


class CrawlStats(BaseModel):
    """What a crawl did; stored as runs.stats["crawl"] and read back by from_run."""

    # Stored rows are read back by newer code: keys it no longer knows are dropped.
    model_config = ConfigDict(frozen=True, extra="ignore")

    requests: int = 0
    responses: int = 0
    not_modified: int = 0
    bytes: int = 0
    index_pages: int = 0
    index_blocked: int = 0
    index_failed: int = 0
    index_missing: int = 0
    detail_fetches: int = 0
    new_documents: int = 0
    changed_documents: int = 0
    new_versions: int = 0
    unchanged: int = 0
    extract_errors: int = 0
    extract_error_urls: tuple[ExtractErrorUrl, ...] = ()
    missing: int = 0
    removed: int = 0
    blocked: int = 0  # detail pages
    failed: int = 0  # detail pages that gave no content (whatever the cause)
    soft_404: int = 0  # "not found" pages served with 200, counted as missing
    too_large: int = 0  # bodies past max_response_bytes (also in failed/index_failed)
    redirect_loops: int = 0  # also in failed / index_failed
    retries: int = 0
    refused_redirects: int = 0  # 3xx or meta refresh off-host (also failed)
    robots_forbidden: int = 0
    deferred: int = 0  # new documents of a baseline left for the next cycles
    robots_status: int = 0
    sections: dict[str, SectionState] = {}
    section_errors: dict[str, str] = {}
    finish_reason: str = ""

    @field_validator("sections", mode="before")
    @classmethod
    def _older_rows(cls, value: Any) -> Any:
        # Rows written before one vocabulary said "failed" for a failing section.
        if isinstance(value, Mapping):
            return {k: "failing" if v == "failed" else v for k, v in value.items()}
        return value

    @property
    def all_index_blocked(self) -> bool:
        """Every section blocked (403/429/challenge): exit code 4."""
        states = self.sections.values()
        return bool(states) and all(s is SectionState.BLOCKED for s in states)

    @property
    def left_work(self) -> bool:
        """Whether this crawl may have left listed documents unfetched: it failed to
        get pages, deferred new ones, or did not run to its end."""
        unfinished = self.finish_reason != "finished"
        return unfinished or bool(self.fetch_problems or self.deferred)

    @property
    def fetch_problems(self) -> dict[str, int]:
        """Counts of fetch problems by name; any of them makes the exit code 1."""
        named = {
            "failed": self.failed,
            "index_failed": self.index_failed,
            "blocked": self.blocked,
            "index_blocked": self.index_blocked,
            "too_large": self.too_large,
            "redirect_loops": self.redirect_loops,
            "refused_redirects": self.refused_redirects,
        }
        return {name: n for name, n in named.items() if n}

    @property
    def failing_sections(self) -> dict[str, str]:
        """Sections that got no usable index page, and why (exit code 1 too)."""
        return {
            name: self.section_errors.get(name) or "no index page answered"
            for name, state in self.sections.items()
            if state is SectionState.FAILING
        }

    @property
    def progress(self) -> Progress:
        return Progress(
            requests=self.requests,
            not_modified=self.not_modified,
            new_documents=self.new_documents,
            changed_documents=self.changed_documents,
            failed=self.failed + self.index_failed,
            blocked=self.blocked + self.index_blocked,
        )

    def to_run_stats(self) -> dict[str, Any]:
        return {"crawl": self.model_dump(mode="json")}

    @classmethod
    def from_run(cls, stats: Mapping[str, Any] | None) -> CrawlStats | None:
        """The record stored in a run's statistics; None if the crawl left none."""
        crawl = (stats or {}).get("crawl")
        if not isinstance(crawl, Mapping) or not crawl:
            return None
        return cls.model_validate(crawl)


class LogEvent(_Frozen):
    event: Literal["log"] = "log"
    level: LogLevel
    logger: str
    message: str


class ProgressEvent(_Frozen):
    event: Literal["progress"] = "progress"
    progress: Progress


class StatsEvent(_Frozen):
    event: Literal["stats"] = "stats"
    stats: CrawlStats


CrawlEvent = Annotated[
    LogEvent | ProgressEvent | StatsEvent, Field(discriminator="event")
]
CRAWL_EVENT: TypeAdapter[LogEvent | ProgressEvent | StatsEvent] = TypeAdapter(
    CrawlEvent
)


def encode_event(event: LogEvent | ProgressEvent | StatsEvent) -> str:
    return event.model_dump_json() + "\n"


def decode_event(line: str) -> LogEvent | ProgressEvent | StatsEvent | None:
    """The event on one output line of the crawl; None for anything else."""
    if not line.startswith("{"):
        return None
    try:
        return CRAWL_EVENT.validate_json(line)
    except ValueError:
        return None
