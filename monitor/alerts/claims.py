"""Who holds an alert while it is being sent: claims name their dispatcher as
"host:pid", so the claims of a dispatcher that died can be given back."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

# A claim older than this is taken for a dispatcher that hung or died elsewhere.
STALE_CLAIM = timedelta(minutes=10)


def this_host() -> str:
    return socket.gethostname()


def worker_name() -> str:
    """This dispatcher, as its claims name it."""
    return f"{this_host()}:{os.getpid()}"


def process_alive(pid: int) -> bool:
    """Whether a process of this host with that id still runs (this one does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
