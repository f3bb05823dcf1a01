"""The menu bar of every main window: each action reachable from it, each key bound once,
Ctrl+Q asking about unsent work, Help › Keyboard shortcuts and Help › About (the server's
version from the real test server)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot

import pharmacy_server
from pharmacy_domain.templates import Template
from portal_client.gui.actions import COMPOSER_SHORTCUTS, clashes, every_shortcut, menu_actions
from portal_client.gui.admin_window import AdminHomeWindow
from portal_client.gui.help_dialogs import AboutDialog, ShortcutsDialog
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.staff_window import StaffWindow
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring
from tests.gui.test_local_work import open_window, signed_body
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer

README = Path(__file__).resolve().parents[2] / "README.md"
ROLES = {
    "prescriber1": PrescriberWindow,
    "staff1": StaffWindow,
    "pharmacist1": PharmacistWindow,
    "admin1": AdminHomeWindow,
}


@pytest.fixture(params=sorted(ROLES))
def window(request: pytest.FixtureRequest, qtbot: QtBot, server: LiveServer) -> Iterator[QWidget]:
    client = sign_in(server, request.param)
    shown = ROLES[request.param](client, client.user)
    qtbot.addWidget(shown)
    shown.show()
    yield shown
    client.logout()


def own_actions(window: QWidget) -> list[QAction]:
    """The window's actions: its own and its menus' (not those Qt's widgets keep inside)."""
    return [
        action
        for action in window.findChildren(QAction)
        if (action.parent() is window or isinstance(action.parent(), QMenu))
        and not action.isSeparator()
        and action.menu() is None
    ]


def test_every_action_is_in_the_menu_bar_with_a_unique_shortcut(window: PortalMainWindow) -> None:
    reachable = {id(action) for _path, action in menu_actions(window.menuBar())}
    missing = [action.text() for action in own_actions(window) if id(action) not in reachable]
    assert not missing, f"not reachable from the menu bar: {missing}"
    top = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert top[:3] == ["File", "Edit", "View"] and top[-1] == "Help"
    assert not clashes(own_actions(window), COMPOSER_SHORTCUTS)
    # No key bound outside the registry: a stray QShortcut is how Ctrl+L got bound twice.
    stray = [
        shortcut.key().toString()
        for shortcut in window.findChildren(QShortcut)
        if shortcut.key().toString(QKeySequence.SequenceFormat.PortableText)
        not in {c.keys for c in COMPOSER_SHORTCUTS}
    ]
    assert not stray
    keys = {path: action.shortcut().toString() for path, action in menu_actions(window.menuBar())}
    assert keys["File › Quit"] == "Ctrl+Q"
    assert keys["File › Lock now"] == "Ctrl+L"
    assert keys["View › Refresh"] == "F5"
    assert keys["Help › Keyboard shortcuts"] == "F1"


def test_ctrl_l_locks_the_window(qtbot: QtBot, window: PortalMainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.locked, timeout=5_000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked


def test_the_shortcuts_dialog_lists_every_action_and_its_keys(window: PortalMainWindow) -> None:
    dialog = ShortcutsDialog(window.menuBar(), window)
    listed = dict(dialog.rows)
    for path, action in menu_actions(window.menuBar()):
        assert listed[path] == ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
    assert listed["Sign the prescription (in the composer)"] == "Ctrl+Return"
    assert dialog.table.rowCount() == len(dialog.rows)
    dialog.deleteLater()


def test_about_shows_the_app_qt_python_and_server_versions(
    qtbot: QtBot, window: PortalMainWindow
) -> None:
    import platform

    import PySide6

    window.menus.actions["about"].trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None
    assert dialog.app_version.text() == pharmacy_server.__version__  # one release, both sides
    assert PySide6.__version__ in dialog.qt_version.text()
    assert dialog.python_version.text() == platform.python_version()
    qtbot.waitUntil(
        lambda: dialog.server_version.text() == pharmacy_server.__version__, timeout=10_000
    )
    dialog.close()


def test_the_prescription_menu_follows_the_status_table(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    prescriber = sign_in(server, "prescriber1")
    submitted = submit_one(prescriber, templates, "Menucheck")
    pharmacist = sign_in(server, "pharmacist1")
    window = PharmacistWindow(pharmacist, pharmacist.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    actions = window.menus.actions
    assert not actions["approve"].isEnabled()  # nothing selected
    qtbot.waitUntil(lambda: window.browser.model.row_for(str(submitted.id)) is not None)
    window.browser.select(str(submitted.id))
    assert actions["approve"].isEnabled() and actions["reject"].isEnabled()
    assert not actions["ship"].isEnabled()  # not from "submitted"
    actions["approve"].trigger()
    assert window.confirming_approval  # the same in-place confirmation as the button
    assert not actions["approve"].isEnabled()
    window.cancel_approval()
    actions["filter_2"].trigger()  # View › the second filter
    assert window.status_filter == "needs_clarification"
    prescriber.logout()
    pharmacist.logout()


def test_ctrl_q_asks_with_unsent_work_and_quits_without(
    qtbot: QtBot, closed_port_url: str, tmp_path: Path, templates: list[Template]
) -> None:
    answers: list[str] = []
    window = open_window(qtbot, closed_port_url, tmp_path, MemoryKeyring(), templates, answers)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # Nothing unsent: Ctrl+Q closes the window and quits without asking.
    with qtbot.waitSignal(window.quit_requested, timeout=5_000):
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not answers and not window.isVisible()
    qtbot.waitUntil(window.local_closed.is_set, timeout=10_000)

    # An unsent prescription in the outbox: asked, the user stays, nothing closes.
    window = open_window(qtbot, closed_port_url, tmp_path, MemoryKeyring(), templates, answers)
    durable = window.durable
    assert durable is not None
    durable.outbox.sign(signed_body(templates), title="HOPPER, Grace", signing_token="t")
    window.reload_local_work()
    qtbot.waitUntil(lambda: bool(window.unsent_work()), timeout=10_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.assertNotEmitted(window.quit_requested):
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(answers) == 1 and "Quit anyway?" in answers[0]
    assert window.isVisible() and window.durable is durable
    window.close()
    qtbot.waitUntil(window.local_closed.is_set, timeout=10_000)


def test_the_readme_lists_every_shortcut() -> None:
    section = README.read_text(encoding="utf-8").split("## Keyboard shortcuts", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|$", section, flags=re.MULTILINE))
    for shortcut in every_shortcut():
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.PortableText) for s in shortcut.sequences()
        )
        assert rows.get(shortcut.text) == f"`{keys}`", shortcut.text


def test_the_prescribers_menu_offers_cancel_and_not_answer_on_a_submitted_order(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    client = sign_in(server, "prescriber1")
    submitted = submit_one(client, templates, "Menucancel")
    window = PrescriberWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    actions = window.menus.actions
    qtbot.waitUntil(lambda: window.browser.model.row_for(str(submitted.id)) is not None)
    assert not actions["cancel"].isEnabled() and not actions["save_fhir"].isEnabled()
    window.browser.select(str(submitted.id))
    assert actions["cancel"].isEnabled() and actions["save_fhir"].isEnabled()
    assert not actions["answer_clarification"].isEnabled()  # nobody asked a question
    actions["cancel"].trigger()
    assert window.action_dialog is not None  # the same dialog as the button, asking why
    window.action_dialog.reject()
    client.logout()


def test_the_menus_reach_nothing_behind_the_lock_screen(
    qtbot: QtBot, closed_port_url: str, tmp_path: Path, templates: list[Template]
) -> None:
    window = open_window(qtbot, closed_port_url, tmp_path, MemoryKeyring(), templates)
    window.lock()
    window.menus.actions["new_prescription"].trigger()
    window.menus.actions["select_all"].trigger()
    assert window.is_locked and window.pages.currentWidget() is not window.composer
    window.unlock()
    window.menus.actions["new_prescription"].trigger()
    assert window.pages.currentWidget() is window.composer
    window.close()
    qtbot.waitUntil(window.local_closed.is_set, timeout=10_000)
