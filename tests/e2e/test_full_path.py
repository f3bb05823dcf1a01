"""The whole path, real everything: a server process, the client's own windows and controller.

prescriber1 signs in, composes from a template (the checks panel blocks signing until
the labs are there), signs (sign dialog, password again), and the outbox sends it;
pharmacist1 (a second signed-in client in the same process) finds it in the queue with
its checks, labs and signature, and approves it; the prescriber's list shows "approved"
through its periodic refresh, without a restart. A second test stops the server between
the signature and the send: the prescription waits (offline shown) and goes exactly once
when the server is back.

Set PORTAL_SCREENSHOTS=<dir> to save a picture of each window on the way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from portal_client.core.demo_server import DEMO_ACCOUNTS
from portal_client.core.settings import Settings
from portal_client.gui import ops
from portal_client.gui.app import PortalApp, create_application
from portal_client.gui.composer import TEMPLATE_ROLE, ComposerPage
from portal_client.gui.connectivity import OFFLINE, ONLINE
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.sign_dialog import SignDialog
from tests.helpers.fault_proxy import FaultProxy
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server

TIMEOUT_MS = 30_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with start_live_server(tmp_path / "server") as live:
        yield live


def screenshot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def settle(qtbot: QtBot, widget: QWidget) -> None:
    """Let layouts and paints catch up (before a screenshot)."""
    qtbot.waitExposed(widget)
    qtbot.wait(150)


class AlreadyRunning:
    """Stands in for the --demo child process: the test's server is already up."""

    def __init__(self, url: str) -> None:
        self.url = url

    def start(self) -> str:
        return self.url

    def stop(self) -> None:
        pass


def sign_in(qtbot: QtBot, server: LiveServer, username: str, demo: bool = False) -> PortalApp:
    portal = PortalApp(
        Settings(server_url="http://127.0.0.1:9"),  # demo mode replaces it; else set below
        demo=demo,
        save_settings=False,
        demo_server_factory=lambda: AlreadyRunning(server.url),  # type: ignore[arg-type,return-value]
    )
    if not demo:
        portal.sign_in.set_server_url(server.url)
    qtbot.addWidget(portal.sign_in)
    portal.sign_in.resize(900, 620)
    portal.start()
    qtbot.waitExposed(portal.sign_in)
    if demo:
        assert set(portal.sign_in.demo_buttons) == {a.username for a in DEMO_ACCOUNTS}
        qtbot.waitUntil(lambda: portal.settings.server_url == server.url, timeout=TIMEOUT_MS)
    qtbot.keyClicks(portal.sign_in.username, username)
    qtbot.keyClicks(portal.sign_in.password, DEMO_PASSWORD)
    if demo:
        settle(qtbot, portal.sign_in)
        screenshot(portal.sign_in, "sign-in")
    portal.sign_in.submit.click()
    qtbot.waitUntil(lambda: portal.main_window is not None, timeout=TIMEOUT_MS)
    assert portal.main_window is not None  # closed by the test's sign-out (it deletes it)
    portal.main_window.resize(1280, 800)
    return portal


def add_lab(qtbot: QtBot, composer: ComposerPage, *values: str) -> None:
    """Click "Add lab result" and type one result into the new row's editors."""
    composer.add_lab_button.click()
    row = composer.labs_table.rowCount() - 1
    code, date, value, unit, interpretation = (
        composer.labs_table.cellWidget(row, column) for column in range(5)
    )
    assert isinstance(code, QComboBox) and isinstance(interpretation, QComboBox)
    code.setCurrentIndex(code.findData(values[0]))
    for editor, text in ((date, values[1]), (value, values[2]), (unit, values[3])):
        qtbot.keyClicks(editor, text)
    interpretation.setCurrentIndex(interpretation.findData(values[4]))


def choose_template(composer: ComposerPage, template_id: str) -> None:
    tree = composer.template_tree
    groups = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    items = [group.child(j) for group in groups if group for j in range(group.childCount())]
    target = next(item for item in items if item and item.data(0, TEMPLATE_ROLE)[0] == template_id)
    tree.setCurrentItem(target)  # what a click on the template does


def compose_grace_hopper(qtbot: QtBot, window: PrescriberWindow) -> ComposerPage:
    window.new_button.click()
    composer = window.composer
    qtbot.waitUntil(lambda: bool(composer.templates), timeout=TIMEOUT_MS)
    choose_template(composer, "myers-infusion")
    qtbot.keyClicks(composer.given_name, "Grace")
    qtbot.keyClicks(composer.family_name, "Hopper")
    qtbot.keyClicks(composer.birth_date, "1975-12-09")
    composer.sex.setCurrentIndex(composer.sex.findData("female"))
    qtbot.keyClicks(composer.weight_edit, "64")
    qtbot.keyClicks(composer.allergies, "latex")
    return composer


def give_latex_reasons(qtbot: QtBot, composer: ComposerPage) -> None:
    """The latex allergy cannot be ruled out for the products whose labels were never read
    (dexpanthenol, B-complex): each of those warnings takes a reason."""
    assert composer.checks.reason_edits
    for edit in list(composer.checks.reason_edits.values()):
        qtbot.keyClicks(edit, "Latex-free vials and sets at the clinic.")


def outbox_status(window: PrescriberWindow) -> str:
    rows = window.outbox_view.row_texts()
    return rows[0][1] if rows else ""


def test_prescriber_signs_pharmacist_approves_prescriber_sees_it(
    qtbot: QtBot, server: LiveServer
) -> None:
    create_application([])

    # --- prescriber1 composes: the vitamin C gate blocks signing until the labs are in
    prescriber = sign_in(qtbot, server, "prescriber1", demo=True)
    window = prescriber.main_window
    assert isinstance(window, PrescriberWindow)
    assert window.windowTitle() == "IV Prescriber Portal — Dr. Maya Chen (prescriber)"
    composer = compose_grace_hopper(qtbot, window)
    assert not composer.submit.isEnabled()
    assert "G6PD" in composer.checks.verdict.text()
    settle(qtbot, window)
    screenshot(window, "composer-blocked")
    add_lab(qtbot, composer, "g6pd", "2026-10-01", "", "", "normal")
    add_lab(qtbot, composer, "creatinine", "2026-11-01", "0.9", "mg/dL", "normal")
    give_latex_reasons(qtbot, composer)
    assert composer.current_errors == {} and composer.submit.isEnabled()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: composer.save_state.text().startswith("Draft"), timeout=TIMEOUT_MS)
    settle(qtbot, window)
    screenshot(window, "composer")
    scroll = composer.scroll_area.verticalScrollBar()
    scroll.setValue(scroll.maximum())
    settle(qtbot, window)
    screenshot(window, "composer-labs")
    scroll.setValue(0)

    # --- signing: the whole prescription, the attestation, the password again
    composer.submit.click()
    dialog = composer.findChild(SignDialog)
    assert dialog is not None and dialog.isVisible()
    assert "HOPPER, Grace" in dialog.summary.toPlainText()
    qtbot.keyClicks(dialog.credential, "not-my-password")
    dialog.sign_button.click()
    qtbot.waitUntil(dialog.error.isVisible, timeout=TIMEOUT_MS)
    assert "not right" in dialog.error.label.text() and dialog.isVisible()
    qtbot.keyClicks(dialog.credential, DEMO_PASSWORD)
    settle(qtbot, dialog)
    screenshot(dialog, "sign-dialog")
    with qtbot.waitSignal(composer.signed, timeout=TIMEOUT_MS):
        dialog.sign_button.click()
    assert window.pages.currentIndex() == 0  # back on "My prescriptions", Outbox tab
    assert window.tabs.currentWidget() is window.outbox_view
    qtbot.waitUntil(lambda: outbox_status(window) == "Submitted", timeout=TIMEOUT_MS)
    item = window.outbox_items[0]
    assert item.server_reference and item.server_reference in window.outbox_view.row_texts()[0][2]
    assert window.connectivity.state == ONLINE
    assert window.drafts == []  # signing consumed the draft
    settle(qtbot, window)
    screenshot(window, "outbox")
    prescription_id = str(item.server_id)
    qtbot.waitUntil(
        lambda: window.browser.model.row_for(prescription_id) is not None, timeout=TIMEOUT_MS
    )
    assert "Hopper" not in window.windowTitle()

    # --- pharmacist1, a second client in the same process, sees the checks and approves
    pharmacist = sign_in(qtbot, server, "pharmacist1")
    queue = pharmacist.main_window
    assert isinstance(queue, PharmacistWindow)
    qtbot.waitUntil(
        lambda: queue.browser.model.row_for(prescription_id) is not None, timeout=TIMEOUT_MS
    )
    queue.browser.select(prescription_id)
    detail = queue.browser.detail.toPlainText()
    for expected in ("HOPPER, Grace", "latex", "CLINICAL CHECKS", "mOsm/L", "g6pd", "SIGNATURE"):
        assert expected in detail, expected
    settle(qtbot, queue)
    screenshot(queue, "pharmacist-queue")
    detail_scroll = queue.browser.detail.verticalScrollBar()
    detail_scroll.setValue(detail_scroll.maximum())
    settle(qtbot, queue)
    screenshot(queue, "pharmacist-detail-checks")
    queue.approve_button.click()  # asks in place, naming the reference and template
    assert queue.confirming_approval
    with qtbot.waitSignal(queue.reviewed, timeout=TIMEOUT_MS):
        queue.confirm_approve.click()

    # --- the prescriber's list catches up by its own periodic refresh
    window.tabs.setCurrentWidget(window.browser)
    window.refresh_timer.setInterval(200)  # the 20 s of real use, shortened for the test
    window.refresh_timer.start()

    def shows_approved() -> bool:
        index = window.browser.model.row_for(prescription_id)
        return index is not None and window.browser.model.state.rows[index].status == "approved"

    qtbot.waitUntil(shows_approved, timeout=TIMEOUT_MS)
    window.browser.select(prescription_id)
    assert "Approved" in window.browser.detail.toPlainText()
    settle(qtbot, window)
    screenshot(window, "prescriber-list")

    # --- both sign out; the sign-in window is back and empty
    pharmacist.sign_out()
    prescriber.sign_out()
    assert prescriber.main_window is None and prescriber.sign_in.isVisible()
    assert prescriber.sign_in.password.text() == ""
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)


def test_server_stopped_while_signing_queues_then_sends_exactly_once(
    qtbot: QtBot, tmp_path: Path
) -> None:
    create_application([])
    data_dir = tmp_path / "server"
    with start_live_server(data_dir) as first:
        address = urlparse(first.url)
        proxy = FaultProxy(str(address.hostname), int(address.port or 0)).start()
        try:
            proxied = LiveServer(proxy.url, first.process, data_dir, first.log_path)
            prescriber = sign_in(qtbot, proxied, "prescriber1")
            window = prescriber.main_window
            assert isinstance(window, PrescriberWindow)
            composer = compose_grace_hopper(qtbot, window)
            add_lab(qtbot, composer, "g6pd", "2026-10-01", "", "", "normal")
            add_lab(qtbot, composer, "creatinine", "2026-11-01", "0.9", "mg/dL", "normal")
            give_latex_reasons(qtbot, composer)
            qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
            composer.submit.click()
            dialog = composer.findChild(SignDialog)
            assert dialog is not None
            qtbot.keyClicks(dialog.credential, DEMO_PASSWORD)

            # The step-up succeeds; the server goes down before the outbox sends.
            original_signed = dialog._signed

            def signed_then_server_down(grant: object) -> None:
                proxy.set_offline(True)
                first.stop()
                original_signed(grant)  # type: ignore[arg-type]

            dialog._signed = signed_then_server_down  # type: ignore[method-assign]
            with qtbot.waitSignal(composer.signed, timeout=TIMEOUT_MS):
                dialog.sign_button.click()
            # "Queued" shows first as "waiting to be sent", then, once the outbox has
            # tried and failed, with the reason: wait for the reason, not the state alone.
            qtbot.waitUntil(
                lambda: (
                    outbox_status(window) == "Queued"
                    and "cannot be reached" in window.outbox_view.row_texts()[0][2]
                    and window.connectivity.state == OFFLINE
                ),
                timeout=TIMEOUT_MS,
            )
            assert "1 waiting" in window.tabs.tabText(2)
            settle(qtbot, window)
            screenshot(window, "outbox-offline")

            with start_live_server(data_dir) as second:
                proxy.retarget(int(urlparse(second.url).port or 0))
                proxy.set_offline(False)
                window.refresh_timer.setInterval(200)
                window.refresh_timer.start()
                qtbot.waitUntil(lambda: outbox_status(window) == "Submitted", timeout=TIMEOUT_MS)
                assert window.connectivity.state == ONLINE
                key = window.outbox_items[0].idempotency_key
                found = prescriber.client.list_prescriptions(idempotency_key=key)  # type: ignore[union-attr]
                assert found.total == 1
                everything = prescriber.client.all_prescriptions()  # type: ignore[union-attr]
                hoppers = [p for p in everything.items if p.patient_view().family_name == "Hopper"]
                assert len(hoppers) == 1
                prescriber.sign_out()
                qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
        finally:
            proxy.stop()
