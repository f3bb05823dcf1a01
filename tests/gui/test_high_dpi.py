"""At 2x scaling on a 1440x900 screen the main window fits the screen, icons stay sharp."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.live_server import LiveServer

REPOSITORY = Path(__file__).resolve().parents[2]
PROCESS_TIMEOUT_S = 120
SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1440, "height": 900, "logicalDpi": 96}


def test_the_main_window_never_opens_larger_than_a_scaled_screen(
    server: LiveServer, tmp_path: Path
) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": [SCREEN]}))
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        QT_SCALE_FACTOR="2",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.small_screen_driver", server.url,
         str(tmp_path / "client")],
        cwd=REPOSITORY, env=env, capture_output=True, text=True,
        timeout=PROCESS_TIMEOUT_S, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["available"] == [0, 0, 720, 450]  # 1440x900 at 2x, in logical pixels
    assert report["device_pixel_ratio"] == 2
    x, y, width, height = report["frame"]
    assert width <= 720 and height <= 450, report
    assert x >= 0 and y >= 0 and x + width <= 720 and y + height <= 450, report
    assert report["icon_pixels"] == 32  # an SVG icon drawn at the screen's pixel ratio
