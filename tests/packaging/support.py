"""What the packaging tests share: a private profile, and starting a built client to its
sign-in window and back out."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from portal_client.gui.app import SIGN_IN_PAINTED

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCE_RESOURCES = REPOSITORY / "resources"
#: A configured server, so the client opens on its sign-in window (never a first-run question).
SERVER_URL = "https://pharmacy.example.org"


def resource_files(folder: Path) -> set[str]:
    """Every data file under ``folder``, relative, as a packaged build must carry it
    (Qt Linguist sources, ``.ts``, are compiled to the ``.qm`` files that travel)."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.suffix != ".ts" and "__pycache__" not in path.parts
    }


def private_environment(home: Path) -> dict[str, str]:
    """The environment for a built client or server: its own home and XDG folders under
    ``home``, offscreen Qt, no PYTHONPATH (nothing may come from the source tree)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "PYTHONHOME", "PORTAL_RESOURCES_DIR", "VIRTUAL_ENV")
    }
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def start_to_sign_in(command: list[str], home: Path, cwd: Path) -> None:
    """Start a built client offscreen until its sign-in window paints, then out again."""
    env = private_environment(home)
    result = subprocess.run(
        [*command, "--server-url", SERVER_URL, "--quit-after-paint"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert SIGN_IN_PAINTED in result.stdout.splitlines(), (result.stdout, result.stderr)
    # It used the private profile given to it: the address it was told is saved there.
    settings = Path(env["XDG_CONFIG_HOME"]) / "iv-prescriber-portal" / "settings.json"
    assert SERVER_URL in settings.read_text(encoding="utf-8")
