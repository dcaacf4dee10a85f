"""Loopback servers for the channel tests (a pytest plugin: see tests/conftest.py).

- `smtp_server`: aiosmtpd on 127.0.0.1, plain SMTP, AUTH accepted without TLS; received
  mail is parsed into `email.message.EmailMessage` objects (`.messages`), with the
  envelope (`.envelopes`) and the logins seen (`.logins`); `.stop()` / `.start()`
  make an outage on the same port; recipients in `.refuse` are refused at RCPT TO.
- `smtp_server_starttls` / `smtp_server_ssl`: the same with STARTTLS required / TLS
  from the first byte, and a self-signed certificate made at test time;
  `.client_context` trusts it.
- `http_receiver`: stdlib ThreadingHTTPServer recording POSTs (`.requests`), answering
  200 unless told otherwise with `respond_with(status, headers=..., body=..., times=n)`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Envelope:
    mail_from: str
    rcpt_tos: list[str]


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # each message as it arrived
    logins: list[tuple[str, str]] = field(default_factory=list)
    # Recipients answered "550 no such user" at RCPT TO (the others are accepted).
    refuse: set[str] = field(default_factory=set)
    client_context: ssl.SSLContext | None = None
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    _controller: Any = field(default=None, repr=False)

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()
        self.raw.clear()
        self.logins.clear()

    @property
    def is_running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Listen on `port` (again, after stop(): an outage that ends)."""
        from aiosmtpd.controller import Controller

        if self._controller is None:
            controller = Controller(
                _Recorder(self), hostname=self.host, port=self.port, **self.options
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        """Stop listening: connections to `port` are refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class _Recorder:
    """aiosmtpd handler: parse and keep every message."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self,
        server: Any,
        session: Any,
        envelope: Any,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.server.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        self.server.messages.append(message)
        self.server.raw.append(bytes(envelope.content))
        self.server.envelopes.append(
            Envelope(envelope.mail_from, list(envelope.rcpt_tos))
        )
        return "250 OK"


def _authenticator(server: SmtpServer) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(
        _smtp: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> Any:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)  # aiosmtpd answers 535
        login = data.login.decode()
        password = data.password.decode()
        server.logins.append((login, password))
        return AuthResult(success=password != "wrong", handled=False)

    return check


@contextlib.contextmanager
def _running_smtp(
    tls: ssl.SSLContext | None = None,
    client: ssl.SSLContext | None = None,
    *,
    implicit: bool = False,
) -> Iterator[SmtpServer]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = SmtpServer(HOST, free_port(), client_context=client)
    server.options = {
        "authenticator": _authenticator(server),
        # aiosmtpd counts only STARTTLS as TLS; implicit TLS must allow AUTH itself.
        "auth_require_tls": tls is not None and not implicit,
    }
    if tls is not None and implicit:
        server.options.update(ssl_context=tls)
    elif tls is not None:
        server.options.update(tls_context=tls, require_starttls=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with _running_smtp() as server:
        yield server


@pytest.fixture
def smtp_server_starttls(tmp_path: Path) -> Iterator[SmtpServer]:
    cert, key = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    with _running_smtp(server_context, client_context) as server:
        yield server


@pytest.fixture
def smtp_server_ssl(tmp_path: Path) -> Iterator[SmtpServer]:
    cert, key = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    with _running_smtp(server_context, client_context, implicit=True) as server:
        yield server


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class _Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    times: int


class HttpReceiver:
    """A loopback HTTP endpoint; `url` is its base URL."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._replies: list[_Reply] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                reply = receiver._record(
                    ReceivedRequest("POST", self.path, dict(self.headers.items()), body)
                )
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def respond_with(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests with `status`; then the default 200."""
        with self._lock:
            self._replies.append(_Reply(status, dict(headers or {}), body, times))

    def bodies(self) -> list[bytes]:
        return [request.body for request in self.requests]

    def _record(self, request: ReceivedRequest) -> _Reply:
        with self._lock:
            self.requests.append(request)
            if not self._replies:
                return _Reply(200, {"Content-Type": "text/plain"}, b"ok", 1)
            reply = self._replies[0]
            reply.times -= 1
            if reply.times <= 0:
                self._replies.pop(0)
            return reply

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
