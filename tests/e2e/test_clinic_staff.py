"""Clinic staff prepare, the prescriber signs: real server, the client's own windows.

staff1 (Riverside) prepares a complete draft for prescriber1 and saves it; prescriber1
finds it in the Drafts tab ("Prepared by Jordan Lee, RN"), opens it, signs through the
normal sign dialog and outbox; once submitted the server draft leaves the queue, and
pharmacist1 has the prescription. prescriber2 (another clinic) never sees the draft.

Set PORTAL_SCREENSHOTS=<dir> to save the staff window and the prescriber's Drafts tab.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from portal_client.core.api_client import ApiClient
from portal_client.gui.app import create_application
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_dialog import SignDialog
from portal_client.gui.staff_window import StaffWindow
from tests.e2e.test_full_path import (
    TIMEOUT_MS,
    add_lab,
    choose_template,
    screenshot,
    server,  # noqa: F401 - the fixture
    settle,
    sign_in,
)
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer


def api_user(live: LiveServer, username: str) -> ApiClient:
    client = ApiClient(live.url)
    client.login(username, DEMO_PASSWORD)
    return client


def test_staff_prepare_prescriber_signs_pharmacist_receives(
    qtbot: QtBot,
    server: LiveServer,  # noqa: F811 - the fixture
) -> None:
    create_application([])
    chen_id = api_user(server, "prescriber1").me().id

    # --- staff1 prepares a complete draft for Dr. Chen; no way to sign it
    staff = sign_in(qtbot, server, "staff1", demo=True)
    window = staff.main_window
    assert isinstance(window, StaffWindow)
    qtbot.waitUntil(lambda: window.fetched and bool(window.templates), timeout=TIMEOUT_MS)
    window.new_button.click()
    composer = window.composer
    assert not composer.signing and not composer.submit.isVisible()
    choose_template(composer, "myers-infusion")
    qtbot.keyClicks(composer.given_name, "Grace")
    qtbot.keyClicks(composer.family_name, "Hopper")
    qtbot.keyClicks(composer.birth_date, "1975-12-09")
    composer.sex.setCurrentIndex(composer.sex.findData("female"))
    qtbot.keyClicks(composer.weight_edit, "64")
    add_lab(qtbot, composer, "g6pd", "2026-10-01", "", "", "normal")
    add_lab(qtbot, composer, "creatinine", "2026-11-01", "0.9", "mg/dL", "normal")
    assert composer.current_errors == {} and not composer.blocks
    assert composer.page_title.text() == "Prepare a prescription for signature"
    # "For" names the clinic's prescribers (the server's list): Dr. Chen, not Dr. Ortiz.
    box = window.prescriber_box
    assert [box.itemText(i) for i in range(box.count())] == ["Dr. Maya Chen"]
    box.setCurrentIndex(box.findData(chen_id))
    with qtbot.waitSignal(window.saved, timeout=TIMEOUT_MS) as saved:
        window.save_button.click()
    draft_id = str(saved.args[0])
    settle(qtbot, window)
    screenshot(window, "staff-composer")
    composer.back.click()
    qtbot.waitUntil(lambda: window.table.rowCount() == 1, timeout=TIMEOUT_MS)
    settle(qtbot, window)
    screenshot(window, "staff-drafts")
    assert "Hopper" not in window.windowTitle()
    staff.sign_out()

    # --- another clinic's prescriber never sees it
    assert api_user(server, "prescriber2").list_drafts() == []

    # --- prescriber1 finds it in Drafts, opens, signs, submits
    prescriber = sign_in(qtbot, server, "prescriber1")
    desk = prescriber.main_window
    assert isinstance(desk, PrescriberWindow)
    qtbot.waitUntil(lambda: bool(desk.drafts_view.prepared_texts()), timeout=TIMEOUT_MS)
    [(patient, line)] = desk.drafts_view.prepared_texts()
    assert patient == "Hopper, Grace" and line.startswith("Prepared by Jordan Lee, RN · ")
    assert "1 prepared for you" in desk.tabs.tabText(1)
    desk.tabs.setCurrentWidget(desk.drafts_view)
    settle(qtbot, desk)
    view = desk.drafts_view
    # Compact: heading right above its table; "No drafts" hidden while one is listed.
    assert not view.empty.isVisible() and view.local_title.isVisible()
    assert view.prepared_table.y() - view.prepared_title.geometry().bottom() < 20
    assert view.local_title.y() - view.prepared_table.geometry().bottom() < 40
    screenshot(desk, "prescriber-prepared-drafts")
    qtbot.waitUntil(lambda: desk.durable is not None, timeout=TIMEOUT_MS)
    desk.open_prepared(draft_id)
    signing = desk.composer
    assert signing.given_name.text() == "Grace" and signing.submit.isEnabled()
    signing.submit.click()
    dialog = signing.findChild(SignDialog)
    assert dialog is not None
    qtbot.keyClicks(dialog.credential, DEMO_PASSWORD)
    with qtbot.waitSignal(signing.signed, timeout=TIMEOUT_MS):
        dialog.sign_button.click()
    qtbot.waitUntil(
        lambda: bool(desk.outbox_items) and desk.outbox_items[0].state.value == "submitted",
        timeout=TIMEOUT_MS,
    )
    item = desk.outbox_items[0]
    assert item.draft_id == draft_id
    # Submitted: the server draft is deleted and leaves the queue.
    qtbot.waitUntil(lambda: desk.drafts_view.prepared_texts() == [], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: api_user(server, "prescriber1").list_drafts() == [], timeout=TIMEOUT_MS)

    # --- pharmacist1 has it
    queue = api_user(server, "pharmacist1").all_prescriptions()
    assert str(item.server_id) in {row.id for row in queue.items}
    prescriber.sign_out()
