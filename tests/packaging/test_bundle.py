"""The PyInstaller bundle (``make package``), built from packaging/portal_client.spec and
started offscreen to its sign-in window and back out."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.support import (
    REPOSITORY,
    SOURCE_RESOURCES,
    resource_files,
    start_to_sign_in,
)

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="the Linux one-folder bundle"),
    pytest.mark.timeout(900),  # the build comes first: about half a minute on 2 cores
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-folder bundle, built here as ``make package`` builds it."""
    build = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(build / "dist"), "--workpath", str(build / "work"),
         str(REPOSITORY / "packaging" / "portal_client.spec")],
        cwd=build, check=True, timeout=900,
    )  # fmt: skip
    return build / "dist" / "portal-client"


def test_built_executable_starts_to_the_sign_in_window_and_quits(
    bundle: Path, tmp_path: Path
) -> None:
    away = tmp_path / "elsewhere"
    away.mkdir()
    start_to_sign_in([str(bundle / "portal-client")], tmp_path / "profile", cwd=away)


def test_bundle_carries_every_resource_unchanged(bundle: Path) -> None:
    (bundled,) = bundle.rglob("resources/formulary.json")
    bundled_resources = bundled.parent
    expected = resource_files(SOURCE_RESOURCES)
    assert resource_files(bundled_resources) == expected
    _, mismatch, errors = filecmp.cmpfiles(
        SOURCE_RESOURCES, bundled_resources, sorted(expected), shallow=False
    )
    assert (mismatch, errors) == ([], [])


def test_bundle_holds_the_client_and_leaves_the_server_stack_out(bundle: Path) -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "PyInstaller.utils.cliutils.archive_viewer", "--brief",
         "--recursive", str(bundle / "portal-client")],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    modules = {line.strip() for line in listing.splitlines() if line.startswith(" ")}
    assert {"portal_client.gui.app", "pharmacy_domain.engine"} <= modules
    assert {"keyring.backends.SecretService", "keyring.backends.Windows"} <= modules
    server_stack = ("pharmacy_server", "fastapi", "uvicorn", "sqlalchemy", "alembic")
    assert [name for name in modules if name.split(".")[0] in server_stack] == []
