"""The --demo server: a real child process that starts, answers and stops."""

from __future__ import annotations

import importlib.util
import urllib.request
from pathlib import Path

import pytest

from portal_client.core import demo_server
from portal_client.core.demo_server import DemoServer, DemoServerError


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

    monkeypatch.setattr(demo_server.importlib.util, "find_spec", without_fastapi)
    with pytest.raises(DemoServerError, match=r"\[server\]"):
        DemoServer(tmp_path / "demo").start()


def test_a_server_that_dies_while_starting_is_reported(tmp_path: Path) -> None:
    # The interpreter exits at once: the module does not exist under this name.
    server = DemoServer(tmp_path / "demo", python="/bin/false")
    with pytest.raises(DemoServerError, match="stopped while starting"):
        server.start(timeout_s=10)
