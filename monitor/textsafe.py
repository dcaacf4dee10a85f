"""Page text made safe for a terminal, a mail subject or a chat message.

A page can carry escape sequences (a title with ESC ] 0 ; ... BEL retitles the
terminal; CSI sequences move the cursor and overwrite what was printed before it).
Text that a person reads goes through `printable` at the edge where it leaves us;
JSON output does not need it, because JSON escapes control characters itself.
"""

from __future__ import annotations

import re

# Whole sequences first, so that their parameters do not survive as stray text:
# CSI (7-bit and 8-bit), then OSC / DCS / SOS / PM / APC strings up to their
# terminator (BEL or ST), then any other two-character escape.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -~]"
)
# Every C0 control but tab and newline, DEL, and the C1 range.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without terminal escape sequences and control characters.

    Tab and newline stay; a CR-LF pair becomes a newline, a lone CR goes (it would
    let a later part of the line overwrite an earlier one).
    """
    if text.isprintable():
        return text
    cleaned = _SEQUENCES.sub("", text.replace("\r\n", "\n"))
    return _CONTROLS.sub("", cleaned)
