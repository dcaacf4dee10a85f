"""Which few pages `check` asks for, and what each answer means.

robots.txt first; then, per configured section and language edition, its list
pages (when robots.txt allows them) and the newest detail pages they link to.
Nothing is stored.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import crawler.extract.listing as listing
from crawler.blocking import BLOCKED_STATUSES, is_challenge
from crawler.contract import OPTIONAL_ENTRY_PAGES, Language, entry_paths
from crawler.extract.encoding import decode_html
from crawler.extract.extractor import ExtractionError, extract_with_report
from monitor.check.client import Answer, PoliteClient, RobotsRules
from monitor.check.findings import Findings, findings_of

PROXY_AUTH_REQUIRED = 407


class Verdict(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"  # answered, but something a user needs is not there
    BLOCKED = "blocked"  # 403/429 or a bot challenge
    FAILED = "failed"  # no usable answer (5xx, time-out, redirect, proxy refusal)
    DISALLOWED = "disallowed"  # robots.txt forbids it: not asked for


class Role(enum.StrEnum):
    ROBOTS = "robots"
    INDEX = "index"
    DETAIL = "detail"


@dataclass(frozen=True, slots=True)
class PageReport:
    role: Role
    section: str | None
    url: str
    status: int
    verdict: Verdict
    note: str
    findings: Findings | None = None
    language: Language = Language.EN


@dataclass(frozen=True, slots=True)
class CheckPlan:
    base_url: str
    sections: tuple[str, ...]
    details_per_section: int
    today: date
    languages: tuple[Language, ...] = (Language.EN,)


Report = Callable[[PageReport], None]


def run_check(client: PoliteClient, plan: CheckPlan, report: Report) -> None:
    """Ask for robots.txt, then each section's pages in each configured edition
    (English first); report every URL as it comes."""
    robots = client.robots(plan.base_url)
    report(_robots_report(robots))
    if not robots.available:
        return  # what the crawl does too: nothing is fetched without robots.txt
    seen: set[str] = set()
    for section in plan.sections:
        for language in plan.languages:
            where = _Where(section, language)
            listed = _check_index_pages(client, plan, where, robots.allows, report)
            newest = [d for d in _newest(listed) if d.url not in seen]
            for document in newest[: plan.details_per_section]:
                seen.add(document.url)
                report(_check_detail(client, where, document.url, robots.allows))


@dataclass(frozen=True, slots=True)
class _Where:
    """The section and edition a page is checked for."""

    section: str
    language: Language


def _robots_report(robots: RobotsRules) -> PageReport:
    answer = robots.answer
    verdict, note = _answer_verdict(answer)
    if verdict is not Verdict.BLOCKED:
        if not robots.available:
            verdict = Verdict.FAILED
            note = f"{note or 'unreadable'}: nothing may be fetched"
        elif answer.status == 200:
            verdict, note = Verdict.OK, "rules read"
        else:
            verdict, note = Verdict.OK, f"HTTP {answer.status}: everything allowed"
    return PageReport(Role.ROBOTS, None, answer.url, answer.status, verdict, note)


def _check_index_pages(
    client: PoliteClient,
    plan: CheckPlan,
    where: _Where,
    allows: Callable[[str, str], bool],
    report: Report,
) -> list[listing.ListedDocument]:
    listed: list[listing.ListedDocument] = []
    for path in entry_paths(where.section, (where.language,)):
        url = plan.base_url.rstrip("/") + path
        if not allows(url, client.user_agent):
            report(_disallowed(Role.INDEX, where, url))
            continue
        answer = client.get(url)
        verdict, note = _answer_verdict(answer)
        if answer.status in (404, 410) and path in OPTIONAL_ENTRY_PAGES:
            verdict, note = Verdict.OK, "not on the site (optional list page)"
        elif verdict is Verdict.OK:
            html, _ = decode_html(answer.body, answer.charset)
            page = listing.parse_index(
                html, url, base_url=plan.base_url, today=plan.today
            )
            listed += page.documents
            count = len(page.documents)
            note = f"{count} detail link{'' if count == 1 else 's'}"
            if not count:
                verdict, note = Verdict.MISSING, "no detail links found"
        report(_page(Role.INDEX, where, url, answer.status, verdict, note))
    return listed


def _check_detail(
    client: PoliteClient, where: _Where, url: str, allows: Callable[[str, str], bool]
) -> PageReport:
    if not allows(url, client.user_agent):
        return _disallowed(Role.DETAIL, where, url)
    answer = client.get(url)
    verdict, note = _answer_verdict(answer)
    if verdict is not Verdict.OK:
        return _page(Role.DETAIL, where, url, answer.status, verdict, note)
    try:
        document, how = extract_with_report(
            answer.body, url, http_charset=answer.charset
        )
    except ExtractionError as exc:
        note = f"unrecognizable page: {exc}"
        return _page(Role.DETAIL, where, url, 200, Verdict.MISSING, note)
    # the path (landmarks or structure) is the extractor's report, not the Document's
    found = findings_of({**document.to_dict(), "extraction_path": how.path.value})
    verdict = Verdict.MISSING if found.missing else Verdict.OK
    return _page(Role.DETAIL, where, url, 200, verdict, "extracted", found)


def _page(
    role: Role,
    where: _Where,
    url: str,
    status: int,
    verdict: Verdict,
    note: str,
    findings: Findings | None = None,
) -> PageReport:
    return PageReport(
        role, where.section, url, status, verdict, note, findings, where.language
    )


def _answer_verdict(answer: Answer) -> tuple[Verdict, str]:
    """What an HTTP answer means before its content is looked at."""
    status = answer.status
    if status == 0:
        return Verdict.FAILED, f"no answer: {answer.error or 'connection failed'}"
    if is_challenge(status, answer.cf_mitigated, answer.body):
        return Verdict.BLOCKED, f"bot challenge page (HTTP {status})"
    if status in BLOCKED_STATUSES:
        return Verdict.BLOCKED, f"refused by the site (HTTP {status})"
    if status == PROXY_AUTH_REQUIRED:
        return Verdict.FAILED, "the proxy wants credentials (MOFAWATCH_PROXY_URL)"
    if 300 <= status < 400:
        return Verdict.FAILED, f"redirected to {answer.location or '?'}"
    if status in (404, 410):
        return Verdict.MISSING, f"not found (HTTP {status})"
    if status != 200:
        return Verdict.FAILED, f"HTTP {status}"
    return Verdict.OK, ""


def _disallowed(role: Role, where: _Where, url: str) -> PageReport:
    return _page(role, where, url, 0, Verdict.DISALLOWED, "robots.txt disallows it")


def _newest(
    documents: Iterable[listing.ListedDocument],
) -> list[listing.ListedDocument]:
    """Newest listing date first; undated links after, in page order."""
    unique = list({d.url: d for d in documents}.values())
    return sorted(unique, key=lambda d: (d.listed_on is None, -_ordinal(d.listed_on)))


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day is not None else 0
