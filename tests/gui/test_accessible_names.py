"""Every input in every window says what it is to a screen reader (its accessible name)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pharmacy_domain.status import ACTIONS
from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import LabEntry
from portal_client.core.settings import Settings
from portal_client.gui import ops
from portal_client.gui.account_request_dialog import AccountRequestDialog
from portal_client.gui.action_dialog import ActionDialog
from portal_client.gui.activation_dialog import ActivationDialog
from portal_client.gui.admin_window import AdminHomeWindow, RejectRequestDialog
from portal_client.gui.password_dialog import PasswordDialog
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_dialog import SignDialog
from portal_client.gui.sign_in import SignInWindow
from portal_client.gui.staff_window import StaffWindow
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring, opener
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer

INPUTS = (
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QTextEdit,
    QPlainTextEdit,
    QCheckBox,
    QAbstractItemView,
    QTabBar,
)
TIMEOUT_MS = 20_000


def is_part_of_another_input(widget: QWidget, root: QWidget) -> bool:
    """A combo's own line edit and list, a spin box's editor, a table's headers, a tab
    bar's scroll arrows, a line edit's clear button: parts of an input named through their owner."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(
            parent, QComboBox | QAbstractSpinBox | QAbstractItemView | QTabBar | QLineEdit
        ):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_inputs(root: QWidget) -> Iterator[str]:
    for widget in [root, *root.findChildren(QWidget)]:
        is_input = isinstance(widget, INPUTS) or (
            isinstance(widget, QAbstractButton) and not widget.text().strip()
        )
        if not is_input or is_part_of_another_input(widget, root):
            continue
        if not widget.accessibleName().strip():
            yield f"{type(widget).__name__} {widget.objectName()!r} in {type(root).__name__}"


def assert_all_named(qtbot: QtBot, *roots: QWidget) -> None:
    missing = [name for root in roots for name in unnamed_inputs(root)]
    assert missing == [], "\n".join(missing)


def test_every_input_of_the_prescriber_and_staff_windows_is_named(
    qtbot: QtBot, server: LiveServer, tmp_path: Path, templates: list[Template]
) -> None:
    client = sign_in(server, "prescriber1")
    assert client.user is not None
    window = PrescriberWindow(
        client, client.user, store_opener=opener(tmp_path / "p", MemoryKeyring())
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(window.composer.templates), timeout=TIMEOUT_MS)
    page = window.composer
    page.select_template("myers-push")
    page.add_lab(LabEntry("g6pd", "2026-10-01", interpretation="normal"))
    for editor, text in ((page.given_name, "Ada"), (page.family_name, "Named")):
        qtbot.keyClicks(editor, text)
    qtbot.keyClicks(page.birth_date, "1980-02-03")
    body = page.state.to_body()
    sign = SignDialog(client, body, page.sign_summary(body))
    qtbot.addWidget(sign)
    password = PasswordDialog(client, client.user, window)
    qtbot.addWidget(password)
    staff_client = sign_in(server, "staff1")
    assert staff_client.user is not None
    staff = StaffWindow(
        staff_client, staff_client.user, store_opener=opener(tmp_path / "s", MemoryKeyring())
    )
    qtbot.addWidget(staff)
    staff.show()
    qtbot.waitUntil(lambda: staff.durable is not None, timeout=TIMEOUT_MS)
    assert_all_named(qtbot, window, sign, password, staff)


def test_every_input_of_the_pharmacist_and_admin_windows_is_named(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    submitted = submit_one(sign_in(server, "prescriber1"), templates, "Named")
    pharmacist = sign_in(server, "pharmacist1")
    assert pharmacist.user is not None
    window = PharmacistWindow(pharmacist, pharmacist.user)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
    # Marking ready: the note plus the beyond-use date and storage.
    action = ActionDialog(ACTIONS["mark_ready"], submitted, lambda _note, _bud: submitted)
    qtbot.addWidget(action)
    reject = RejectRequestDialog("A. Requester")
    qtbot.addWidget(reject)
    admin_client = sign_in(server, "admin1")
    assert admin_client.user is not None
    admin = AdminHomeWindow(admin_client, admin_client.user)
    qtbot.addWidget(admin)
    admin.show()
    assert_all_named(qtbot, window, action, reject, admin)


def test_every_input_of_the_sign_in_and_account_windows_is_named(
    qtbot: QtBot, server: LiveServer
) -> None:
    window = SignInWindow(Settings(server_url=server.url))
    qtbot.addWidget(window)
    request = AccountRequestDialog(server.url, ApiClient)
    qtbot.addWidget(request)
    activation = ActivationDialog(server.url, ApiClient, username="someone")
    qtbot.addWidget(activation)
    assert_all_named(qtbot, window, request, activation)
