"""The lines `check` prints and the exit code its answers give."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from crawler.contract import Language
from monitor.check.findings import Findings
from monitor.check.probe import PageReport, Role, Verdict
from monitor.config import Settings
from monitor.config.proxy import masked_proxy
from monitor.exitcodes import ExitCode


def header_line(settings: Settings) -> str:
    """Where check goes, as whom, how fast and by which route (credentials masked)."""
    site = settings.site
    route = "direct"
    if settings.proxy_url:
        route = f"through proxy {masked_proxy(settings.proxy_url)}"
    return (
        f"check: {site.base_url} as {site.user_agent!r}, "
        f"{site.download_delay:g} s between requests, {route}"
    )


def page_lines(page: PageReport) -> list[str]:
    """One line for the URL, and for a detail page what was found and is missing."""
    where = page.role.value if page.section is None else f"{page.section} {page.role}"
    if page.language is not Language.EN:
        where = f"{page.section} ({page.language}) {page.role}"
    status = str(page.status) if page.status else "-"
    head = f"{page.verdict.upper():<10} {status:>3}  {where}  {page.url}"
    lines = [head + (f"  ({page.note})" if page.note else "")]
    if page.findings is not None:
        lines += ["    " + line for line in _finding_lines(page.findings)]
    return lines


def _finding_lines(found: Findings) -> list[str]:
    lines = [f"title: {found.title or '-'}"]
    body = f"{found.paragraphs} paragraph{'' if found.paragraphs == 1 else 's'}"
    if found.placeholder:
        body += " (placeholder: the text will be coming soon)"
    facts = [
        f"date: {found.date or '-'}",
        f"body: {body}",
        f"captions: {found.captions}",
        f"meeting: {found.meeting or '-'}",
    ]
    if found.path:
        facts.append(f"path: {found.path}")
    lines.append("; ".join(facts))
    lines.append(f"missing: {', '.join(found.missing) if found.missing else 'nothing'}")
    return lines


def exit_code(pages: Iterable[PageReport]) -> ExitCode:
    """4 when the site blocked a request, 1 when anything is missing or failed, else 0.

    No detail page checked at all counts as missing: nothing says the extractor works.
    """
    pages = list(pages)
    verdicts = Counter(p.verdict for p in pages)
    if verdicts[Verdict.BLOCKED]:
        return ExitCode.BLOCKED
    details = [p for p in pages if p.role is Role.DETAIL]
    if set(verdicts) - {Verdict.OK} or not details:
        return ExitCode.FAILED
    return ExitCode.OK


def summary_line(pages: Iterable[PageReport], requests: int) -> str:
    pages = list(pages)
    verdicts = Counter(p.verdict for p in pages)
    counts = ", ".join(f"{verdicts[v]} {v}" for v in Verdict if verdicts[v])
    code = exit_code(pages)
    meaning = {
        ExitCode.OK: "all good",
        ExitCode.FAILED: "something is missing or failed",
        ExitCode.BLOCKED: "the site blocked us",
    }[code]
    return (
        f"check: {_count(len(pages), 'URL')}, {_count(requests, 'request')}: "
        f"{counts or 'nothing'}; {meaning} (exit {int(code)})"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
