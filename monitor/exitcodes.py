"""Exit codes of the mofawatch commands (DESIGN.md "CLI")."""

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    LOCKED = 3
    BLOCKED = 4
