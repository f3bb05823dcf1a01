"""Start-up budget: time to a painted sign-in window versus a bare PySide6 window.

Both are measured as whole processes (interpreter start to exit right after the
first paint), alternating so that disk caches and CPU frequency affect both
alike. The client runs with a throw-away HOME so the benchmark leaves no trace.

    python -m bench.startup [--runs N] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Benchmark, table
from portal_client import APP_ID

BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication(sys.argv)
window = QWidget()


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, app.quit)
        return False


first_paint = FirstPaint()
window.installEventFilter(first_paint)
window.show()
app.exec()
"""

BUDGET_RATIO = 1.3


def _time(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


BARE = "bare PySide6 window"
CLIENT = "portal-client sign-in window"


def run(smoke: bool = False, runs: int | None = None, platform: str | None = None) -> Benchmark:
    """Start-up wall and CPU time, client against the bare window; at least 10 runs each
    (one, after one warm-up, in smoke mode)."""
    runs = 1 if smoke else max(10, runs or 15)
    platform = platform or os.environ.get("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as home:
        env = dict(os.environ, QT_QPA_PLATFORM=platform, HOME=home)
        # An installed app runs from compiled bytecode. Where the environment forbids
        # writing it (PYTHONDONTWRITEBYTECODE), every run would recompile every module
        # and we would measure the compiler; keep the .pyc files in a private folder.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(home) / "pycache")
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env[name] = str(Path(home) / name.lower())
        # A configured server, as on every start after the first: the sign-in window.
        config = Path(home) / "xdg_config_home" / APP_ID
        config.mkdir(parents=True)
        (config / "settings.json").write_text('{"server_url": "http://127.0.0.1:9"}\n')
        bare_script = Path(home) / "bare_window.py"
        bare_script.write_text(BARE_WINDOW, encoding="utf-8")
        bare = [sys.executable, str(bare_script)]
        client = [sys.executable, "-m", "portal_client", "--quit-after-paint"]
        # Untimed runs first: compile .pyc files, warm the page cache.
        for _ in range(1 if smoke else 2):
            _time(bare, env)
            _time(client, env)
        bare_runs: list[tuple[float, float]] = []
        client_runs: list[tuple[float, float]] = []
        for _ in range(runs):
            bare_runs.append(_time(bare, env))
            client_runs.append(_time(client, env))
    bench = Benchmark(
        "startup",
        "Interpreter start to first paint, whole processes, alternating",
        notes={"platform": platform, "runs": runs, "budget_ratio": BUDGET_RATIO},
    )
    bench.add(f"{BARE} wall", "ms", (wall * 1000 for wall, _ in bare_runs))
    bench.add(
        f"{CLIENT} wall", "ms", (wall * 1000 for wall, _ in client_runs), baseline=f"{BARE} wall"
    )
    bench.add(f"{BARE} CPU", "ms", (cpu * 1000 for _, cpu in bare_runs))
    bench.add(f"{CLIENT} CPU", "ms", (cpu * 1000 for _, cpu in client_runs), baseline=f"{BARE} CPU")
    return bench


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each (at least 10)")
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    bench = run(runs=args.runs, platform=args.platform)
    print(table([bench]))
    ratio = bench.ratio(f"{CLIENT} wall") or 0.0
    verdict = "within" if ratio <= BUDGET_RATIO else "OVER"
    print(f"ratio (wall): {ratio:.2f} ({verdict} the {BUDGET_RATIO}x budget)")
    return 0 if ratio <= BUDGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
