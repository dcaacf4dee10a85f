"""Progress of long work, drawn with tqdm only when stderr is a terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Self, TextIO


class Progress:
    """A bar on a terminal; nothing at all on a pipe or a file (logs stay clean)."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        unit: str = "page",
        stream: TextIO | None = None,
    ) -> None:
        from tqdm import tqdm  # only the commands that draw a bar pay for it

        # disable=None is tqdm's "draw only when the stream is a TTY".
        self._bar = tqdm(
            total=total,
            desc=label,
            unit=unit,
            file=stream if stream is not None else sys.stderr,
            disable=None,
            dynamic_ncols=True,
        )

    def advance(self, n: int = 1) -> None:
        self._bar.update(n)

    def report(self, done: int, total: int) -> None:
        """Set the figures outright (for work that learns its total late)."""
        if self._bar.disable:
            return
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
