"""Every command's --help says what it does, its options with defaults, and an
example; click's usage errors exit 2; the README's Commands table and --help agree."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from monitor.cli.history import change_lines
from monitor.cli.main import cli, main
from storage.history import ChangeRow
from tests.factories import T0

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


COMMANDS = list(_commands())


def _help(capsys, *args: str):
    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS]
)
def test_help_says_what_it_does_its_options_and_an_example(capsys, path, command):
    text = _help(capsys, *path)
    assert text.startswith(f"Usage: mofawatch {' '.join(path)} ")
    assert command.help
    assert command.help.split("\n")[0].strip() in text
    examples = text.split("Examples:\n", 1)[1]
    assert f"mofawatch {path[0]}" in examples
    for option in command.params:
        if not isinstance(option, click.Option):
            continue
        assert option.opts[-1] in text, option.name
        assert option.help, option.name
        default = option.to_info_dict()["default"]
        if default is not None and not option.is_flag:
            assert f"[default: {default}" in text, option.name
        elif not option.is_flag:
            # No default value: the help says in words what happens without it.
            assert "[default: " in option.help, option.name


def test_root_help_lists_every_command_with_exit_codes_and_globals(capsys):
    text = _help(capsys)
    for name in cli.commands:
        assert re.search(rf"^  {name}\s+\S", text, re.MULTILINE), name
    for option in ("--config FILE", "-v, --verbose", "-q, --quiet", "--log-format"):
        assert option in text
    assert "Exit codes: 0 ok; 1" in text


def test_readme_commands_table_names_every_command_and_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands\n\n", 1)[1].split("\n\n", 1)[0]
    for path, command in COMMANDS:
        if isinstance(command, click.Group):
            continue
        assert f"`{' '.join(path)}" in table, path
        for option in command.params:
            if isinstance(option, click.Option):
                assert option.opts[-1] in table, (path, option.opts[-1])


@pytest.mark.parametrize(
    "args",
    [
        ["nosuchcommand"],
        ["changes", "--bogus"],
        ["-v", "-q", "changes"],
        ["export", "--format", "xml"],
        ["feed", "--limit", "0"],
        ["diff"],
        [],
    ],
)
def test_usage_errors_exit_2(capsys, args):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "Usage: mofawatch" in err


def test_python_dash_m_monitor_is_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: mofawatch [OPTIONS] COMMAND")


def test_help_loads_neither_the_database_nor_the_extractor_nor_the_config_schema():
    probe = (
        "import sys; from monitor.cli.main import main; code = main(['--help']); "
        "print(sorted(m for m in ('sqlalchemy', 'bs4', 'scrapy', 'tqdm', 'pydantic') "
        "if m in sys.modules), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stderr.strip() == "[]"


def _row(n: int, doc_id: str, kind: str = "new") -> ChangeRow:
    return ChangeRow(
        id=n,
        detected_at=T0,
        kind=kind,
        doc_id=doc_id,
        url=f"https://www.mofa.go.jp/{doc_id}.html",
        title=f"Title {n}",
        date=None,
        from_seq=None,
        to_seq=1,
        fields=(),
        is_silent=False,
        reason=None,
    )


def test_changes_columns_stay_aligned_for_long_ids_and_kinds():
    rows = [
        _row(1, "page4e_001274"),
        _row(2, "press4e_003170_with_a_much_longer_identifier", "restored"),
        _row(3, "p1", "updated"),
    ]
    lines = change_lines(rows)
    starts = {line.index(f"Title {n}") for n, line in enumerate(lines, start=1)}
    assert len(starts) == 1
    assert all(
        "  " + row.doc_id + " " in line for row, line in zip(rows, lines, strict=True)
    )


def test_changes_lines_keep_the_familiar_layout_for_ordinary_ids():
    (line,) = change_lines([_row(1, "page4e_001274")])
    assert line == "2026-01-05T09:00  new       page4e_001274     Title 1"
