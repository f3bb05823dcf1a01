"""GUI-thread stalls: the longest gap of a 1 ms timer in each phase of a prescriber's
work (sign in, list load, compose, sign and submit), against a server that answers at
once and one that answers after a second, versus a bare PySide6 event loop typed into
at the same pace. The target is 16 ms (one frame) at every moment.

    python -m bench.gui_stalls [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from bench.harness import Benchmark, table
from tests.helpers.fault_proxy import Fault, FaultProxy
from tests.helpers.live_server import start_live_server

FRAME_MS = 16.0
BARE = "bare event loop, typing"
PHASES = (
    "sign-in window, typing",
    "sign in to window shown",
    "list load",
    "compose",
    "sign and submit",
)
DRIVER_TIMEOUT_S = 300


def _driver(arguments: list[str], home: Path) -> dict[str, dict[str, float]]:
    env = dict(os.environ, HOME=str(home), QT_QPA_PLATFORM="offscreen")
    # An installed client runs from compiled bytecode: keep .pyc files (in one folder
    # for every run) rather than measure the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home.parent / "pycache")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
        (home / name.lower()).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.gui_stall_driver", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=DRIVER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the driver failed ({done.returncode}): {done.stderr[-2000:]}")
    phases: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])["phases"]
    return phases


def run(smoke: bool = False, runs: int | None = None) -> Benchmark:
    """Each phase's longest stall, ``runs`` times (once in smoke mode, at once only)."""
    runs = 1 if smoke else max(3, runs or 5)
    delays = (0.0,) if smoke else (0.0, 1.0)
    bench = Benchmark(
        "gui_stalls",
        "Longest GUI-thread stall (1 ms timer) per phase, versus a bare event loop",
        notes={"runs": runs, "target_ms": FRAME_MS, "platform": "offscreen"},
    )
    with tempfile.TemporaryDirectory(prefix="portal-bench-stalls-") as folder:
        base = Path(folder)
        bare_gaps = [
            _driver(["--bare"], base / f"bare-{number}")["typing"]["max_gap_ms"]
            for number in range(runs)
        ]
        baseline = bench.add(f"{BARE} [max gap]", "ms", bare_gaps)
        with start_live_server(base / "server") as server:
            address = urlparse(server.url)
            for delay in delays:
                proxy = FaultProxy(str(address.hostname), int(address.port or 0)).start()
                try:
                    if delay:
                        proxy.randomize({Fault.DELAY: 1.0}, seed=1, delay=(delay, delay))
                    if delay == delays[0]:  # untimed: compile the .pyc files first
                        _driver(["--server-url", proxy.url], base / "warm-up")
                    gaps: dict[str, list[float]] = {phase: [] for phase in PHASES}
                    for number in range(runs):
                        phases = _driver(
                            ["--server-url", proxy.url], base / f"client-{delay}-{number}"
                        )
                        for phase in PHASES:
                            gaps[phase].append(phases[phase]["max_gap_ms"])
                finally:
                    proxy.stop()
                answer = "at once" if not delay else f"after {delay:g} s"
                for phase in PHASES:
                    bench.add(
                        f"server answers {answer}: {phase} [max gap]",
                        "ms",
                        gaps[phase],
                        baseline=baseline.name,
                        higher_is_better=False,
                    )
    return bench


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(table([run(runs=args.runs)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
