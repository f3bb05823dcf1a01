"""The command line: --version and --help answer without starting Qt; --profile-dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from portal_client import __version__
from portal_client.gui.app import FIRST_RUN_PAINTED, SIGN_IN_PAINTED

PROBE = """
import json, sys
from portal_client.__main__ import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "qt": "PySide6" in sys.modules}))
"""


def _probe(*args: str) -> tuple[dict[str, object], str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    *printed, report = result.stdout.strip().splitlines()
    return json.loads(report), "\n".join(printed)


def test_version_prints_without_starting_qt() -> None:
    report, printed = _probe("--version")
    assert report == {"code": 0, "qt": False}
    assert printed == f"portal-client {__version__}"


def test_help_names_every_option_without_starting_qt() -> None:
    report, printed = _probe("--help")
    assert report == {"code": 0, "qt": False}
    for option in ("--version", "--server-url", "--demo", "--profile-dir"):
        assert option in printed


def _start(*args: str) -> str:
    """The client started offscreen to its first painted window and out; its stdout."""
    return subprocess.run(
        [sys.executable, "-m", "portal_client", *args, "--quit-after-paint"],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip


def test_profile_dir_holds_the_settings(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    printed = _start("--profile-dir", str(profile), "--server-url", "rx.example-pharmacy.com")
    assert SIGN_IN_PAINTED in printed.splitlines()
    saved = json.loads((profile / "config" / "settings.json").read_text(encoding="utf-8"))
    assert saved["server_url"] == "http://rx.example-pharmacy.com"


def test_a_fresh_profile_opens_on_the_first_run_question(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    assert FIRST_RUN_PAINTED in _start("--profile-dir", str(profile)).splitlines()
    assert not (profile / "config" / "settings.json").exists()  # nothing saved unasked
