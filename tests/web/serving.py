"""`mofawatch serve` in a subprocess, and plain HTTP requests to it."""

from __future__ import annotations

import base64
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message

from tests.e2e.cli_helpers import Installation

SERVING = "serving the archive at "


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Served:
    """A running `mofawatch serve --port 0`; its URL read from its first line."""

    def __init__(self, installation: Installation, *args: str, env: dict[str, str]):
        self.proc = subprocess.Popen(
            installation.command("serve", "--port", "0", *args),
            env={**installation.env, **env},
            cwd=installation.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # blocks until the server is bound
        if SERVING not in line:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=30)
            raise AssertionError(f"serve did not start: {line!r} {err[-2000:]}")
        self.first_line = line
        self.url = line.split(SERVING, 1)[1].split()[0]

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return request(self.url + path.lstrip("/"), headers=headers)

    def stop(self) -> int:
        """SIGTERM, then its exit code; what it printed is kept in `output`."""
        self.proc.terminate()
        try:
            out, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate(timeout=30)
        self.output = out + err
        return self.proc.returncode


def request(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> Answer:
    wanted = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(wanted, timeout=30) as answer:
            return Answer(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}
