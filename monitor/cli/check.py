"""`mofawatch check`: a polite look at the live site; nothing is written anywhere."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from monitor.cli.context import Context, pass_context
from monitor.cli.output import examples, say

MAX_DETAILS = 2


@click.command(
    epilog=examples(
        "mofawatch check",
        "mofawatch check --details 2",
        "MOFAWATCH_PROXY_URL=http://user:secret@proxy.example:3128 mofawatch check",
    )
)
@click.option(
    "--details",
    type=click.IntRange(1, MAX_DETAILS),
    default=1,
    metavar="N",
    help=f"Newest detail pages to try per section and language (1-{MAX_DETAILS}).",
)
@pass_context
def check(ctx: Context, details: int) -> int:
    """Ask the site for a handful of pages and show what the extractor finds.

    robots.txt first, then each configured section's list page and its newest
    detail pages, in each configured language edition ([site] languages: the
    Japanese /mofaj/ list pages and their newest pages too when it has "ja"),
    with the configured User-Agent, download_delay and proxy, and only where
    robots.txt allows. For each URL: the HTTP status, whether the site
    blocked us (403, 429 or a bot challenge), and on detail pages the title, date,
    body paragraphs, captions and meeting facts found, and what is missing.
    Nothing is stored.

    Exit 0 all good, 1 something missing or failed, 4 the site blocked a request.
    """
    from monitor.check.client import client_for
    from monitor.check.probe import CheckPlan, PageReport, run_check
    from monitor.check.report import exit_code, header_line, page_lines, summary_line

    settings = ctx.settings()
    plan = CheckPlan(
        base_url=settings.site.base_url,
        sections=tuple(settings.site.sections),
        details_per_section=details,
        today=datetime.now(UTC).date(),
        languages=tuple(settings.site.languages),
    )
    pages: list[PageReport] = []

    def show(page: PageReport) -> None:
        pages.append(page)
        for line in page_lines(page):
            say(line)

    say(header_line(settings))
    with client_for(settings) as client:
        run_check(client, plan, show)
    say(summary_line(pages, client.requests))
    return exit_code(pages)
