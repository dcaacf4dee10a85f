"""A forward HTTP proxy on 127.0.0.1 for the proxy tests (stdlib only; a pytest plugin).

It takes absolute-form requests (`GET http://host/path`), checks Proxy-Authorization
when it was given credentials (407 otherwise), forwards the request to the origin and
relays the answer. Every request it saw is in `.requests`.

Fixture: `forward_proxy` (no credentials; `.require(user, password)` to demand them).
"""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

HOST = "127.0.0.1"
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te"}
    | {"trailer", "transfer-encoding", "upgrade"}
)


@dataclass(frozen=True, slots=True)
class ProxiedRequest:
    method: str
    url: str
    user_agent: str | None
    authorized: bool
    status: int


@dataclass
class ForwardProxy:
    port: int = 0
    requests: list[ProxiedRequest] = field(default_factory=list)
    credentials: str | None = None  # "user:password" demanded, if any
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@{HOST}:{self.port}"

    def require(self, user: str, password: str) -> None:
        self.credentials = f"{user}:{password}"

    def paths(self) -> list[str]:
        with self._lock:
            return [urlsplit(r.url).path for r in self.requests]

    def record(self, request: ProxiedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> ForwardProxy:
        proxy = self

        class Handler(_ProxyHandler):
            owner = proxy

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    owner: ForwardProxy
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._forward()

    def do_HEAD(self) -> None:
        self._forward()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _authorized(self) -> bool:
        wanted = self.owner.credentials
        if wanted is None:
            return True
        token = base64.b64encode(wanted.encode()).decode()
        return self.headers.get("Proxy-Authorization", "") == f"Basic {token}"

    def _forward(self) -> None:
        target = urlsplit(self.path)
        authorized = self._authorized()
        agent = self.headers.get("User-Agent")
        if target.scheme != "http" or not target.hostname:
            self._answer(400, b"absolute http URL expected", {})
            status = 400
        elif not authorized:
            self._answer(407, b"", {"Proxy-Authenticate": 'Basic realm="test"'})
            status = 407
        else:
            status = self._relay(target.hostname, target.port or 80, target)
        self.owner.record(
            ProxiedRequest(self.command, self.path, agent, authorized, status)
        )

    def _relay(self, host: str, port: int, target: Any) -> int:
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
        }
        path = target.path + (f"?{target.query}" if target.query else "")
        origin = http.client.HTTPConnection(host, port, timeout=30)
        try:
            origin.request(self.command, path or "/", headers=headers)
            answer = origin.getresponse()
            body = answer.read()
            relayed = {
                k: v for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP
            }
            self._answer(answer.status, body, relayed, head=self.command == "HEAD")
            return answer.status
        except OSError:
            self._answer(502, b"origin unreachable", {})
            return 502
        finally:
            origin.close()

    def _answer(
        self, status: int, body: bytes, headers: dict[str, str], *, head: bool = False
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy().start()
    try:
        yield proxy
    finally:
        proxy.stop()
