"""Repeat through the prescriber's real window against a real server: a past order is
selected, repeated and at the sign dialog in three actions (a click on its row, Repeat,
Sign…), with the same patient, template and doses and the checks run again; Ctrl+R and
the list's context menu offer the same action.

Set PORTAL_SCREENSHOTS=<dir> to save the list with Repeat and the repeated order."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.gui.actions import SHORTCUTS
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_dialog import SignDialog
from tests.e2e.test_full_path import screenshot, settle
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring, opener
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000


class ActionCount:
    """Counts what the prescriber does: each click or key is one action."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0

    def click(self, widget: QWidget, position: QPoint | None = None) -> None:
        self.count += 1
        if position is None:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        else:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=position)


def _window(qtbot: QtBot, client: ApiClient, data_dir: Path) -> PrescriberWindow:
    assert client.user is not None
    window = PrescriberWindow(client, client.user, store_opener=opener(data_dir, MemoryKeyring()))
    qtbot.addWidget(window)
    window.resize(1366, 860)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(window.templates), timeout=TIMEOUT_MS)
    return window


def _row_centre(window: PrescriberWindow, prescription_id: str) -> QPoint:
    row = window.browser.model.row_for(prescription_id)
    assert row is not None
    table = window.browser.table
    return table.visualRect(window.browser.model.index(row, 1)).center()


def test_a_past_order_is_at_the_sign_dialog_in_three_actions(
    qtbot: QtBot, server: LiveServer, templates: list[Template], tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    past = submit_one(client, templates, "Repeatfield")
    window = _window(qtbot, client, tmp_path)
    qtbot.waitUntil(lambda: window.browser.model.row_for(past.id) is not None, timeout=TIMEOUT_MS)
    actions = ActionCount(qtbot)

    actions.click(window.browser.table.viewport(), _row_centre(window, past.id))
    assert window.browser.current() is not None and window.browser.current().id == past.id  # type: ignore[union-attr]
    assert window.repeats.button.isVisible() and window.repeats.action.isEnabled()
    settle(qtbot, window)
    screenshot(window, "prescriber-repeat")
    with qtbot.waitSignal(window.repeats.opened, timeout=TIMEOUT_MS) as opened:
        actions.click(window.repeats.button)
    plan = opened.args[0]
    composer = window.composer
    assert window.pages.currentWidget() is composer
    assert (composer.given_name.text(), composer.family_name.text()) == ("Ada", "Repeatfield")
    assert composer.state.template is not None
    assert composer.state.template.key == ("myers-infusion", plan.template.version)
    assert composer.state.to_body()["ingredients"] == past.body()["ingredients"]
    assert "Repeat of " + past.reference in composer.status_banner.label.text()
    assert composer.review.can_sign  # the checks ran again and pass
    settle(qtbot, window)
    screenshot(window, "composer-repeat")

    actions.click(composer.submit)
    qtbot.waitUntil(lambda: composer.findChild(SignDialog) is not None, timeout=TIMEOUT_MS)
    dialog = composer.findChild(SignDialog)
    assert dialog is not None and dialog.isVisible()
    assert actions.count == 3
    dialog.reject()
    client.logout()


def test_ctrl_r_and_the_context_menu_offer_repeat(
    qtbot: QtBot, server: LiveServer, templates: list[Template], tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    past = submit_one(client, templates, "Shortcutfield")
    window = _window(qtbot, client, tmp_path)
    qtbot.waitUntil(lambda: window.browser.model.row_for(past.id) is not None, timeout=TIMEOUT_MS)
    assert window.repeats.action.shortcut().toString() == SHORTCUTS["repeat"].keys
    assert not window.repeats.action.isEnabled()  # nothing selected yet
    assert window.repeats.action in window.repeats.context_menu.actions()
    assert window.browser.select(past.id)
    assert window.repeats.action.isEnabled()
    with qtbot.waitSignal(window.repeats.opened, timeout=TIMEOUT_MS):
        window.repeats.action.trigger()
    assert window.composer.family_name.text() == "Shortcutfield"
    client.logout()
