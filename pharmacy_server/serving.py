"""Running the app under uvicorn: one process, or ``--workers N`` on one socket.

With several workers uvicorn spawns fresh interpreters that import the app by name, so
each builds its own from ``worker_app``, the factory, reading what to serve from
``PHARMACY_WORKER_SPEC`` (set by the parent: the database URL as configured, never its
key, the state folder, demo mode, the log format). Each worker opens the database as
the parent did: the SQLCipher key from its key file, the secret key from its file (both
made once by the parent before the workers start), the schema already checked.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from pharmacy_server.config import ServerSettings
from pharmacy_server.deployment_checks import SECRET_KEY_FILE_NAME
from pharmacy_server.edge import MAX_REQUEST_HEAD_BYTES
from pharmacy_server.http_protocol import JsonErrorH11Protocol

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("pharmacy_server")

WORKER_SPEC_ENV = "PHARMACY_WORKER_SPEC"


@dataclass(frozen=True)
class AppSpec:
    """What a worker process needs to build the same app as its parent."""

    database_url: str
    state_dir: str
    demo_mode: bool
    log_format: str
    #: The folder the workers' metrics meet in (made by ``run_workers``).
    metrics_dir: str = ""


@dataclass(frozen=True)
class TlsFiles:
    certfile: Path
    keyfile: Path | None


def secret_key(settings_key: str, key_file: Path) -> str:
    """The key that seals TOTP seeds: from settings, else a key file made on first run."""
    from pharmacy_server.private_files import create_key_file_once
    from pharmacy_server.security import new_secret_key_text

    if settings_key:
        return settings_key
    # Made whole, then linked into place: a second server starting at once reads it.
    key, created = create_key_file_once(key_file, new_secret_key_text())
    if created:
        log.warning("created a new server secret key file (keep it with the database backups)")
    return key


def serving_settings(
    settings: ServerSettings, state_dir: Path, *, demo_mode: bool
) -> ServerSettings:
    updates: dict[str, object] = {
        "secret_key": secret_key(settings.secret_key, state_dir / SECRET_KEY_FILE_NAME),
        "demo_mode": demo_mode,
    }
    if not settings.notify_dir:
        updates["notify_dir"] = str(state_dir / "mail")
    return settings.model_copy(update=updates)


def worker_app() -> FastAPI:
    """The app factory each ``--workers`` process calls (by its import name)."""
    from pharmacy_server.app import create_app
    from pharmacy_server.database_setup import prepare_database
    from pharmacy_server.db import Database
    from pharmacy_server.metrics import SharedMetrics
    from pharmacy_server.request_context import configure_logging
    from pharmacy_server.security import server_passwords

    spec = AppSpec(**json.loads(os.environ[WORKER_SPEC_ENV]))
    configure_logging(spec.log_format)
    state = Path(spec.state_dir)
    settings = ServerSettings(database_url=spec.database_url)
    engine_url = prepare_database(
        spec.database_url, settings, state, demo=spec.demo_mode, migrate=False
    )
    passwords = server_passwords(
        max_concurrent=settings.max_concurrent_password_checks,
        cheap=settings.test_cheap_hashing,
        demo_mode=spec.demo_mode,
    )
    settings = serving_settings(settings, state, demo_mode=spec.demo_mode)
    metrics = SharedMetrics(Path(spec.metrics_dir)) if spec.metrics_dir else None
    return create_app(
        settings, database=Database.from_url(engine_url), passwords=passwords, metrics=metrics
    )


def bind_listening_socket(host: str, port: int) -> socket.socket:
    """Bound before serving, so ``--port 0`` gives a port we can report."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol named, not 0: asyncio sets TCP_NODELAY on an accepted connection only
    # when the socket says IPPROTO_TCP, and accepted sockets (in every worker too) inherit
    # the listener's. Without it each small reply waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: FastAPI | str, *, tls: TlsFiles | None, workers: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        factory=isinstance(app, str),
        workers=workers,
        ssl_certfile=str(tls.certfile) if tls else None,
        ssl_keyfile=str(tls.keyfile) if tls and tls.keyfile else None,
        log_config=None,
        # The app logs each request itself, without the query string (http_hygiene).
        access_log=False,
        # uvicorn would believe X-Forwarded-For from any loopback peer; the app trusts
        # only PHARMACY_TRUSTED_PROXIES.
        proxy_headers=False,
        timeout_graceful_shutdown=5,
        http=JsonErrorH11Protocol,
        # Big enough that an oversized header reaches the app and is answered 431.
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
    )


def run_one(
    app: FastAPI,
    sock: socket.socket,
    *,
    tls: TlsFiles | None,
    on_listening: Callable[[], None],
    watch: Callable[[Callable[[], None]], threading.Event] | None = None,
) -> bool:
    """Serve ``app`` on ``sock`` in this process; whether it started. ``watch`` is given
    the function that stops the server and returns an event that ends its watch."""

    class _ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                on_listening()

    server = _ReadyServer(uvicorn_config(app, tls=tls, workers=1))

    def shut_down() -> None:
        # uvicorn's own main loop sees this within 0.1 s and shuts down gracefully.
        server.should_exit = True

    finished = watch(shut_down) if watch is not None else None
    try:
        server.run(sockets=[sock])
    finally:
        if finished is not None:
            finished.set()
    return bool(server.started)


def run_workers(
    spec: AppSpec,
    sock: socket.socket,
    *,
    tls: TlsFiles | None,
    workers: int,
    on_listening: Callable[[], None],
) -> None:
    """Serve ``sock`` from ``workers`` processes until SIGTERM or SIGINT."""
    from uvicorn.supervisors import Multiprocess

    # Where the workers write their counts for /metrics (private, gone after the run).
    metrics_dir = Path(tempfile.mkdtemp(prefix="metrics-", dir=spec.state_dir))
    spec = replace(spec, metrics_dir=str(metrics_dir))
    os.environ[WORKER_SPEC_ENV] = json.dumps(asdict(spec))
    config = uvicorn_config(f"{__name__}:worker_app", tls=tls, workers=workers)
    # Listening before the workers start: a connection made meanwhile waits in the
    # backlog instead of being refused, so the ready file can be written now.
    sock.listen(config.backlog)
    on_listening()
    log.info("serving with %d worker processes", workers)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
