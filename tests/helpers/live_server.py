"""Start a real ``pharmacy-server`` process on a random loopback port for a test.

The server picks its own port (``--port 0``) and reports it through a ready file,
so parallel test sessions never race for a port. We then wait for ``/healthz``:
the ready file is written once the socket accepts connections, but checking the
health route too proves the application (not only the socket) is up.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pharmacy_server.database_encryption import encrypted_sqlite_url, sqlite_path
from pharmacy_server.database_setup import DATABASE_KEY_FILE_NAME
from pharmacy_server.private_files import PRIVATE_FILE_MODE, ensure_private_folder, read_key_file

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
_POLL_INTERVAL_S = 0.05

DEMO_PASSWORD = "demo-password"


class LiveServerError(RuntimeError):
    """The server process did not come up (its stderr is in the message)."""


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path = field(repr=False)
    configured_url: str | None = field(default=None, repr=False)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if the process does not exit in time. Safe to call twice."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)

    def kill(self) -> None:
        """SIGKILL at once: for crash tests."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)

    @property
    def database_url(self) -> str:
        """A URL that opens this server's database (SQLite with the key file it made)."""
        if self.configured_url is None:
            return demo_database_url(self.data_dir)
        database = sqlite_path(self.configured_url)
        if database is None:
            return self.configured_url
        key = read_key_file(self.data_dir / DATABASE_KEY_FILE_NAME)
        return encrypted_sqlite_url(database, key)

    def log_text(self) -> str:
        """Everything the server wrote to stdout/stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


DEMO_DATABASE_NAME = "pharmacy.sqlite3"


def demo_database_url(data_dir: Path) -> str:
    """The encrypted URL of the demo database in ``data_dir``, keyed from its key file."""
    key = read_key_file(data_dir / DATABASE_KEY_FILE_NAME)
    return encrypted_sqlite_url(data_dir / DEMO_DATABASE_NAME, key)


def _server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pharmacy_server", *args]


def _environment(extra_env: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PHARMACY_DATABASE_URL", None)  # the command line decides, never the caller's shell
    env["PYTHONUNBUFFERED"] = "1"
    if extra_env:
        env.update(extra_env)
    return env


def _wait_until_ready(process: subprocess.Popen[bytes], ready_file: Path, log_path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    url: str | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LiveServerError(
                f"pharmacy-server exited with {process.returncode} before it was ready:\n"
                + log_path.read_text(encoding="utf-8", errors="replace")
            )
        if url is None and ready_file.exists():
            with contextlib.suppress(ValueError):  # written atomically, but be tolerant
                url = str(json.loads(ready_file.read_text(encoding="utf-8"))["url"])
        if url is not None:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        time.sleep(_POLL_INTERVAL_S)  # polling a condition with a deadline, not a fixed wait
    raise LiveServerError(
        f"pharmacy-server not ready within {START_TIMEOUT_S:.0f} s:\n"
        + log_path.read_text(encoding="utf-8", errors="replace")
    )


@contextlib.contextmanager
def start_live_server(
    data_dir: Path,
    *,
    database_url: str | None = None,
    demo: bool = True,
    extra_env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    serve_args: Sequence[str] = (),
) -> Iterator[LiveServer]:
    """Run a server for the duration of the ``with`` block.

    Without ``database_url`` the server runs in demo mode on a SQLite file in
    ``data_dir``. With one, the database is migrated first and the server runs with
    ``serve --host host`` (seeded with the demo accounts when ``demo`` is true), plus
    ``serve_args``.
    """
    ensure_private_folder(data_dir, tighten=True)  # as the server wants its folder
    ready_file = data_dir / f"ready-{os.getpid()}-{time.monotonic_ns()}.json"
    log_path = data_dir / f"server-{time.monotonic_ns()}.log"
    env = _environment(extra_env)
    if database_url is None:
        if not demo:
            raise ValueError("a server without a database URL is always the demo server")
        command = _server_command(
            "demo", "--port", "0", "--data-dir", str(data_dir), "--ready-file", str(ready_file)
        )
    else:
        migrate = subprocess.run(
            _server_command("migrate", "--database", database_url, "--state-dir", str(data_dir)),
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        if migrate.returncode != 0:
            raise LiveServerError(
                "pharmacy-server migrate failed:\n" + migrate.stderr.decode(errors="replace")
            )
        command = _server_command(
            "serve",
            "--host",
            host,
            "--port",
            "0",
            "--database",
            database_url,
            "--ready-file",
            str(ready_file),
            "--state-dir",
            str(data_dir),
        )
        if demo:
            command.append("--seed-demo")
        command += serve_args
    log_descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(log_descriptor, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server: LiveServer | None = None
    try:
        url = _wait_until_ready(process, ready_file, log_path)
        server = LiveServer(
            url=url,
            process=process,
            data_dir=data_dir,
            log_path=log_path,
            configured_url=database_url,
        )
        yield server
    finally:
        if server is not None:
            server.stop()
        elif process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A demo server (SQLite in ``tmp_path``) for one test."""
    with start_live_server(tmp_path / "server") as server:
        yield server
