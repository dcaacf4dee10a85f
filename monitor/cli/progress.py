"""A tiny progress bar on stderr, drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Self, TextIO, TypeVar

T = TypeVar("T")
_WIDTH = 30
_EVERY_SECONDS = 0.1


class Progress:
    """Counts work done; redraws one line at most ten times a second."""

    def __init__(
        self, total: int | None, label: str = "", stream: TextIO | None = None
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._drawn_at = 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self._enabled and now - self._drawn_at >= _EVERY_SECONDS:
            self._drawn_at = now
            self._draw()

    def close(self) -> None:
        if self._enabled:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        if self.total:
            filled = min(_WIDTH, _WIDTH * self.done // self.total)
            bar = "#" * filled + "." * (_WIDTH - filled)
            line = f"{self.label} [{bar}] {self.done}/{self.total}"
        else:
            line = f"{self.label} {self.done}"
        self._stream.write(f"\r{line}")
        self._stream.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def progress(
    iterable: Iterable[T],
    total: int | None = None,
    label: str = "",
    *,
    stream: TextIO | None = None,
) -> Iterator[T]:
    """Yield the items of `iterable`, showing a bar while it is consumed."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    with Progress(total, label, stream) as bar:
        for item in iterable:
            yield item
            bar.update()
