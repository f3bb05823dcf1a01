"""Keyboard-only work in the dialogs: Tab visits every input once, in reading order."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient, SignedInUser
from portal_client.core.settings import Settings
from portal_client.gui import ops
from portal_client.gui.account_request_dialog import AccountRequestDialog
from portal_client.gui.activation_dialog import ActivationDialog
from portal_client.gui.admin_window import RejectRequestDialog
from portal_client.gui.password_dialog import PasswordDialog
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_dialog import SignDialog
from portal_client.gui.sign_in import SignInWindow
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring, opener
from tests.gui.test_tab_order import name_of, reachable_inputs, tab_around
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer

USER = SignedInUser("1", "prescriber1", "prescriber", "Dr P", mfa_enrolled=False)


def build(url: str, which: str) -> QWidget:
    client = ApiClient(url)
    client.user = USER
    if which == "sign-in":
        return SignInWindow(Settings(server_url=url))
    if which == "account-request":
        return AccountRequestDialog(url, ApiClient)
    if which == "activation":
        return ActivationDialog(url, ApiClient, username="mchen")
    if which == "reject":
        return RejectRequestDialog("A. Requester")
    if which == "sign":
        return SignDialog(client, {}, "<p>The order</p>")
    return PasswordDialog(client, USER)


EXPECTED = {
    "sign-in": [
        "User name",
        "Password",
        "Remember my user name",
        "Request an account",
        "Activate account",
        "Change",
        "Copy diagnostics",
        "Language",
    ],
    "account-request": [
        "Full name",
        "User name",
        "E-mail",
        "Clinic",
        "Role",
        "NPI",
        "State licence number",
        "Licence state",
        "Licence expiry date",
        "DEA number",
        "Cancel",
        "Send request",
    ],
    "activation": [
        "User name",
        "Activation code",
        "New password",
        "Repeat the new password",
        "Cancel",
    ],
    "reject": ["Reason for rejecting", "Cancel"],
    "sign": ["Your password", "Cancel", "Prescription to sign"],
    "password": ["Current password", "New password", "Repeat the new password", "Cancel"],
}


@pytest.mark.parametrize("which", list(EXPECTED))
def test_tab_visits_every_dialog_input_once_in_order(
    qtbot: QtBot, closed_port_url: str, which: str
) -> None:
    window = build(closed_port_url, which)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()

    def focus_inside() -> QWidget | None:
        widget = QApplication.focusWidget()
        return widget if widget is not None and window.isAncestorOf(widget) else None

    qtbot.waitUntil(lambda: focus_inside() is not None)
    start = focus_inside()
    assert start is not None
    forwards = tab_around(qtbot, start)
    assert [name_of(widget) for widget in forwards] == EXPECTED[which]
    assert len(set(forwards)) == len(forwards)
    assert set(forwards) == reachable_inputs(window)
    backwards = tab_around(qtbot, start, backwards=True)
    assert backwards == [forwards[0], *reversed(forwards[1:])]


def test_tab_in_the_rejection_reason_moves_on(qtbot: QtBot) -> None:
    dialog = RejectRequestDialog("A. Requester")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.reason.setFocus()
    qtbot.waitUntil(dialog.reason.hasFocus)
    qtbot.keyClicks(dialog.reason, "No such licence")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Tab)
    assert dialog.reason.toPlainText() == "No such licence"
    assert QApplication.focusWidget() is dialog.ok


def test_tab_goes_round_the_pharmacists_review_window_in_reading_order(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    submit_one(sign_in(server, "prescriber1"), templates, "Keyboard")
    pharmacist = sign_in(server, "pharmacist1")
    assert pharmacist.user is not None
    window = PharmacistWindow(pharmacist, pharmacist.user)
    qtbot.addWidget(window)
    window.resize(1366, 860)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.browser.model.rowCount() > 0, timeout=20_000)
    window.browser.table.selectRow(0)
    qtbot.waitUntil(window.approve_button.isEnabled, timeout=20_000)
    forwards = tab_around(qtbot, window.account_button)
    names = [name_of(widget) for widget in forwards]
    assert names[:10] == [
        "Account menu",
        "Sign out",
        "Search the queue",
        "Show",
        "Only orders with warnings",
        "Only orders the prescriber answered, waiting for you",
        "Sort by",
        "Refresh",
        "Prescriptions",
        "Prescription details",
    ]
    assert names.index("Save as FHIR…") < names.index("Approve")  # the detail, then acting on it
    assert len(set(forwards)) == len(forwards)
    assert set(forwards) == reachable_inputs(window)
    backwards = tab_around(qtbot, window.account_button, backwards=True)
    assert backwards == [forwards[0], *reversed(forwards[1:])]


def test_tab_goes_round_the_prescribers_list_in_reading_order(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    assert client.user is not None
    window = PrescriberWindow(client, client.user, store_opener=opener(tmp_path, MemoryKeyring()))
    qtbot.addWidget(window)
    window.resize(1366, 860)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=20_000)
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=20_000)
    forwards = tab_around(qtbot, window.account_button)
    names = [name_of(widget) for widget in forwards]
    assert names == [
        "Account menu",
        "Sign out",
        "Refresh",
        "New prescription",
        "Lists",
        "Prescriptions",
        "Prescription details",
    ]
    assert set(forwards) == reachable_inputs(window)
    backwards = tab_around(qtbot, window.account_button, backwards=True)
    assert backwards == [forwards[0], *reversed(forwards[1:])]
    window.close()
