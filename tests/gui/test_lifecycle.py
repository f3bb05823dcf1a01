"""The prescription's life after submission, through the real windows and a real server:
a question and its answer, approval, compounding, ready, shipped with a tracking note, and
the prescriber's view of every step; a required note left empty; a pharmacist acting on a
row a colleague already moved; a prescriber cancelling.

Set PORTAL_SCREENSHOTS=<dir> to save the prescriber's question and the pharmacist's history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.action_dialog import ActionDialog
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.e2e.test_full_path import screenshot, settle
from tests.gui.conftest import sign_in
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000


class Clients(dict[str, ApiClient]):
    """``clients["pharmacist1"]``: signed in on first use, signed out after the test."""

    def __init__(self, server: LiveServer) -> None:
        super().__init__()
        self.server = server

    def __missing__(self, username: str) -> ApiClient:
        client = self[username] = sign_in(self.server, username)
        return client


@pytest.fixture
def clients(server: LiveServer) -> Iterator[Clients]:
    signed_in = Clients(server)
    yield signed_in
    for client in signed_in.values():
        client.logout()


def pharmacist_window(qtbot: QtBot, client: ApiClient, status_filter: str) -> PharmacistWindow:
    window = PharmacistWindow(client, client.user, status_filter=status_filter)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def prescriber_window(qtbot: QtBot, client: ApiClient) -> PrescriberWindow:
    def no_local_store(_client: object, _user: object) -> Any:
        raise OSError("not needed here")  # drafts and the outbox are tested elsewhere

    window = PrescriberWindow(client, client.user, store_opener=no_local_store)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def status_in(window: PharmacistWindow | PrescriberWindow, prescription_id: str) -> str | None:
    row = window.browser.model.row_for(prescription_id)
    return None if row is None else window.browser.model.state.rows[row].status


def select_when_listed(
    qtbot: QtBot, window: PharmacistWindow | PrescriberWindow, prescription_id: str, status: str
) -> None:
    qtbot.waitUntil(lambda: status_in(window, prescription_id) == status, timeout=TIMEOUT_MS)
    assert window.browser.select(prescription_id)


def open_dialog(window: PharmacistWindow | PrescriberWindow, button: Any) -> ActionDialog:
    button.click()
    dialog = window.action_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def send(qtbot: QtBot, window: Any, dialog: ActionDialog, note: str) -> PrescriptionWire:
    dialog.note.setPlainText(note)
    with qtbot.waitSignal(window.acted, timeout=TIMEOUT_MS) as acted:
        dialog.ok_button.click()
    updated = acted.args[0]
    assert isinstance(updated, PrescriptionWire)  # the signal carries the typed answer
    return updated


def confirm_in_place(qtbot: QtBot, window: PharmacistWindow, name: str) -> PrescriptionWire:
    window.action_buttons[name].click()
    assert window.confirming == name and window.focusWidget() is window.confirm_button
    with qtbot.waitSignal(window.acted, timeout=TIMEOUT_MS) as acted:
        qtbot.keyClick(window.confirm_button, Qt.Key.Key_Return)
    updated = acted.args[0]
    assert isinstance(updated, PrescriptionWire)  # the signal carries the typed answer
    return updated


def visible_actions(window: PharmacistWindow) -> list[str]:
    return [name for name, button in window.action_buttons.items() if button.isVisible()]


def test_question_answer_and_every_step_to_shipped(
    qtbot: QtBot, server: LiveServer, templates: list[Template], clients: Clients
) -> None:
    created = submit_one(clients["prescriber1"], templates, "Lifecycle")
    prescription_id, reference = str(created.id), str(created.reference)
    question = "Is the magnesium <2 g> meant for a peripheral line?"
    answer = "Yes: over 60 minutes, & the patient tolerated it before."
    tracking = "UPS 1Z999AA10123456784"

    # --- the pharmacist asks the prescriber
    queue = pharmacist_window(qtbot, clients["pharmacist1"], "submitted")
    select_when_listed(qtbot, queue, prescription_id, "submitted")
    assert visible_actions(queue) == ["reject", "request_clarification", "approve"]
    asked = send(qtbot, queue, open_dialog(queue, queue.ask_button), question)
    assert asked.status == "needs_clarification"
    assert "Waiting for the prescriber" in queue.banner.label.text()
    qtbot.waitUntil(lambda: status_in(queue, prescription_id) is None, timeout=TIMEOUT_MS)

    # --- the prescriber's window finds the question, shows it on top and answers
    window = prescriber_window(qtbot, clients["prescriber1"])
    select_when_listed(qtbot, window, prescription_id, "needs_clarification")
    assert reference in window.question_banner.label.text()
    assert "LIFECYCLE, Ada" in window.question_banner.label.text()
    assert "question for you" in window.count_label.text()
    assert "Lifecycle" not in window.windowTitle() and "LIFECYCLE" not in window.windowTitle()
    detail = window.browser.detail.toPlainText()
    assert question in detail and detail.index(question) < detail.index("PATIENT")
    window.store_banner.clear()  # this test runs without a local store; users have one
    settle(qtbot, window)
    screenshot(window, "prescriber-question")
    assert window.answer_button.isVisible() and window.cancel_button.isVisible()
    answered = send(qtbot, window, open_dialog(window, window.answer_button), answer)
    assert answered.status == "submitted"
    assert not window.answer_button.isVisible()

    # --- back in "To review" for the pharmacist, with the question and the answer on top
    queue.refresh()
    select_when_listed(qtbot, queue, prescription_id, "submitted")
    top = queue.browser.detail.toPlainText().split("PATIENT")[0]
    assert question in top and answer in top
    settle(qtbot, queue)
    screenshot(queue, "pharmacist-answered")
    queue.approve_button.click()
    with qtbot.waitSignal(queue.reviewed, timeout=TIMEOUT_MS) as reviewed:
        qtbot.keyClick(queue.confirm_button, Qt.Key.Key_Return)
    assert reviewed.args[0].status == "approved"

    # --- compounding, ready, shipped: each from its own list
    queue.show_filter("approved")
    select_when_listed(qtbot, queue, prescription_id, "approved")
    assert visible_actions(queue) == ["start_compounding"]
    assert confirm_in_place(qtbot, queue, "start_compounding").status == "compounding"
    queue.show_filter("compounding")
    select_when_listed(qtbot, queue, prescription_id, "compounding")
    assert visible_actions(queue) == ["mark_ready"]
    ready = open_dialog(queue, queue.action_buttons["mark_ready"])
    fields = ready.beyond_use
    assert fields is not None and queue.focusWidget() is not None
    assert ready.focusWidget() is fields.date  # the date first, then storage, then the note
    ready.ok_button.click()  # no storage chosen: said, nothing sent
    assert ready.isVisible() and "stored" in ready.problem.text()
    fields.date.setDate(fields.date.date().addDays(9))
    fields.storage.setCurrentIndex(fields.storage.findData("refrigerated"))
    assert not ready.problem.isVisible()  # the message went with its cause
    beyond_use_date = fields.value().date
    assert beyond_use_date is not None
    settle(qtbot, ready)
    screenshot(ready, "pharmacist-mark-ready")
    marked = send(qtbot, queue, ready, "")
    assert marked.status == "ready" and marked.beyond_use is not None
    assert marked.beyond_use.date == beyond_use_date.isoformat()
    queue.show_filter("ready")
    select_when_listed(qtbot, queue, prescription_id, "ready")
    ship = open_dialog(queue, queue.action_buttons["ship"])
    assert ship.note_label.text() == "Courier and tracking number (optional)"
    assert send(qtbot, queue, ship, tracking).status == "shipped"
    assert queue.banner.label.text() == f"{reference} marked shipped."
    queue.show_filter("shipped")
    select_when_listed(qtbot, queue, prescription_id, "shipped")
    assert visible_actions(queue) == []  # shipped is final
    scroll = queue.browser.detail.verticalScrollBar()
    scroll.setValue(scroll.maximum())
    settle(qtbot, queue)
    screenshot(queue, "pharmacist-history")

    # --- the prescriber's list says Shipped, and the history has every step
    window.refresh()
    qtbot.waitUntil(lambda: status_in(window, prescription_id) == "shipped", timeout=TIMEOUT_MS)
    model = window.browser.model
    row = model.row_for(prescription_id)
    assert row is not None and model.index(row, model.column_of("status")).data() == "Shipped"
    window.browser.select(prescription_id)
    history = window.browser.detail.toPlainText().split("HISTORY")[1]
    steps = [
        "submitted",
        "asked for clarification",
        "answered",
        "approved",
        "started compounding",
        "marked ready",
        "shipped",
    ]
    positions = [history.index(step) for step in steps]
    assert positions == sorted(positions), history
    for text in (question, answer, tracking, "Dr. Maya Chen", "Priya Nair"):
        assert text in history, text
    # What the pharmacy stated on marking it ready is shown back to the prescriber.
    ready_part = window.browser.detail.toPlainText().split("PATIENT")[0]
    assert "READY AT THE PHARMACY" in ready_part
    assert beyond_use_date.isoformat() in ready_part and "Refrigerated, 2–8 °C" in ready_part
    window.browser.detail.verticalScrollBar().setValue(0)
    settle(qtbot, window)
    screenshot(window, "prescriber-beyond-use")
    assert not window.answer_button.isVisible() and not window.cancel_button.isVisible()


def test_a_required_note_left_empty_is_said_and_the_dialog_stays(
    qtbot: QtBot, server: LiveServer, templates: list[Template], clients: Clients
) -> None:
    created = submit_one(clients["prescriber1"], templates, "Emptynote")
    prescription_id = str(created.id)
    queue = pharmacist_window(qtbot, clients["pharmacist1"], "submitted")
    select_when_listed(qtbot, queue, prescription_id, "submitted")
    dialog = open_dialog(queue, queue.ask_button)
    assert dialog.windowTitle() == f"Ask the prescriber — {created.reference}"
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.problem.text() == "Write the question for the prescriber first: it is required."
    dialog.note.setPlainText("x" * 2001)
    dialog.ok_button.click()
    assert "Shorten it by 1" in dialog.problem.text() and dialog.isVisible()
    assert clients["pharmacist1"].get_prescription(prescription_id).status == "submitted"
    dialog.reject()
    qtbot.waitUntil(lambda: queue.action_dialog is None)


def test_acting_on_a_row_someone_else_moved_says_so_and_shows_it_as_it_is(
    qtbot: QtBot, server: LiveServer, templates: list[Template], clients: Clients
) -> None:
    created = submit_one(clients["prescriber1"], templates, "Twodesks")
    prescription_id, reference = str(created.id), str(created.reference)
    first = pharmacist_window(qtbot, clients["pharmacist1"], "submitted")
    second_client = sign_in(server, "pharmacist1")  # the same pharmacist at another desk
    second = pharmacist_window(qtbot, second_client, "submitted")
    for window in (first, second):
        select_when_listed(qtbot, window, prescription_id, "submitted")

    assert confirm_in_place(qtbot, first, "approve").status == "approved"
    # The second desk still shows it as submitted and asks the prescriber a question.
    assert status_in(second, prescription_id) == "submitted"
    dialog = open_dialog(second, second.ask_button)
    dialog.note.setPlainText("Which G6PD result?")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: second.banner.kind == "warn", timeout=TIMEOUT_MS)
    text = second.banner.label.text()
    assert text.startswith(f"{reference} was changed by someone else")
    assert "Approved" in text  # the server's words: the status it has now
    qtbot.waitUntil(lambda: "Last change: approved by Priya Nair" in second.banner.label.text())
    qtbot.waitUntil(lambda: second.action_dialog is None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: (now := second.browser.current()) is not None and now.status == "approved",
        timeout=TIMEOUT_MS,
    )
    assert visible_actions(second) == ["start_compounding"]
    assert "Approved" in second.browser.detail.toPlainText().split("PATIENT")[0]
    second_client.logout()


def test_the_prescriber_cancels_with_a_reason(
    qtbot: QtBot, server: LiveServer, templates: list[Template], clients: Clients
) -> None:
    created = submit_one(clients["prescriber1"], templates, "Cancelme")
    prescription_id = str(created.id)
    window = prescriber_window(qtbot, clients["prescriber1"])
    select_when_listed(qtbot, window, prescription_id, "submitted")
    assert window.cancel_button.isVisible() and not window.answer_button.isVisible()
    dialog = open_dialog(window, window.cancel_button)
    assert dialog.ok_button.text() == "Cancel prescription"
    assert dialog.ok_button.objectName() == "Danger"
    dialog.ok_button.click()
    assert dialog.problem.text() == "Write the reason for cancelling first: it is required."
    cancelled = send(qtbot, window, dialog, "The patient <moved> away.")
    assert cancelled.status == "cancelled"
    assert not window.cancel_button.isVisible()
    assert "The patient <moved> away." in window.browser.detail.toPlainText()
    stored = clients["pharmacist1"].get_prescription(prescription_id)
    assert stored.status == "cancelled"
    assert stored.history[-1].note == "The patient <moved> away."
    # The pharmacist sees it under Cancelled, with nothing left to do.
    queue = pharmacist_window(qtbot, clients["pharmacist1"], "cancelled")
    select_when_listed(qtbot, queue, prescription_id, "cancelled")
    assert visible_actions(queue) == []
    assert "nothing more to do" in queue.action_hint.text().lower()


def test_an_approval_decided_before_the_answer_arrived_is_refused_and_explained(
    qtbot: QtBot, server: LiveServer, templates: list[Template], clients: Clients
) -> None:
    created = submit_one(clients["prescriber1"], templates, "Unseen")
    prescription_id, reference = str(created.id), str(created.reference)
    queue = pharmacist_window(qtbot, clients["pharmacist1"], "submitted")
    select_when_listed(qtbot, queue, prescription_id, "submitted")
    queue.refresh_timer.stop()  # this screen keeps showing the prescription as submitted
    # Meanwhile, at another desk, a question; the prescriber answers it: "submitted" again.
    colleague = sign_in(server, "pharmacist1")
    colleague.act(prescription_id, "request_clarification", "Which G6PD result?", seen_steps=1)
    colleague.logout()
    answer = "The one dated 1 Oct: normal."
    clients["prescriber1"].act(prescription_id, "answer_clarification", answer, seen_steps=2)

    assert answer not in queue.browser.detail.toPlainText()
    queue.approve_button.click()
    qtbot.keyClick(queue.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: queue.banner.kind == "warn", timeout=TIMEOUT_MS)
    text = queue.banner.label.text()
    assert text.startswith(f"Nothing was recorded for {reference}: ")
    assert "Dr. Maya Chen" in text  # the server's words: who did what since
    assert clients["pharmacist1"].get_prescription(prescription_id).status == "submitted"
    # The row as it is now: the question and the answer on top, approval offered again.
    qtbot.waitUntil(
        lambda: answer in queue.browser.detail.toPlainText().split("PATIENT")[0],
        timeout=TIMEOUT_MS,
    )
    assert visible_actions(queue) == ["reject", "request_clarification", "approve"]
    assert confirm_in_place(qtbot, queue, "approve").status == "approved"
