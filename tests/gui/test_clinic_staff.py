"""The clinic-staff window against a real server: compose with the checks, never sign,
save the draft for a prescriber of the clinic."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.server_drafts import ServerDraft
from portal_client.core.wire import DraftWire, parse
from portal_client.gui.drafts_view import DraftsView
from portal_client.gui.sign_dialog import SignDialog
from portal_client.gui.staff_window import StaffWindow
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring, opener
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000


def open_staff_window(
    qtbot: QtBot, server: LiveServer, tmp_path: Path, templates: list[Template]
) -> StaffWindow:
    client = sign_in(server, "staff1")
    assert client.user is not None
    window = StaffWindow(
        client, client.user, store_opener=opener(tmp_path / "data", MemoryKeyring())
    )
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(window.templates) and window.fetched, timeout=TIMEOUT_MS)
    return window


def visible_button_texts(window: StaffWindow) -> list[str]:
    return [b.text() for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]


def test_staff_have_no_sign_action_anywhere(
    qtbot: QtBot, server: LiveServer, tmp_path: Path, templates: list[Template]
) -> None:
    window = open_staff_window(qtbot, server, tmp_path, templates)
    window.new_button.click()
    composer = window.composer
    assert window.pages.currentWidget() is composer
    assert not composer.signing
    assert not composer.submit.isVisibleTo(window) and not composer.submit.isEnabled()
    assert not [t for t in visible_button_texts(window) if "sign" in t.lower() and "out" not in t]
    # Ctrl+Enter (sign on a prescriber's composer) asks to save here; no sign dialog opens.
    with qtbot.waitSignal(composer.save_requested, timeout=TIMEOUT_MS):
        qtbot.keyClick(composer.given_name, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    composer.attempt_sign()
    assert composer.findChild(SignDialog) is None
    assert "Dr." not in window.windowTitle() or "Jordan Lee" in window.windowTitle()
    window.close()
    qtbot.waitUntil(window.local_closed.is_set, timeout=TIMEOUT_MS)


def test_staff_save_a_draft_for_their_prescriber_and_keep_editing_it(
    qtbot: QtBot, server: LiveServer, tmp_path: Path, templates: list[Template]
) -> None:
    chen = sign_in(server, "prescriber1")
    assert chen.user is not None
    window = open_staff_window(qtbot, server, tmp_path, templates)
    window.new_button.click()
    composer = window.composer
    assert composer.page_title.text() == "Prepare a prescription for signature"
    assert not window.save_button.isEnabled()  # nobody chosen yet
    # "For" lists the clinic's prescribers by name (from the server); no typed ids.
    box = window.prescriber_box
    assert not box.isEditable() and box.currentIndex() == -1
    assert [box.itemText(i) for i in range(box.count())] == ["Dr. Maya Chen"]
    assert box.itemData(0) == chen.user.id
    box.setCurrentIndex(0)
    assert window.save_button.isEnabled()
    assert window.save_button.text().strip() == "Save for Dr. Maya Chen"
    qtbot.keyClicks(composer.given_name, "Ada")
    qtbot.keyClicks(composer.family_name, "Lovelace")
    with qtbot.waitSignal(window.saved, timeout=TIMEOUT_MS) as saved:
        window.save_button.click()
    server_id = str(saved.args[0])

    # The prescriber's side of the server has it, prepared by the staff member.
    [draft] = [ServerDraft.from_wire(item) for item in chen.list_drafts()]
    assert draft.id == server_id and draft.prescriber_id == chen.user.id
    assert draft.prepared_by == "Jordan Lee, RN" and draft.title == "Lovelace, Ada"
    assert draft.prescriber == "Dr. Maya Chen" and draft.updated_by == "Jordan Lee, RN"
    # Names are the server's (from the accounts): the body carries none.
    assert "prepared_by" not in draft.payload and "prepared_for" not in draft.payload
    assert "Lovelace" not in window.windowTitle()

    # Listed with whom it is for; opened again, edited, saved with its version (PUT).
    composer.back.click()
    qtbot.waitUntil(lambda: len(window.server_drafts) == 1, timeout=TIMEOUT_MS)
    assert window.table.rowCount() == 1
    for_whom = window.table.cellWidget(0, 2)
    assert isinstance(for_whom, QLabel) and for_whom.text() == "Dr. Maya Chen"
    window.open_server_draft(0)
    assert box.currentText() == "Dr. Maya Chen"
    assert composer.given_name.text() == "Ada"
    assert window.save_button.text().strip().startswith("Save for")
    qtbot.keyClicks(composer.notes, "Labs faxed on Monday.")
    with qtbot.waitSignal(window.saved, timeout=TIMEOUT_MS):
        window.save_button.click()
    [again] = [ServerDraft.from_wire(item) for item in chen.list_drafts()]
    assert again.id == server_id and again.version == 2
    assert again.payload["notes"] == "Labs faxed on Monday."
    assert chen.delete_draft(server_id)
    window.close()
    qtbot.waitUntil(window.local_closed.is_set, timeout=TIMEOUT_MS)


def test_prescriber_drafts_tab_is_compact_and_says_no_drafts_only_when_empty(
    qtbot: QtBot,
) -> None:
    view = DraftsView()
    qtbot.addWidget(view)
    view.resize(1200, 640)
    view.show()
    assert view.empty.isVisible() and not view.prepared_table.isVisible()
    prepared = ServerDraft.from_wire(
        parse(
            DraftWire,
            {
                "id": "d1",
                "prescriber_id": "p1",
                "version": 1,
                "updated_at": "2026-11-26T10:00:00Z",
                "body": {"patient": {"given_name": "Grace", "family_name": "Hopper"}},
                "prescriber": {"id": "p1", "display_name": "Dr. Maya Chen"},
                "created_by": {"id": "s1", "display_name": "Jordan Lee, RN"},
                "updated_by": {"id": "s1", "display_name": "Jordan Lee, RN"},
                "created_at": "2026-11-26T09:00:00Z",
            },
        )
    )
    view.show_prepared([prepared], {})
    view.show_drafts([], {})
    qtbot.waitUntil(view.prepared_table.isVisible)
    assert not view.empty.isVisible() and view.local_title.isVisible()
    [(patient, line)] = view.prepared_texts()
    assert patient == "Hopper, Grace" and line.startswith("Prepared by Jordan Lee, RN")
    # Heading, table sized to its one row, then the local part: no stretched gaps.
    table = view.prepared_table
    assert table.y() - view.prepared_title.geometry().bottom() < 20
    assert table.height() < 120
    assert view.local_title.y() - table.geometry().bottom() < 40
    assert view.notice.geometry().bottom() < 260
    view.show_prepared([], {})
    assert view.empty.isVisible() and not view.local_title.isVisible()
