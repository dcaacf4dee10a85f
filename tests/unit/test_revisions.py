"""The shipped revisions read from the migration files agree with Alembic's own walk."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

from storage import revisions
from storage.db import alembic_config


def test_the_files_give_alembics_chain_and_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    walked = tuple(reversed([rev.revision for rev in script.walk_revisions()]))
    assert revisions.shipped_revisions() == walked
    assert revisions.head() == script.get_current_head()


def test_a_branching_chain_is_refused() -> None:
    with pytest.raises(revisions.RevisionChainError, match="branch"):
        revisions._line({"0001": None, "0002": "0001", "0003": "0001"})


def test_a_revision_off_the_line_is_refused() -> None:
    with pytest.raises(revisions.RevisionChainError, match="outside the line"):
        revisions._line({"0001": None, "0002": "0001", "0009": "0008", "0008": "0009"})
