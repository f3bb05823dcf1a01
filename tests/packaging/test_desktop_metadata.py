"""The Linux desktop entry, the AppStream metainfo and the macOS bundle id: one reverse-DNS
id, the one the client gives Qt (``setDesktopFileName``), and files their validators pass."""

from __future__ import annotations

import configparser
import inspect
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ElementTree

import pytest

from portal_client import APP_ID, DESKTOP_ID
from portal_client.gui.app import create_application
from tests.packaging.support import REPOSITORY

LINUX = REPOSITORY / "packaging" / "linux"
DESKTOP_ENTRY = LINUX / f"{DESKTOP_ID}.desktop"
METAINFO = LINUX / f"{DESKTOP_ID}.metainfo.xml"


def _validator(name: str, debian_package: str) -> str:
    path = shutil.which(name)
    if path is None:  # fail, never skip: CI installs it (.ci/run)
        pytest.fail(f"{name} is missing: install the Debian package {debian_package}")
    return path


def test_the_client_names_the_desktop_id_to_qt() -> None:
    assert "setDesktopFileName(DESKTOP_ID)" in inspect.getsource(create_application)
    assert DESKTOP_ENTRY.is_file() and METAINFO.is_file()


def test_desktop_entry_starts_the_installed_client() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(DESKTOP_ENTRY, encoding="utf-8")
    section = entry["Desktop Entry"]
    scripts = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    # The console script of a wheel and the executable of the bundle bear this name.
    assert section["Exec"] in scripts["project"]["scripts"]
    assert f'name="{section["Exec"]}"' in (
        REPOSITORY / "packaging" / "portal_client.spec"
    ).read_text(encoding="utf-8")
    assert section["Icon"] == DESKTOP_ID
    # Qt's xcb windows carry the application name as their WM_CLASS class.
    assert section["StartupWMClass"] == APP_ID


def test_desktop_entry_is_valid() -> None:
    result = subprocess.run(
        [_validator("desktop-file-validate", "desktop-file-utils"), str(DESKTOP_ENTRY)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error:" not in result.stdout


def test_metainfo_names_the_desktop_entry_and_is_valid() -> None:
    root = ElementTree.parse(METAINFO).getroot()
    assert root.findtext("id") == DESKTOP_ID
    launchable = root.find("launchable")
    assert launchable is not None and launchable.text == DESKTOP_ENTRY.name
    result = subprocess.run(
        [_validator("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_macos_bundle_carries_the_desktop_id() -> None:
    spec = (REPOSITORY / "packaging" / "portal_client.spec").read_text(encoding="utf-8")
    assert "bundle_identifier=DESKTOP_ID" in spec
    assert "console=DEBUG" in spec  # no console window on Windows unless debugging
