"""deploy/: units pass systemd-analyze, compose parses, env example holds names only."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = ["mofawatch-daemon.service", "mofawatch-run.service", "mofawatch-run.timer"]
INSTALLED_BIN = "/opt/mofawatch/.venv/bin/mofawatch"


def test_every_deploy_file_exists():
    for rel in [
        *(f"systemd/{u}" for u in UNITS),
        "cron/mofawatch.crontab",
        "Dockerfile",
        "docker-compose.yml",
        "mofawatch.env.example",
    ]:
        assert (DEPLOY / rel).is_file(), rel


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed on this machine",
)
def test_systemd_units_verify(tmp_path):
    # The units name the installed binary; point them at this venv's so verify can
    # check everything else (directives, dependencies, the timer's unit).
    here = str(Path(sys.executable).parent / "mofawatch")
    for unit in UNITS:
        text = (DEPLOY / "systemd" / unit).read_text()
        (tmp_path / unit).write_text(text.replace(INSTALLED_BIN, here))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u) for u in UNITS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "mofawatch" not in result.stderr, result.stderr


def test_units_run_the_documented_commands():
    daemon = (DEPLOY / "systemd" / "mofawatch-daemon.service").read_text()
    run = (DEPLOY / "systemd" / "mofawatch-run.service").read_text()
    timer = (DEPLOY / "systemd" / "mofawatch-run.timer").read_text()
    assert f"ExecStart={INSTALLED_BIN} daemon" in daemon
    assert "KillSignal=SIGTERM" in daemon
    assert f"ExecStart={INSTALLED_BIN} run" in run
    assert "Type=oneshot" in run
    assert "SuccessExitStatus=3" in run
    assert "Unit=mofawatch-run.service" in timer


def test_crontab_line_has_five_fields_and_runs_mofawatch():
    lines = [
        line
        for line in (DEPLOY / "cron" / "mofawatch.crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert fields[0] == "*/30"
    assert "mofawatch -q run" in fields[5]


def test_compose_has_app_postgres_and_volumes():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"app", "db"}
    assert services["db"]["image"].startswith("postgres:")
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    app = services["app"]
    assert app["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["MOFAWATCH_DATABASE_URL"].startswith(
        "postgresql+psycopg://"
    )
    assert set(compose["volumes"]) == {"pgdata", "appdata"}
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).is_file()


def test_dockerfile_runs_as_non_root_with_status_healthcheck():
    text = (DEPLOY / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*CMD mofawatch -q status", text, re.MULTILINE)
    assert 'ENTRYPOINT ["mofawatch"]' in text
    for src in re.findall(r"^COPY\s+(.+)\s+\S+$", text, re.MULTILINE):
        for name in src.split():
            assert (DEPLOY.parent / name).exists(), name


def test_env_example_has_names_and_no_values():
    names = []
    for line in (DEPLOY / "mofawatch.env.example").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert value == "", f"{name} has a value in the example"
        names.append(name)
    assert {
        "MOFAWATCH_DATABASE_URL",
        "MOFAWATCH_SMTP_PASSWORD",
        "MOFAWATCH_SLACK_WEBHOOK_URL",
        "MOFAWATCH_BASE_URL",
    } <= set(names)
