"""How the commands write for people: page text made printable, help epilogs."""

from __future__ import annotations

import click

from monitor.textsafe import printable


def say(text: str = "", *, err: bool = False) -> None:
    """One line (or block) for a person; terminal controls from pages removed."""
    click.echo(printable(text), err=err)


def emit(text: str) -> None:
    """Machine-readable output (JSON) as it is: JSON escapes controls itself."""
    click.echo(text)


def complain(command: str, message: str) -> None:
    """The one line a command prints on stderr before a non-zero exit."""
    prefix = f"mofawatch {command}" if command else "mofawatch"
    say(f"{prefix}: {message}", err=True)


def examples(*lines: str) -> str:
    """A help epilog of example command lines, laid out as written."""
    # "\b" on its own line keeps click from re-wrapping the paragraph after it.
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
