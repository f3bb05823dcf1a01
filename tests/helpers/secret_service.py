"""A private, throw-away Secret Service (dbus-daemon + gnome-keyring-daemon) for tests.

Nothing touches the developer's own session bus or login keyring: the daemons run
with a temporary HOME and XDG_RUNTIME_DIR, the default keyring is created with an
empty password and unlocked, and both processes are killed afterwards.

On Linux the Secret Service tests need the two daemons; where they are missing the top
of the run says what to install and those tests error rather than pass unseen. Other
systems have no Secret Service, and there the tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRED_BINARIES = ("dbus-daemon", "gnome-keyring-daemon")


def missing_binaries() -> list[str]:
    return [name for name in REQUIRED_BINARIES if shutil.which(name) is None]


def install_hint(debian: bool | None = None) -> str:
    if debian is None:
        debian = Path("/etc/debian_version").exists()
    if debian:
        return "apt-get install gnome-keyring dbus"
    if shutil.which("dnf"):
        return "dnf install gnome-keyring dbus-daemon"
    return "your distribution's gnome-keyring and dbus packages"


def missing_message(missing: list[str], debian: bool | None = None) -> str:
    return (
        f"{', '.join(missing)} not found, so the Secret Service tests will fail: "
        f"install them with `{install_hint(debian)}`"
    )


def require_binaries() -> None:
    """For a test's fixture: skip where there is no Secret Service, error where it is missing."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the Secret Service (gnome-keyring over D-Bus) is the Linux keyring")
    missing = missing_binaries()
    if missing:
        pytest.fail(missing_message(missing), pytrace=False)


def pytest_report_header(config: pytest.Config) -> str | None:
    del config
    if not sys.platform.startswith("linux"):
        return None
    missing = missing_binaries()
    if missing:
        return f"secret service: {missing_message(missing)}"
    return "secret service: a private gnome-keyring-daemon in its own D-Bus session, per test"


@dataclass(frozen=True)
class SecretServiceSession:
    bus_address: str
    home: Path
    environment: dict[str, str]  # what a subprocess needs to reach this keyring


def _wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)  # polling an external daemon's readiness, bounded by the deadline
    raise TimeoutError(f"{what} did not become ready within {timeout} s")


def _secret_service_ready(environment: dict[str, str]) -> bool:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    address = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    try:
        with open_dbus_connection(bus=environment["DBUS_SESSION_BUS_ADDRESS"]) as connection:
            reply = connection.send_and_get_reply(
                new_method_call(address, "NameHasOwner", "s", ("org.freedesktop.secrets",)),
                timeout=2,
            )
            return bool(reply.body[0])
    except (OSError, ConnectionError, TimeoutError):
        return False


@contextmanager
def private_secret_service(startup_timeout: float = 20.0) -> Iterator[SecretServiceSession]:
    """Start the daemons, yield their environment, always stop them."""
    missing = missing_binaries()
    if missing:
        raise FileNotFoundError(f"not installed: {', '.join(missing)}")
    root = Path(tempfile.mkdtemp(prefix="secret-service-"))
    home = root / "home"
    runtime = root / "runtime"
    for folder in (home, runtime):
        folder.mkdir(mode=0o700)
    socket_path = runtime / "bus"
    bus_address = f"unix:path={socket_path}"
    environment = {
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "DBUS_SESSION_BUS_ADDRESS": bus_address,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        bus = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                "--nofork",
                "--nopidfile",
                f"--address={bus_address}",
                "--print-address=1",
            ],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(bus)
        # dbus-daemon prints its address once it listens: a readiness signal, no polling.
        assert bus.stdout is not None
        if not bus.stdout.readline().strip():
            raise RuntimeError("dbus-daemon exited before listening")
        keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(keyring_daemon)
        assert keyring_daemon.stdin is not None
        keyring_daemon.stdin.write(b"\n")  # the (empty) password of the new default keyring
        keyring_daemon.stdin.close()
        _wait_until(
            lambda: _secret_service_ready(environment), startup_timeout, "gnome-keyring-daemon"
        )
        yield SecretServiceSession(bus_address=bus_address, home=home, environment=environment)
    finally:
        for process in reversed(processes):
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)
        shutil.rmtree(root, ignore_errors=True)
