"""The real client exits cleanly, however often its windows opened and closed.

A close used to end, now and then, in ``Fatal Python error`` and an abort: Qt objects
released on a worker thread (by the garbage collector or by a worker dropping the last
reference to an operation's closure) and answers still queued at exit. The client runs
as its own process, through ``tests/gui/close_driver.py``, against a real server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui.close_driver import ENDINGS
from tests.helpers.live_server import LiveServer

REPOSITORY = Path(__file__).resolve().parents[2]
#: Sign-ins per process, each opening the prescriber window and its composer.
CYCLES = 8
#: A process that needs longer than this is stuck (a clean run takes seconds).
PROCESS_TIMEOUT_S = 180


@pytest.mark.slow
@pytest.mark.parametrize("ending", ENDINGS)
def test_the_client_exits_cleanly_after_opening_and_closing_windows(
    server: LiveServer, tmp_path: Path, ending: str
) -> None:
    base = tmp_path / "client"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1")
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-m", "tests.gui.close_driver",
         server.url, str(base), str(CYCLES), ending],
        cwd=REPOSITORY, env=env, capture_output=True, text=True,
        timeout=PROCESS_TIMEOUT_S, check=False,
    )  # fmt: skip
    assert "Fatal Python error" not in result.stderr, result.stderr[-6000:]
    assert "Traceback" not in result.stderr, result.stderr[-6000:]
    assert result.returncode == 0, result.stderr[-6000:]
    assert result.stdout.count("main window open") == CYCLES
