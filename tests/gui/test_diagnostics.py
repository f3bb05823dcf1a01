"""Copy diagnostics from Help in a main window, and from the sign-in window's footer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

import pharmacy_server
from portal_client import __version__
from portal_client.core import paths
from portal_client.core.settings import Settings, save_settings
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_in import SignInWindow
from tests.gui.conftest import sign_in
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 10_000


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Path]:
    paths.set_base_dir(tmp_path / "profile")
    yield tmp_path / "profile"
    paths.set_base_dir(None)


def _clipboard() -> str:
    return QGuiApplication.clipboard().text()


def test_help_copy_diagnostics_puts_the_report_on_the_clipboard(
    qtbot: QtBot, server: LiveServer, profile: Path
) -> None:
    save_settings(Settings(server_url=server.url))
    QGuiApplication.clipboard().clear()
    client = sign_in(server, "prescriber1")
    assert client.user is not None
    window = PrescriberWindow(client, client.user)
    qtbot.addWidget(window)
    window.show()
    action = window.menus.actions["copy_diagnostics"]
    assert action in window.menus.help_menu.actions()
    action.trigger()
    qtbot.waitUntil(lambda: "Pharmacy server:" in _clipboard(), timeout=TIMEOUT_MS)
    text = _clipboard()
    assert f"portal-client {__version__}" in text
    assert f"pharmacy-server {pharmacy_server.__version__}" in text
    assert window.statusBar().currentMessage() == "Diagnostics copied to the clipboard."
    client.logout()


def test_a_refresh_leaves_the_copied_message_but_clears_its_own(
    qtbot: QtBot, server: LiveServer, profile: Path
) -> None:
    """The list's refresh clears "Loading…" and "Could not refresh", never a message the
    user has not had time to read (it wiped "Diagnostics copied" when it landed after)."""
    save_settings(Settings(server_url=server.url))
    client = sign_in(server, "prescriber1")
    assert client.user is not None
    window = PrescriberWindow(client, client.user)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.is_refreshing, timeout=TIMEOUT_MS)
    assert window.statusBar().currentMessage() == ""  # "Loading your prescriptions…" went

    window.statusBar().showMessage("Diagnostics copied to the clipboard.", 60_000)
    window.refresh()
    assert window.is_refreshing
    qtbot.waitUntil(lambda: not window.is_refreshing, timeout=TIMEOUT_MS)
    assert window.statusBar().currentMessage() == "Diagnostics copied to the clipboard."
    client.logout()


def test_the_sign_in_window_offers_it_before_anyone_signs_in(
    qtbot: QtBot, server: LiveServer, profile: Path
) -> None:
    QGuiApplication.clipboard().clear()
    window = SignInWindow(Settings(server_url=server.url))
    qtbot.addWidget(window)
    window.show()
    window.diagnostics_button.click()
    qtbot.waitUntil(lambda: "Pharmacy server:" in _clipboard(), timeout=TIMEOUT_MS)
    assert f"{server.url}: pharmacy-server" in _clipboard()
    assert window.error_banner.label.text() == "Diagnostics copied to the clipboard."
