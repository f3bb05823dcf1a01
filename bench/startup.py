"""Start-up budget: time to a painted sign-in window versus a bare PySide6 window.

Both are measured as whole processes (interpreter start to exit right after the
first paint), alternating so that disk caches and CPU frequency affect both
alike. The client runs with a throw-away HOME so the benchmark leaves no trace.

    python bench/startup.py [--runs N] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def _report(name: str, samples: list[tuple[float, float]]) -> tuple[float, float]:
    walls = [wall for wall, _ in samples]
    cpus = [cpu for _, cpu in samples]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"{name:30s} wall median {wall * 1000:6.1f} ms (min {min(walls) * 1000:.1f}, "
        f"max {max(walls) * 1000:.1f}); CPU median {cpu * 1000:6.1f} ms"
    )
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each (at least 10)")
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = parser.parse_args()
    runs = max(10, args.runs)

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as home:
        env = dict(os.environ, QT_QPA_PLATFORM=args.platform, HOME=home)
        # An installed app runs from compiled bytecode. Where the environment forbids
        # writing it (PYTHONDONTWRITEBYTECODE), every run would recompile every module
        # and we would measure the compiler; keep the .pyc files in a private folder.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(home) / "pycache")
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            env[name] = str(Path(home) / name.lower())
        bare_script = Path(home) / "bare_window.py"
        bare_script.write_text(BARE_WINDOW, encoding="utf-8")
        bare = [sys.executable, str(bare_script)]
        client = [sys.executable, "-m", "portal_client", "--quit-after-paint"]
        # Two untimed runs each: compile .pyc files, warm the page cache.
        for _ in range(2):
            _time(bare, env)
            _time(client, env)
        bare_runs: list[tuple[float, float]] = []
        client_runs: list[tuple[float, float]] = []
        for _ in range(runs):
            bare_runs.append(_time(bare, env))
            client_runs.append(_time(client, env))

    print(
        f"platform: {args.platform}, {runs} runs each (alternating), "
        f"load average: {os.getloadavg()[0]:.2f}"
    )
    bare_wall, bare_cpu = _report("bare PySide6 window:", bare_runs)
    client_wall, client_cpu = _report("portal-client sign-in window:", client_runs)
    ratio = client_wall / bare_wall
    verdict = "within" if ratio <= BUDGET_RATIO else "OVER"
    print(
        f"ratio (wall): {ratio:.2f} ({verdict} the {BUDGET_RATIO}x budget); "
        f"ratio (CPU): {client_cpu / bare_cpu:.2f}"
    )
    return 0 if ratio <= BUDGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
