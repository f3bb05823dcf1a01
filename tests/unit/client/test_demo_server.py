"""The --demo server: a real child process that starts, answers and stops."""

from __future__ import annotations

import importlib.util
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pharmacy_server.cli import process_alive
from portal_client.core import paths
from portal_client.core.demo_server import DemoServer, DemoServerError

# A stand-in for the client: starts the demo server, says where, then waits to be killed.
CLIENT_STAND_IN = """
import sys
from pathlib import Path
from portal_client.core.demo_server import DemoServer
print(DemoServer(Path(sys.argv[1])).start(timeout_s=60), flush=True)
sys.stdin.read()
"""


def test_starts_answers_and_stops(tmp_path: Path) -> None:
    server = DemoServer(tmp_path / "demo")
    url = server.start(timeout_s=60)
    try:
        assert server.running
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            assert response.status == 200
        assert server.start() == url  # already running: the same server
    finally:
        server.stop()
    assert not server.running
    server.stop()  # twice is fine


def test_missing_server_extra_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def without_fastapi(name: str, *args: object) -> object:
        return None if name == "fastapi" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_fastapi)  # what demo_server calls
    with pytest.raises(DemoServerError, match=r"\[server\]"):
        DemoServer(tmp_path / "demo").start()


def test_a_server_that_dies_while_starting_is_reported(tmp_path: Path) -> None:
    # The interpreter exits at once: the module does not exist under this name.
    server = DemoServer(tmp_path / "demo", python="/bin/false")
    with pytest.raises(DemoServerError, match="stopped while starting"):
        server.start(timeout_s=10)


def wait_for_exit(pid: int, timeout_s: float) -> bool:
    """Whether process ``pid`` (not our child) ends within ``timeout_s``. Linux: a pidfd
    becomes readable at exit; elsewhere, look a few times a second."""
    if hasattr(os, "pidfd_open"):
        try:
            descriptor = os.pidfd_open(pid)
        except ProcessLookupError:
            return True
        try:
            readable, _, _ = select.select([descriptor], [], [], timeout_s)
            return bool(readable)
        finally:
            os.close(descriptor)
    deadline = time.monotonic() + timeout_s
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)  # polling a condition with a deadline
    return True


@pytest.mark.timeout(180)
def test_the_server_shuts_down_when_its_client_is_killed(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    server_pid: int | None = None
    with subprocess.Popen(
        [sys.executable, "-c", CLIENT_STAND_IN, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    ) as client:
        try:
            assert client.stdout is not None
            url = client.stdout.readline().decode().strip()
            assert url.startswith("http://127.0.0.1:"), url
            server_pid = int(json.loads((data_dir / "ready.json").read_text())["pid"])
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                assert response.status == 200

            client.send_signal(signal.SIGKILL)  # no chance to stop its child
            client.wait(timeout=10)
            assert wait_for_exit(server_pid, timeout_s=30), "the demo server outlived its client"
            with pytest.raises(urllib.error.URLError):
                urllib.request.urlopen(f"{url}/healthz", timeout=5)
            # It shut down by itself, cleanly: uvicorn's last words, not a kill.
            log_path = paths.log_dir() / "demo-server.log"
            log = log_path.read_text(encoding="utf-8", errors="replace")
            assert f"process {client.pid} is gone" in log
            assert f"Finished server process [{server_pid}]" in log
        finally:
            if client.poll() is None:
                client.kill()
            if server_pid is not None and process_alive(server_pid):
                os.kill(server_pid, signal.SIGKILL)
