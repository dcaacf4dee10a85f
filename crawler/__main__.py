"""`python -m crawler`: one crawl, configured by the RunConfig JSON on standard input.

`mofawatch run` (monitor/runner/crawl.py) starts it. Standard output carries the
crawl's events (crawler.logevents); standard error only what escapes logging.
Exit status: 0 when the spider finished, 1 when it did not, 2 for a bad RunConfig.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import NoReturn

from pydantic import ValidationError

from crawler.contract import RunConfig
from crawler.lifeline import bind_to_parent

FINISHED = "finished"


def read_run_config() -> RunConfig:
    """Read standard input once, to its end; the parent closes it after writing."""
    return RunConfig.model_validate_json(sys.stdin.buffer.read())


def crawl(run: RunConfig) -> int:
    """Run the mofa spider under Scrapy with the settings of this run."""
    # Imported here, near the bottom of the stack, rather than by Scrapy from deep
    # inside the engine's start: at import this module names its deprecated
    # classes with inspect.stack(), whose cost grows with the depth of the stack.
    import scrapy.core.downloader.handlers.http11  # noqa: F401
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler import logevents
    from crawler.settings import per_run
    from storage.locks import crawl_guard

    events = logevents.open_channel()
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(per_run(run), priority="cmdline")
    with crawl_guard(run.database_url):
        process = CrawlerProcess(settings)
        logevents.install(events, run.log_level)  # after Scrapy set up logging
        crawler = process.create_crawler("mofa")
        process.crawl(crawler)
        process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    return 0 if reason == FINISHED and not process.bootstrap_failed else 1


def main() -> int:
    try:
        run = read_run_config()
    except ValidationError as exc:
        # Never the input itself: it holds the database URL.
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}"
            for e in exc.errors(include_input=False)
        )
        print(f"crawl: unusable run configuration: {problems}", file=sys.stderr)
        return 2
    bind_to_parent(run.parent_pid)
    return crawl(run)


def exit_at_once(code: int) -> NoReturn:
    """End a crawl that finished without dismantling the interpreter: everything
    it did is committed and its events are written (each one flushed), and taking
    Scrapy, Twisted and the ORM apart module by module costs about half a second,
    more than a quiet cycle's requests. Any other end takes the usual way out, in
    which Twisted reports the failures that nothing waited for."""
    if code != 0:
        raise SystemExit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_at_once(main())
