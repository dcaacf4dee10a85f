"""The web view served by waitress: in the foreground (`serve`) or in a thread of the
daemon."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from waitress import create_server

from monitor.config import ConfigError, Settings
from monitor.web.app import create_app
from monitor.web.security import require_protection
from storage.browse import Archive

logger = logging.getLogger(__name__)

THREADS = 4  # light beside the daemon; pages are short reads


POLL_SECONDS = 0.5  # how soon a close() from another thread is seen


@dataclass
class WebServer:
    """A bound server: its address, and how to run and stop it."""

    archive: Archive
    server: Any  # waitress's server; its type is not part of its public API
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host = str(self.server.effective_host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server.effective_port}/"

    def run(self) -> None:
        """Serve until close() (from another thread) or an interrupt. The sockets
        are closed by this thread, never under a poll of another."""
        server = self.server
        try:
            while not self.stopping.is_set():
                server.asyncore.loop(
                    timeout=POLL_SECONDS,
                    map=server._map,
                    use_poll=server.adj.asyncore_use_poll,
                    count=1,
                )
        finally:
            server.task_dispatcher.shutdown()
            for channel in list(server._map.values()):  # the listener, connections
                channel.close()
            self.archive.close()

    def close(self) -> None:
        """Ask run() to stop (it returns within POLL_SECONDS)."""
        self.stopping.set()


def bind_server(settings: Settings, host: str, port: int) -> WebServer:
    """The web view over the configured database, bound to host:port (not yet
    answering). ConfigError when unprotected off loopback; the database errors of
    a database that cannot serve."""
    require_protection(settings.web, host)
    archive = Archive(settings.database_url)
    try:
        app = create_app(archive, settings)
        server = create_server(
            app, host=host, port=port, threads=THREADS, ident="mofawatch"
        )
    except BaseException:
        archive.close()
        raise
    return WebServer(archive, server)


def serve_in_thread(settings: Settings) -> WebServer:
    """Bind as [web] says and answer from a daemon thread (the daemon's web view);
    ConfigError naming [web] host and port when they cannot be bound."""
    host, port = settings.web.host, settings.web.port
    try:
        web = bind_server(settings, host, port)
    except OSError as exc:
        raise ConfigError(
            f"[web] host, port: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    threading.Thread(target=web.run, name="mofawatch-web", daemon=True).start()
    logger.info("web view at %s", web.url)
    return web
