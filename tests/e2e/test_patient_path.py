"""A patient's path through the real app and a real server: the prescriber creates the
record on the Patients page and adds the results Myers' needs, prescribes for the
patient from the record, signs and submits; then repeats the order (a click on its row,
Repeat, Sign…: three actions to the sign dialog) and submits it too. Both orders name
the record, and hold the patient as signed.

The actions of the new Myers' bag for the existing patient are counted (each key and
click is one) and printed, as the README reports them."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from portal_client.gui.app import create_application
from portal_client.gui.patient_dialog import PatientDialog, ResultDialog
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_dialog import SignDialog
from tests.e2e.test_full_path import (  # noqa: F401 - the fixture
    TIMEOUT_MS,
    choose_template,
    server,
    sign_in,
)
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer

MYERS = "myers-infusion"


class Actions:
    """Each key and click the prescriber makes."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot, self.count = qtbot, 0

    def click(self, widget: QWidget, position: QPoint | None = None) -> None:
        self.count += 1
        if position is None:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        else:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=position)

    def keys(self, widget: QWidget, text: str) -> None:
        self.count += len(text)
        self.qtbot.keyClicks(widget, text)

    def key(
        self, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None
    ) -> None:
        self.count += 1
        if modifier is None:
            self.qtbot.keyClick(widget, key)
        else:
            self.qtbot.keyClick(widget, key, modifier)


def _create_patient(qtbot: QtBot, window: PrescriberWindow) -> str:
    page = window.patients_page
    window.show_patients()
    page.new_patient_button.click()
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog)
    for name, text in (
        ("given_name", "Rosa"),
        ("family_name", "Pathfinder"),
        ("birth_date", "1969-07-20"),
        ("weight_kg", "70"),
        ("height_cm", "168"),
    ):
        qtbot.keyClicks(dialog.edits[name], text)
    dialog.sex.setCurrentIndex(dialog.sex.findData("female"))
    with qtbot.waitSignal(page.record_shown, timeout=TIMEOUT_MS) as shown:
        dialog.save_button.click()
    record_id = str(shown.args[0].id)
    # The results Myers' vitamin C needs: G6PD and a recent creatinine.
    for code, value, interpretation in (("g6pd", "", "normal"), ("creatinine", "0.9", "normal")):
        page.add_result_button.click()
        result = page.dialog
        assert isinstance(result, ResultDialog)
        result.lab.setCurrentIndex(result.lab.findData(code))
        result.date.setText((dt.date.today() - dt.timedelta(days=7)).isoformat())
        result.value.setText(value)
        result.interpretation.setCurrentIndex(result.interpretation.findData(interpretation))
        with qtbot.waitSignal(page.record_shown, timeout=TIMEOUT_MS):
            result.save_button.click()
    return record_id


def _sign(
    qtbot: QtBot, window: PrescriberWindow, dialog: SignDialog, actions: Actions, *sent: str
) -> str:
    """Sign and wait until the pharmacy has it: its server id (not one of ``sent``)."""
    composer = window.composer
    actions.keys(dialog.credential, DEMO_PASSWORD)
    with qtbot.waitSignal(composer.signed, timeout=TIMEOUT_MS):
        actions.click(dialog.sign_button)

    def new_submitted() -> list[str]:
        return [
            str(i.server_id)
            for i in window.outbox_items
            if i.state.value == "submitted" and str(i.server_id) not in sent
        ]

    qtbot.waitUntil(lambda: bool(new_submitted()), timeout=TIMEOUT_MS)
    return new_submitted()[0]


def _sign_dialog(qtbot: QtBot, window: PrescriberWindow) -> SignDialog:
    composer = window.composer
    qtbot.waitUntil(lambda: composer.findChild(SignDialog) is not None, timeout=TIMEOUT_MS)
    dialog = composer.findChild(SignDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_create_a_patient_prescribe_sign_submit_then_repeat(
    qtbot: QtBot,
    server: LiveServer,  # noqa: F811 - the fixture
) -> None:
    create_application([])
    portal = sign_in(qtbot, server, "prescriber1")
    window = portal.main_window
    assert isinstance(window, PrescriberWindow)
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(window.templates), timeout=TIMEOUT_MS)
    record_id = _create_patient(qtbot, window)
    window.show_list()
    window.tabs.setCurrentWidget(window.browser)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)

    # --- a new Myers' bag for the existing patient, counted from the list
    actions = Actions(qtbot)
    page = window.patients_page
    both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    actions.key(window, Qt.Key.Key_P, both)
    assert window.tabs.currentWidget() is page and page.query.hasFocus()
    with qtbot.waitSignal(page.searched, timeout=TIMEOUT_MS):
        actions.keys(page.query, "Path")
    assert page.results.count() == 1
    with qtbot.waitSignal(page.record_shown, timeout=TIMEOUT_MS):
        actions.key(page.query, Qt.Key.Key_Down)  # into the list, its first row: it loads
    assert page.results.hasFocus()
    actions.key(page.results, Qt.Key.Key_Return)  # New prescription
    composer = window.composer
    assert window.pages.currentWidget() is composer
    assert composer.family_name.text() == "Pathfinder" and composer.state.patient_id == record_id
    qtbot.waitUntil(lambda: bool(composer.templates), timeout=TIMEOUT_MS)
    actions.count += 1  # a click on Myers' in the template list
    choose_template(composer, MYERS)
    assert composer.review.can_sign, composer.current_errors
    actions.click(composer.submit)
    dialog = _sign_dialog(qtbot, window)
    to_sign_dialog = actions.count
    first_id = _sign(qtbot, window, dialog, actions)
    print(
        f"\nNew Myers' bag for an existing patient: {to_sign_dialog} actions to the sign "
        f"dialog, {actions.count} with the password and Sign"
    )
    assert actions.count < 20 + len(DEMO_PASSWORD)
    client = window.client
    first = client.get_prescription(first_id)
    assert first.patient_id == record_id
    assert first.patient_view().family_name == "Pathfinder"

    # --- repeat it: three actions to the sign dialog, still linked to the record
    window.tabs.setCurrentWidget(window.browser)
    window.refresh()
    qtbot.waitUntil(lambda: window.browser.model.row_for(first_id) is not None, timeout=TIMEOUT_MS)
    repeat = Actions(qtbot)
    row = window.browser.model.row_for(first_id)
    assert row is not None
    table = window.browser.table
    repeat.click(table.viewport(), table.visualRect(window.browser.model.index(row, 1)).center())
    with qtbot.waitSignal(window.repeats.opened, timeout=TIMEOUT_MS):
        repeat.click(window.repeats.button)
    assert composer.state.patient_id == record_id
    repeat.click(composer.submit)
    dialog = _sign_dialog(qtbot, window)
    assert repeat.count == 3
    second_id = _sign(qtbot, window, dialog, repeat, first_id)
    assert second_id != first_id
    second = client.get_prescription(second_id)
    assert second.patient_id == record_id
    portal.sign_out()
