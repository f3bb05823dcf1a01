"""Each account's window geometry, splitters and column widths, kept across sign-ins."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QSplitter, QTableView
from pytestqt.qtbot import QtBot

from portal_client.core import paths
from portal_client.core.settings import (
    MAX_LAYOUTS,
    Settings,
    WindowLayout,
    load_settings,
    remember_layout,
    settings_path,
)
from portal_client.gui import ops
from portal_client.gui.app import PortalApp
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.window_layout import capture_layout, clamp_to, restore_layout
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer

TIMEOUT_MS = 20_000
#: A 1440x900 screen at 2x scaling, in logical pixels.
SMALL_SCREEN = QRect(0, 0, 720, 450)


def _sign_in(qtbot: QtBot, portal: PortalApp, username: str) -> PortalMainWindow:
    portal.sign_in.username.setText(username)
    portal.sign_in.password.setText(DEMO_PASSWORD)
    portal.sign_in.submit.click()
    qtbot.waitUntil(lambda: portal.main_window is not None, timeout=TIMEOUT_MS)
    window = portal.main_window
    assert window is not None
    qtbot.waitExposed(window)
    return window


def _outbox_table(window: PortalMainWindow) -> QTableView:
    return window.outbox_view.table  # type: ignore[attr-defined,no-any-return]


def test_the_clamp_keeps_a_window_inside_a_small_screen() -> None:
    assert clamp_to(QSize(1200, 760), SMALL_SCREEN) == QSize(720, 450)
    assert clamp_to(QSize(600, 400), SMALL_SCREEN) == QSize(600, 400)


def test_layouts_are_kept_for_the_latest_accounts_only() -> None:
    settings = Settings()
    for number in range(MAX_LAYOUTS + 3):
        remember_layout(settings, f"user-{number}", WindowLayout(geometry="AAAA"))
    assert len(settings.layouts) == MAX_LAYOUTS
    assert "user-0" not in settings.layouts and f"user-{MAX_LAYOUTS + 2}" in settings.layouts


def test_a_damaged_layout_is_dropped_not_fed_to_qt(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text(
        '{"layouts": {"u1": {"geometry": "not base64!", "splitters": {"QSplitter:0": "AAAA"},'
        ' "columns": {"QTableView:0": 7}}, "u2": "nonsense"}}',
        encoding="utf-8",
    )
    layouts = load_settings(target).layouts
    assert layouts == {"u1": WindowLayout(splitters={"QSplitter:0": "AAAA"})}


def test_geometry_splitters_and_columns_come_back_after_sign_out_and_in(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    paths.set_base_dir(tmp_path / "client")
    try:
        portal = PortalApp(Settings(server_url=server.url), save_settings=True)
        portal.start(on_first_paint=lambda: None)
        window = _sign_in(qtbot, portal, "prescriber1")
        window.resize(800, 700)  # inside the offscreen 800x800 screen
        splitter = window.findChildren(QSplitter)[0]
        total = sum(splitter.sizes())
        splitter.setSizes([total // 4, total - total // 4])
        wanted_sizes = splitter.sizes()
        _outbox_table(window).setColumnWidth(0, 263)

        portal.sign_out()
        qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
        saved = load_settings(settings_path())  # written off the GUI thread
        assert len(saved.layouts) == 1
        assert "prescriber1" not in str(saved.layouts)  # keyed by the account's id

        other = _sign_in(qtbot, portal, "pharmacist1")  # another account: its own layout
        assert other.findChildren(QSplitter)[0].sizes() != wanted_sizes
        portal.sign_out()
        qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)

        again = PortalApp(load_settings(settings_path()), save_settings=False)  # a new run
        again.start(on_first_paint=lambda: None)
        window = _sign_in(qtbot, again, "prescriber1")
        assert (window.width(), window.height()) == (800, 700)
        assert window.findChildren(QSplitter)[0].sizes() == wanted_sizes
        assert _outbox_table(window).columnWidth(0) == 263
        again._close_main_window()
        qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
        again.shutdown()
        portal.shutdown()
    finally:
        paths.set_base_dir(None)


def test_a_layout_from_a_larger_screen_is_clamped_to_a_small_one(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    paths.set_base_dir(tmp_path / "client")
    try:
        portal = PortalApp(Settings(server_url=server.url), save_settings=False)
        portal.start(on_first_paint=lambda: None)
        window = _sign_in(qtbot, portal, "prescriber1")
        window.setMinimumSize(200, 200)  # as the portal does when the screen is small
        window.resize(1400, 880)
        layout = capture_layout(window)
        assert restore_layout(window, layout, SMALL_SCREEN)
        assert window.width() <= SMALL_SCREEN.width()
        assert window.height() <= SMALL_SCREEN.height()
        assert SMALL_SCREEN.contains(window.frameGeometry().topLeft())
        portal._close_main_window()
        qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
        portal.shutdown()
    finally:
        paths.set_base_dir(None)
