"""The crawl's progress on a terminal: a tqdm bar fed by the crawl's progress events.

Only when standard error is a terminal, and only for a crawl that lasts (tqdm's
delay): cron and systemd logs get the one "crawl finished" line instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from crawler.contract import Progress

SHOW_AFTER_SECONDS = 2.0
FALLBACK_SIZE = (80, 24)


def _size(stream: TextIO) -> tuple[int, int]:
    try:
        size = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError):
        return FALLBACK_SIZE
    return (size.columns or FALLBACK_SIZE[0], size.lines or FALLBACK_SIZE[1])


@contextlib.contextmanager
def crawl_progress(
    stream: TextIO | None = None,
) -> Iterator[Callable[[Progress], None] | None]:
    """A progress callback for run_crawl, or None when nobody watches."""
    stream = stream if stream is not None else sys.stderr
    if not stream.isatty():
        yield None
        return
    columns, rows = _size(stream)
    bar = tqdm(
        desc="crawl",
        unit=" requests",
        file=stream,
        delay=SHOW_AFTER_SECONDS,
        leave=False,
        # tqdm hides its bar on a terminal that reports no size (0 x 0).
        ncols=columns,
        nrows=rows,
    )

    def update(progress: Progress) -> None:
        bar.set_postfix_str(
            f"304: {progress.not_modified}, new: {progress.new_documents}, "
            f"changed: {progress.changed_documents}, failed: {progress.failed}",
            refresh=False,
        )
        bar.update(progress.requests - bar.n)  # drawn once the delay has passed

    # Log lines are written above the bar instead of through it.
    with logging_redirect_tqdm(tqdm_class=tqdm), bar:
        yield update
