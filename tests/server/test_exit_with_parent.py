"""``--exit-with-parent``: the watch calls stop once the watched process is gone (here a
process that is not our parent, so only the liveness check can tell), and not before."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from pharmacy_server.cli import process_alive, watch_parent


def test_the_watch_stops_the_server_once_the_process_is_gone() -> None:
    stopped = threading.Event()
    waiting = [sys.executable, "-c", "import sys; sys.stdin.read()"]
    with subprocess.Popen(waiting, stdin=subprocess.PIPE) as watched:
        finished = watch_parent(watched.pid, stopped.set, was_parent=False, interval_s=0.05)
        try:
            assert process_alive(watched.pid)
            assert not stopped.wait(0.3)  # alive: several checks pass without a stop
            watched.kill()
            watched.wait(timeout=10)
            assert not process_alive(watched.pid)
            assert stopped.wait(10)
        finally:
            finished.set()


def test_this_process_is_alive_and_a_finished_one_is_not() -> None:
    assert process_alive(os.getpid())
    # Reaped, so the PID is free (reuse within this instant is vanishingly unlikely).
    with subprocess.Popen([sys.executable, "-c", "pass"]) as short:
        short.wait(timeout=10)
        assert not process_alive(short.pid)
