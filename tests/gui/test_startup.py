"""Start-up discipline: the sign-in window paints before any heavy import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
import portal_client.gui.app as app_module
app_module.warm_up_imports = lambda: None  # the warm-up runs after paint; keep it out
from portal_client.__main__ import main
code = main(["--quit-after-paint", "--temp-basedir", sys.argv[1]])
heavy = sorted(m for m in ("requests", "urllib3", "keyring", "pharmacy_server", "sqlalchemy")
               if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_quit_after_paint_exits_cleanly_without_heavy_imports(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "base")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}
    assert (tmp_path / "base" / "config").is_dir()  # --temp-basedir took effect


def test_server_url_option_is_remembered(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    base = tmp_path / "base"
    subprocess.run(
        [sys.executable, "-m", "portal_client", "--temp-basedir", str(base),
         "--server-url", "pharmacy.example.org", "--quit-after-paint"],
        env=env, capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    saved = json.loads((base / "config" / "settings.json").read_text(encoding="utf-8"))
    assert saved["server_url"] == "http://pharmacy.example.org"
    bad = subprocess.run(
        [sys.executable, "-m", "portal_client", "--temp-basedir", str(base),
         "--server-url", "ftp://nope", "--quit-after-paint"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "--server-url" in bad.stderr
