"""Run a local pharmacy server with demo accounts, for ``portal-client --demo``.

The server runs as a child process (``python -m pharmacy_server demo``) with its
data under the user data folder, and is stopped when the client exits; if the client
is killed instead (a signal, a crash), the server notices within a second or so
(``--exit-with-parent``) and shuts itself down. Starting
it blocks until the server accepts connections: call ``start`` from a worker
thread, never the GUI thread.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from portal_client.core import paths
from portal_client.core.errors import PortalError
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published demo accounts, not a secret


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    description: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "prescriber1",
        "prescriber",
        QT_TRANSLATE_NOOP("DemoServer", "Physician: writes prescriptions"),
    ),
    DemoAccount(
        "prescriber2", "prescriber", QT_TRANSLATE_NOOP("DemoServer", "Physician at another clinic")
    ),
    DemoAccount(
        "staff1", "clinic_staff", QT_TRANSLATE_NOOP("DemoServer", "Clinic staff: prepares drafts")
    ),
    DemoAccount(
        "pharmacist1", "pharmacist", QT_TRANSLATE_NOOP("DemoServer", "Reviews and approves")
    ),
    DemoAccount("admin1", "admin", QT_TRANSLATE_NOOP("DemoServer", "Administrator")),
)


class DemoServerError(PortalError):
    """The demo server could not be started."""


def server_extra_installed() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("pharmacy_server", "fastapi", "uvicorn", "sqlalchemy")
    )


class DemoServer:
    """A ``pharmacy_server demo`` child process on a free loopback port."""

    def __init__(self, data_dir: Path | None = None, *, python: str = sys.executable) -> None:
        self.data_dir = data_dir if data_dir is not None else paths.data_dir() / "demo-server"
        self.python = python
        self.url: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout_s: float = 60.0) -> str:
        """Start the server and return its base URL once it accepts connections."""
        if self.running and self.url:
            return self.url
        if not server_extra_installed():
            raise DemoServerError(
                translate(
                    "DemoServer",
                    "Demo mode needs the pharmacy server, which is not installed. Install "
                    "it with: pip install 'iv-prescriber-portal[server]'",
                )
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ready_file = self.data_dir / "ready.json"
        ready_file.unlink(missing_ok=True)
        log_path = paths.log_dir() / "demo-server.log"
        command = [
            self.python, "-m", "pharmacy_server", "demo", "--port", "0",
            "--data-dir", str(self.data_dir), "--ready-file", str(ready_file),
            "--exit-with-parent", str(os.getpid()),
        ]  # fmt: skip
        with log_path.open("ab") as log_file:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DemoServerError(
                    translate(
                        "DemoServer",
                        "The demo server stopped while starting (exit code {returncode}). "
                        "Details are in {log_path}.",
                    ).format(returncode=self._process.returncode, log_path=log_path)
                )
            if ready_file.exists():
                try:
                    info = json.loads(ready_file.read_text(encoding="utf-8"))
                    self.url = str(info["url"]).rstrip("/")
                except (ValueError, KeyError):
                    pass  # written but not complete yet: look again
                else:
                    log.info("Demo server ready at %s", self.url)
                    return self.url
            time.sleep(0.05)  # a background thread waiting on another process
        self.stop()
        raise DemoServerError(
            translate("DemoServer", "The demo server did not start within {timeout_s:g} s.").format(
                timeout_s=timeout_s
            )
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
