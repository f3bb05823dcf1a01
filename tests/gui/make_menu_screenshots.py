"""Screenshots of the menu bar and Help's dialogs into docs/screenshots/ (offscreen, real
demo server).

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.gui.make_menu_screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QMenu

from portal_client.core import paths
from portal_client.core.api_client import ApiClient
from portal_client.gui.app import create_application
from portal_client.gui.help_dialogs import AboutDialog, ShortcutsDialog
from portal_client.gui.pharmacist_window import PharmacistWindow
from tests.gui.make_account_screenshots import OUT, save, wait_until
from tests.helpers.live_server import DEMO_PASSWORD, start_live_server


def window_with_menu_open(window: PharmacistWindow, menu: QMenu, name: str) -> None:
    """The window with one menu dropped down (a popup is a window of its own: paint both)."""
    bar = window.menuBar()
    anchor = bar.actionGeometry(menu.menuAction()).bottomLeft()
    menu.popup(bar.mapToGlobal(anchor))
    wait_until(menu.isVisible)
    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
    painter.end()
    menu.hide()
    picture.save(str(OUT / name))
    print("wrote", OUT / name)


def main() -> int:
    create_application(sys.argv)
    base = Path(tempfile.mkdtemp(prefix="portal-menus-"))
    paths.set_base_dir(base / "client")
    with start_live_server(base / "server") as server:
        client = ApiClient(server.url)
        client.login("pharmacist1", DEMO_PASSWORD)
        window = PharmacistWindow(client, client.user)  # type: ignore[arg-type]
        window.resize(1280, 800)
        window.show()
        wait_until(lambda: not window._refreshing)
        window.menus.offer({"approve", "reject", "request_clarification"})
        window_with_menu_open(window, window.menus.view_menu, "menu-view.png")
        window_with_menu_open(window, window.menus.prescription_menu, "menu-prescription.png")
        shortcuts = ShortcutsDialog(window.menuBar(), window)
        shortcuts.show()
        save(shortcuts, "keyboard-shortcuts.png")
        about = AboutDialog(window)
        about.show()
        about.ask_server(client, window.run)
        wait_until(lambda: "Asking" not in about.server_version.text())
        save(about, "about.png")
        client.logout()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
