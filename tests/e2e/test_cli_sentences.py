"""What a user can get wrong ends in one sentence and the contracted exit code,
never a traceback: the real `mofawatch` in a subprocess, real pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine, opened_database, unit_of_work, upgrade_database
from tests.factories import T0, make_change, make_document, make_version

pytestmark = pytest.mark.e2e

UNKNOWN_REVISION = "ffffffffffff"


def _env(database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOFAWATCH_")}
    if database_url is not None:
        env["MOFAWATCH_DATABASE_URL"] = database_url
    # Nothing is crawled in these tests; a closed port makes sure of it.
    env["MOFAWATCH_BASE_URL"] = "http://127.0.0.1:9"
    return env


def mofawatch(cwd: Path, *args: str, database_url: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def assert_one_line(result, code: int, *words: str):
    """The command exited `code` with exactly one line on stderr naming `words`."""
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "args", [("run", "--dry-run"), ("status",), ("status", "--json")], ids=" ".join
)
def test_a_database_never_initialised_says_run_init(tmp_path, args):
    url = f"sqlite:///{tmp_path / 'never.db'}"
    result = mofawatch(tmp_path, *args, database_url=url)
    assert_one_line(result, 2, "never.db", "mofawatch init")
    assert result.stdout == ""
    assert not (tmp_path / "never.db").exists()  # reading created nothing


def test_dry_run_on_an_empty_database_file_says_run_init(tmp_path):
    (tmp_path / "empty.db").touch()
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = mofawatch(tmp_path, "run", "--dry-run", database_url=url)
    assert_one_line(result, 2, "no mofawatch schema", "mofawatch init")


@pytest.fixture
def newer_schema(tmp_path) -> str:
    """A database whose alembic_version names a revision this code does not ship."""
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :rev"),
            {"rev": UNKNOWN_REVISION},
        )
    engine.dispose()
    return url


@pytest.mark.parametrize(
    "args",
    [("run",), ("init", "--no-config-file"), ("daemon",), ("status",), ("changes",)],
    ids=lambda args: args[0],
)
def test_a_newer_schema_is_named_in_one_line(tmp_path, newer_schema, args):
    result = mofawatch(tmp_path, *args, database_url=newer_schema)
    line = assert_one_line(result, 2, UNKNOWN_REVISION, "newer mofawatch")
    assert "healthy" not in result.stdout + line


def test_replay_with_a_garbage_database_url_says_so(tmp_path, fixtures_dir):
    source = str(fixtures_dir / "replay" / "html")
    result = mofawatch(tmp_path, "replay", source, database_url="garbage")
    assert_one_line(result, 2, "garbage", "not a supported database URL")


def test_export_of_an_unknown_kind_names_the_valid_kinds(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = mofawatch(tmp_path, "export", "--kind", "bogus", database_url=url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'bogus' is not one of" in result.stderr
    for kind in ("press_release", "press_conference", "statement", "page"):
        assert kind in result.stderr


@pytest.fixture(scope="module")
def many_rows(tmp_path_factory) -> str:
    """A database whose `changes` and `export` output far exceed a pipe's buffer
    (64 KiB on Linux), so the writer is still writing when the reader leaves."""
    url = f"sqlite:///{tmp_path_factory.mktemp('many') / 'many.db'}"
    with (
        opened_database(url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        for n in range(150):
            title = f"Readout {n} " + "with a long title " * 60
            result = make_version(session, make_document(n, title=title))
            make_change(
                session,
                result.document_id,
                to_version_id=result.version_id,
                detected_at=T0 + timedelta(seconds=n),
            )
    return url


@pytest.mark.parametrize("command", ["changes", "export"])
def test_a_reader_that_leaves_early_ends_the_command_quietly(
    tmp_path, many_rows, command
):
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-q", command],
        cwd=tmp_path,
        env=_env(many_rows),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stdout.readline()  # like `| head -1`
    process.stdout.close()
    _, err = process.communicate(timeout=90)
    assert err.decode() == ""
    assert process.returncode == 0


def test_the_shell_pipeline_into_head_prints_one_line_and_no_error(tmp_path, many_rows):
    result = subprocess.run(
        [
            "bash",
            "-o",
            "pipefail",
            "-c",
            f"{sys.executable} -m monitor changes | head -1",
        ],
        cwd=tmp_path,
        env=_env(many_rows),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""


HOSTILE_TITLE = "Visit \x1b]0;owned\x07of \x1b[31mthe\x1b[0m Minister\x9b2J\r"


@pytest.fixture
def hostile_db(tmp_path) -> str:
    """Two versions of a page whose title and body carry terminal controls."""
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    with (
        opened_database(url, upgrade=True) as factory,
        unit_of_work(factory) as session,
    ):
        first = make_version(session, make_document(title=HOSTILE_TITLE))
        second = make_version(
            session,
            make_document(
                title=HOSTILE_TITLE + " (corrected)", body=["kept\x1bc", "\x1b[2J"]
            ),
            now=T0 + timedelta(hours=1),
        )
        make_change(session, first.document_id, to_version_id=first.version_id)
        make_change(
            session,
            first.document_id,
            to_version_id=second.version_id,
            from_version_id=first.version_id,
            detected_at=T0 + timedelta(hours=1),
        )
    return url


@pytest.mark.parametrize(
    "args",
    [
        ("changes",),
        ("history", "pressite_000001_00001"),
        ("diff", "pressite_000001_00001"),
    ],
    ids=lambda args: args[0],
)
def test_terminal_controls_from_pages_never_reach_the_terminal(
    tmp_path, hostile_db, args
):
    result = mofawatch(tmp_path, *args, database_url=hostile_db)
    assert result.returncode == 0, result.stderr
    assert "Visit ]0;owned" not in result.stdout
    assert "Visit of the Minister" in result.stdout
    for control in ("\x1b", "\x07", "\x9b", "\r"):
        assert control not in result.stdout + result.stderr


def test_json_output_keeps_the_page_text_as_it_is(tmp_path, hostile_db):
    import json

    result = mofawatch(tmp_path, "changes", "--json", database_url=hostile_db)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["title"] == HOSTILE_TITLE
    assert "\x1b" not in result.stdout  # escaped by JSON itself, as \u001b
