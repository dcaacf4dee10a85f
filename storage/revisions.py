"""The schema revisions this package ships, read from its migration files.

Every command that opens the database first checks the schema's revision against
these. Reading the `revision` and `down_revision` lines of the files costs a folder
listing; loading Alembic's script directory for the same answer cost a third of a
second of every read command's start-up. tests/unit/test_revisions.py holds the two
to the same answer.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"

_REVISION = re.compile(r'^revision: str = "([^"]+)"$', re.MULTILINE)
_DOWN = re.compile(r'^down_revision: str \| None = (?:"([^"]+)"|None)$', re.MULTILINE)


class RevisionChainError(RuntimeError):
    """The migration files do not form one line of revisions."""


@functools.cache
def shipped_revisions() -> tuple[str, ...]:
    """Every shipped revision, oldest first."""
    parents: dict[str, str | None] = {}
    for path in sorted(VERSIONS_DIR.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN.search(text)
        if revision is None or down is None:
            raise RevisionChainError(f"{path.name}: no revision/down_revision line")
        parents[revision.group(1)] = down.group(1)
    return _line(parents)


def head() -> str:
    """The newest shipped revision."""
    return shipped_revisions()[-1]


def _line(parents: dict[str, str | None]) -> tuple[str, ...]:
    children = {parent: child for child, parent in parents.items()}
    if len(children) != len(parents) or None not in children:
        raise RevisionChainError(f"the revisions branch or have no root: {parents}")
    chain: list[str] = []
    current = children.get(None)
    while current is not None:
        chain.append(current)
        current = children.get(current)
    if len(chain) != len(parents):
        raise RevisionChainError(f"revisions outside the line from the root: {parents}")
    return tuple(chain)
