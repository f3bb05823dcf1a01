"""The thread under an order's detail, both windows against one real server: the
pharmacist writes (Ctrl+Enter), the prescriber's row and total show it unread, opening
the order shows it and marks it read, the answer reaches the pharmacist's open thread
through the refresh; a failed send keeps the text and retries with the same key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.errors import OutcomeUnknown
from portal_client.core.message_wire import MessageWire
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.message_thread import PrescriptionMessages
from tests.gui.conftest import sign_in
from tests.gui.test_lifecycle import pharmacist_window, prescriber_window
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer, start_live_server

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def thread_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: the unread totals count this module's messages only."""
    with start_live_server(tmp_path_factory.mktemp("messages")) as live:
        yield live


@pytest.fixture
def clients(thread_server: LiveServer) -> Iterator[dict[str, ApiClient]]:
    signed = {name: sign_in(thread_server, name) for name in ("prescriber1", "pharmacist1")}
    yield signed
    for client in signed.values():
        client.logout()


def _unread_cell(browser: PrescriptionBrowser, prescription_id: str) -> str:
    """The row's unread badge ("1" for "RX-… · 1 new"), "" without one."""
    model = browser.model
    row = model.row_for(prescription_id)
    if row is None:
        return "(no row)"
    text = str(model.index(row, model.column_of("reference")).data())
    return text.rsplit(" · ", 1)[1].removesuffix(" new") if text.endswith(" new") else ""


def _open(qtbot: QtBot, browser: PrescriptionBrowser, prescription_id: str) -> None:
    qtbot.waitUntil(lambda: browser.model.row_for(prescription_id) is not None, timeout=TIMEOUT_MS)
    assert browser.select(prescription_id)


def _texts(messages: PrescriptionMessages) -> list[str]:
    return [] if messages.current is None else [m.text for m in messages.current.messages]


def _wait_idle(qtbot: QtBot, messages: PrescriptionMessages) -> None:
    qtbot.waitUntil(lambda: not messages._loading and not messages._sending, timeout=TIMEOUT_MS)


def test_a_message_both_ways_with_unread_counts(
    qtbot: QtBot, templates: list[Template], clients: dict[str, ApiClient]
) -> None:
    order = str(submit_one(clients["prescriber1"], templates, "Threaded").id)
    desk = pharmacist_window(qtbot, clients["pharmacist1"], "submitted")
    _open(qtbot, desk.browser, order)
    qtbot.waitUntil(lambda: desk.messages.current is not None, timeout=TIMEOUT_MS)
    _wait_idle(qtbot, desk.messages)
    assert "No messages yet" in desk.messages.panel.history.toPlainText()

    box = desk.messages.panel.box
    box.setFocus()
    qtbot.keyClicks(box, "Is the magnesium dose intended?")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _texts(desk.messages) == ["Is the magnesium dose intended?"])
    assert box.toPlainText() == ""
    history = desk.messages.panel.history.toPlainText()
    assert "You · " in history and "Is the magnesium dose intended?" in history

    # The prescriber's list and total show it unread until the order is opened.
    window = prescriber_window(qtbot, clients["prescriber1"])
    qtbot.waitUntil(lambda: _unread_cell(window.browser, order) == "1", timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.messages.total_label.text() == "1 unread message", timeout=TIMEOUT_MS
    )
    _open(qtbot, window.browser, order)
    qtbot.waitUntil(lambda: _texts(window.messages) == ["Is the magnesium dose intended?"])
    assert "Priya Nair, PharmD (pharmacy) · " in window.messages.panel.history.toPlainText()
    qtbot.waitUntil(lambda: _unread_cell(window.browser, order) == "", timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.messages.total_label.text() == "No unread messages", timeout=TIMEOUT_MS
    )

    # The answer, with the button; the desk's refresh brings it into its open thread.
    _wait_idle(qtbot, window.messages)
    window.messages.panel.box.setPlainText("Yes, as last month.")
    window.messages.panel.send_button.click()
    qtbot.waitUntil(lambda: len(_texts(window.messages)) == 2, timeout=TIMEOUT_MS)
    desk.refresh()
    qtbot.waitUntil(
        lambda: _texts(desk.messages) == ["Is the magnesium dose intended?", "Yes, as last month."],
        timeout=TIMEOUT_MS,
    )
    # Open, so read at once: neither the row nor the total keeps it.
    qtbot.waitUntil(lambda: _unread_cell(desk.browser, order) == "", timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: desk.messages.total == 0, timeout=TIMEOUT_MS)
    assert clients["pharmacist1"].unread_messages().total == 0
    _wait_idle(qtbot, desk.messages)
    _wait_idle(qtbot, window.messages)


def test_a_failed_send_keeps_the_text_and_retries_with_the_same_key(
    qtbot: QtBot,
    templates: list[Template],
    clients: dict[str, ApiClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = clients["prescriber1"]
    order = str(submit_one(client, templates, "Retried").id)
    window = prescriber_window(qtbot, client)
    _open(qtbot, window.browser, order)
    qtbot.waitUntil(lambda: window.messages.current is not None, timeout=TIMEOUT_MS)
    _wait_idle(qtbot, window.messages)

    keys: list[str] = []
    real_post = client.post_message

    def lost_answer(prescription_id: str, text: str, key: str) -> MessageWire:
        keys.append(key)
        real_post(prescription_id, text, key)  # stored, but the answer never arrives
        raise OutcomeUnknown("The server did not answer in time.")

    monkeypatch.setattr(client, "post_message", lost_answer)
    panel = window.messages.panel
    panel.box.setPlainText("Please call the clinic.")
    panel.send_button.click()
    qtbot.waitUntil(panel.error.isVisible, timeout=TIMEOUT_MS)
    assert "may have arrived" in panel.error.text()
    assert panel.box.toPlainText() == "Please call the clinic."
    _wait_idle(qtbot, window.messages)

    def recorded(prescription_id: str, text: str, key: str) -> MessageWire:
        keys.append(key)
        return real_post(prescription_id, text, key)

    monkeypatch.setattr(client, "post_message", recorded)
    panel.send_button.click()
    qtbot.waitUntil(lambda: _texts(window.messages) == ["Please call the clinic."])
    assert panel.box.toPlainText() == "" and not panel.error.isVisible()
    assert len(keys) == 2 and keys[0] == keys[1]
    # Stored once, whatever the retries.
    thread = client.thread_after(order)
    assert [m.text for m in thread.items] == ["Please call the clinic."]

    # Text the server would refuse is not sent at all, and stays.
    panel.box.setPlainText("Bell \x07 here")
    panel.send_button.click()
    assert "cannot be sent" in panel.error.text()
    assert panel.box.toPlainText() == "Bell \x07 here"
    assert len(keys) == 2
