"""The crawl's progress on a terminal: a tqdm bar fed by the crawl's progress events.

Only when standard error is a terminal, and only for a crawl that lasts (tqdm's
delay): cron and systemd logs get the one "crawl finished" line instead.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from crawler.contract import Progress

SHOW_AFTER_SECONDS = 2.0


@contextlib.contextmanager
def crawl_progress(
    stream: TextIO | None = None,
) -> Iterator[Callable[[Progress], None] | None]:
    """A progress callback for run_crawl, or None when nobody watches."""
    stream = stream if stream is not None else sys.stderr
    if not stream.isatty():
        yield None
        return
    bar = tqdm(
        desc="crawl",
        unit=" requests",
        file=stream,
        delay=SHOW_AFTER_SECONDS,
        leave=False,
        dynamic_ncols=True,
    )

    def update(progress: Progress) -> None:
        bar.update(progress.requests - bar.n)
        bar.set_postfix_str(
            f"304: {progress.not_modified}, new: {progress.new_documents}, "
            f"changed: {progress.changed_documents}, failed: {progress.failed}",
            refresh=True,
        )

    # Log lines are written above the bar instead of through it.
    with logging_redirect_tqdm(tqdm_class=tqdm), bar:
        yield update
