"""The crawl's tie to the process that started it: when the parent is gone, stop.

A crawl outliving its cycle would go on fetching and writing for a run nobody
records, beside the next cycle's crawl. On Linux the kernel kills the crawl when its
parent dies (PR_SET_PDEATHSIG); elsewhere, and as a second line, the ParentWatch
extension (crawler/extensions/lifeline.py) polls. No Scrapy here: this runs first.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PARENT_GONE_EXIT = 70


def parent_gone(parent_pid: int) -> bool:
    # An orphan is re-parented (to init or a subreaper): its parent pid changes.
    return os.getppid() != parent_pid


def bind_to_parent(parent_pid: int | None) -> None:
    """Die with the parent; exit at once if it is already gone (a start-up race)."""
    if parent_pid is None:
        return
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_gone(parent_pid):
        os._exit(PARENT_GONE_EXIT)
