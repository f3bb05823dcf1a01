"""The wheel built from the repository, installed into a fresh virtual environment and run
away from the source tree: every resource found, the client to its sign-in window, the
server's command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.support import (
    REPOSITORY,
    SOURCE_RESOURCES,
    private_environment,
    resource_files,
    start_to_sign_in,
)

#: The install may download the dependencies (PySide6 the largest) from the package index.
pytestmark = pytest.mark.timeout(900)

INSTALLED_CHECK = Path(__file__).with_name("installed_check.py")
#: pip's cache for these installs, kept between runs inside the (ignored) build folder:
#: never the real home's cache, and what one run downloaded the next need not.
PIP_CACHE = REPOSITORY / "build" / "wheel-test-pip-cache"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel with its server extra; its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation",
         "--outdir", str(work / "dist"), str(REPOSITORY)],
        cwd=work, check=True, timeout=300, capture_output=True,
    )  # fmt: skip
    (wheel,) = (work / "dist").glob("iv_prescriber_portal-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = private_environment(work / "home")
    env["PIP_CACHE_DIR"] = str(PIP_CACHE)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[server]"],
        cwd=work, env=env, check=True, timeout=900,
    )  # fmt: skip
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "check"],
        cwd=work, env=env, check=True, timeout=120,
    )  # fmt: skip
    return venv / "bin"


def test_installed_wheel_finds_every_resource(installed: Path, tmp_path: Path) -> None:
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps(sorted(resource_files(SOURCE_RESOURCES))), encoding="utf-8")
    # -I: no PYTHONPATH, no user site, not even the script's own folder on sys.path.
    result = subprocess.run(
        [str(installed / "python"), "-I", str(INSTALLED_CHECK), str(expected)],
        cwd=tmp_path, env=private_environment(tmp_path / "home"),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["files"] == len(resource_files(SOURCE_RESOURCES))


def test_installed_client_starts_to_the_sign_in_window_and_quits(
    installed: Path, tmp_path: Path
) -> None:
    start_to_sign_in([str(installed / "portal-client")], tmp_path / "profile", cwd=tmp_path)


def test_installed_server_command_answers_help(installed: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(installed / "pharmacy-server"), "--help"],
        cwd=tmp_path, env=private_environment(tmp_path / "home"),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for command in ("serve", "migrate", "demo"):
        assert command in result.stdout
