"""Every read the web view makes: pages of changes (keyset, newest first), one
document with its versions and raw snapshots, the meeting readouts, and a way to run
the other read-side functions (status, feed) on the same database."""

from __future__ import annotations

from storage.browse.archive import Archive
from storage.browse.changes import ChangeFilter, ChangeItem, ChangePage
from storage.browse.documents import DocumentPage, RawSnapshot, VersionItem
from storage.browse.meetings import MeetingReadout

__all__ = [
    "Archive",
    "ChangeFilter",
    "ChangeItem",
    "ChangePage",
    "DocumentPage",
    "MeetingReadout",
    "RawSnapshot",
    "VersionItem",
]
