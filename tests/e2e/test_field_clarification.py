"""A field clarification end to end, with two client windows on one real server process:
pharmacist1 asks about the magnesium dose with a proposed value; prescriber1 sees the
proposal beside the original, accepts it and signs again in the sign dialog; the order
comes back as version 2 and the pharmacist sees the difference, the old dose struck
through. The order itself is submitted over HTTP first (the composer has its own path).

Set PORTAL_SCREENSHOTS=<dir> to save the prescriber's proposal and the pharmacist's diff.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pharmacy_domain.field_proposals import ingredient_path
from portal_client.gui import ops
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.e2e.test_full_path import TIMEOUT_MS, screenshot, settle, sign_in
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server
from tests.helpers.signing import sign_body
from tests.server.support import new_prescription_body

pytestmark = pytest.mark.slow

MAGNESIUM = ingredient_path("magnesium-chloride-20")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with start_live_server(tmp_path / "server") as live:
        yield live


def _submit_over_http(server: LiveServer) -> dict[str, Any]:
    login = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": "prescriber1", "password": DEMO_PASSWORD},
        timeout=30,
    )
    login.raise_for_status()
    token = login.json()["token"]
    body = sign_body(server.url, token, new_prescription_body())
    created = httpx.post(
        f"{server.url}/api/v1/prescriptions",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_a_field_clarification_accepted_and_resigned_as_version_2(
    qtbot: QtBot, server: LiveServer
) -> None:
    created = _submit_over_http(server)
    rx = created["id"]

    # --- pharmacist1 asks about the magnesium dose, proposing 3 mL
    pharmacist = sign_in(qtbot, server, "pharmacist1")
    desk = pharmacist.main_window
    assert isinstance(desk, PharmacistWindow)
    qtbot.waitUntil(lambda: desk.browser.model.row_for(rx) is not None, timeout=TIMEOUT_MS)
    desk.browser.select(rx)
    clarifications = desk.field_clarifications
    qtbot.waitUntil(clarifications.ask_button.isVisible, timeout=TIMEOUT_MS)
    clarifications.ask_button.click()
    dialog = clarifications.dialog
    assert dialog is not None
    dialog.field_box.setCurrentIndex(dialog.field_box.findData(MAGNESIUM))
    assert dialog.unit.text() == "mL" and dialog.current.text() == "5 mL"
    qtbot.keyClicks(dialog.value_edit, "3")
    qtbot.keyClicks(dialog.message, "Magnesium 5 to 3 mL for a first infusion?")
    with qtbot.waitSignal(desk.lifecycle.acted, timeout=TIMEOUT_MS):
        dialog.send_button.click()

    # --- prescriber1 sees the proposal beside the original and accepts it, signing again
    prescriber = sign_in(qtbot, server, "prescriber1")
    window = prescriber.main_window
    assert isinstance(window, PrescriberWindow)
    window.tabs.setCurrentWidget(window.browser)

    def asked() -> bool:
        row = window.browser.model.row_for(rx)
        return row is not None and window.browser.model.state.rows[row].status == (
            "needs_clarification"
        )

    qtbot.waitUntil(asked, timeout=TIMEOUT_MS)
    window.browser.select(rx)
    panel = window.field_clarifications
    qtbot.waitUntil(panel.accept_button.isVisible, timeout=TIMEOUT_MS)
    shown = panel.text.toPlainText()
    assert "5 mL → 3 mL" in shown and "Priya Nair, PharmD" in shown
    assert panel.answer_button.isVisible()
    settle(qtbot, window)
    screenshot(window, "field-proposal-prescriber")
    panel.accept_button.click()
    qtbot.waitUntil(lambda: panel.sign_dialog is not None, timeout=TIMEOUT_MS)
    sign_dialog = panel.sign_dialog
    assert sign_dialog is not None
    summary = sign_dialog.summary.toPlainText()
    assert "3 mL" in summary and "checks" in summary
    qtbot.keyClicks(sign_dialog.credential, DEMO_PASSWORD)
    with qtbot.waitSignal(window.lifecycle.acted, timeout=TIMEOUT_MS) as accepted:
        sign_dialog.sign_button.click()
    updated = accepted.args[1]
    assert updated.version == 2 and updated.reference == created["reference"]
    assert updated.content_sha256 != created["content_sha256"]

    # --- the pharmacist sees version 2, the old dose struck through beside the new one
    desk.refresh()

    def back_as_version_2() -> bool:
        row = desk.browser.model.row_for(rx)
        return row is not None and desk.browser.model.state.rows[row].wire.version == 2

    qtbot.waitUntil(back_as_version_2, timeout=TIMEOUT_MS)
    desk.browser.select(rx)
    qtbot.waitUntil(desk.field_clarifications.panel.isVisible, timeout=TIMEOUT_MS)
    diff = desk.field_clarifications
    qtbot.waitUntil(lambda: diff.version_box.count() == 2, timeout=TIMEOUT_MS)
    assert diff.title.text() == "Version 2"
    text = diff.text.toPlainText()
    assert "Changed from version 1" in text and "5 mL" in text and "3 mL" in text
    assert "text-decoration: line-through" in diff.text.toHtml()
    settle(qtbot, desk)
    screenshot(desk, "version-diff-pharmacist")
    # Earlier versions can be viewed.
    diff.version_box.setCurrentIndex(diff.version_box.findData(1))
    assert "As the prescriber first signed it" in diff.text.toPlainText()

    pharmacist.sign_out()
    prescriber.sign_out()
    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
