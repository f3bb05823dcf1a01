"""The role windows against a real server: titles, refresh, review, reject reason."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.gui.conftest import sign_in
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer


def submit_one(client: ApiClient, templates: list[Template], family: str) -> PrescriptionWire:
    state = ComposerState()
    state.select_template(next(t for t in templates if t.id == "myers-infusion"))
    state.given_name, state.family_name, state.birth_date = "Ada", family, "1980-02-03"
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    body = state.signable_body()
    grant = client.step_up(signing_sha256(body), password=DEMO_PASSWORD)
    return client.submit_prescription(
        {**body, "signing_token": grant.signing_token}, str(uuid.uuid4())
    )


def test_prescriber_window_title_carries_no_patient_data(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    client = sign_in(server, "prescriber1")
    created = submit_one(client, templates, "Titlecheck")
    window = PrescriberWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: window.browser.model.row_for(str(created.id)) is not None, timeout=20_000
    )
    window.browser.select(str(created.id))
    assert window.windowTitle().startswith("IV Prescriber Portal — ")
    assert "(prescriber)" in window.windowTitle()
    assert "Titlecheck" not in window.windowTitle() and "Ada" not in window.windowTitle()
    assert "TITLECHECK" in window.browser.detail.toPlainText()
    window.show_composer()
    assert "Titlecheck" not in window.windowTitle()
    client.logout()


def test_pharmacist_approves_and_rejects_with_a_reason(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    prescriber = sign_in(server, "prescriber1")
    to_approve = submit_one(prescriber, templates, "Approveme")
    to_reject = submit_one(prescriber, templates, "Rejectme")
    pharmacist = sign_in(server, "pharmacist1")
    window = PharmacistWindow(pharmacist, pharmacist.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: window.browser.model.row_for(str(to_reject.id)) is not None, timeout=20_000
    )
    assert int(window.count_badge.text()) >= 2
    assert "(pharmacist)" in window.windowTitle()

    window.browser.select(str(to_approve.id))
    assert window.approve_button.isEnabled()
    # Approve asks once, in place, naming what is approved; Escape changes the mind.
    window.approve_button.click()
    assert window.confirming_approval and window.confirm_bar.isVisible()
    reference = str(to_approve.reference)
    assert reference in window.confirm_text.text()
    assert "Myers" in window.confirm_text.text()  # the template, by name
    assert window.focusWidget() is window.confirm_approve  # so Enter confirms
    qtbot.keyClick(window.confirm_approve, Qt.Key.Key_Escape)
    assert not window.confirming_approval and not window.confirm_bar.isVisible()
    assert prescriber.get_prescription(str(to_approve.id)).status == "submitted"
    # Moving to another prescription while asked never approves the other one.
    window.approve_button.click()
    window.browser.select(str(to_reject.id))
    assert not window.confirming_approval
    window.browser.select(str(to_approve.id))
    window.approve_button.click()
    with qtbot.waitSignal(window.reviewed, timeout=20_000) as approved:
        qtbot.keyClick(window.confirm_approve, Qt.Key.Key_Return)  # Enter confirms
    assert approved.args[0].status == "approved"
    assert approved.args[0].id == to_approve.id

    window.browser.select(str(to_reject.id))
    window.reject_button.click()
    dialog = window.action_dialog
    assert dialog is not None and dialog.ok_button.text() == "Reject prescription"
    reason = "Magnesium too high for peripheral access."
    qtbot.keyClicks(dialog.note, reason)
    dialog.back_button.click()  # changed their mind: nothing happens, the reason waits
    qtbot.waitUntil(lambda: window.action_dialog is None)
    assert prescriber.get_prescription(str(to_reject.id)).status == "submitted"
    window.reject_button.click()
    dialog = window.action_dialog
    assert dialog is not None and dialog.note.toPlainText() == reason
    with qtbot.waitSignal(window.reviewed, timeout=20_000) as rejected:
        dialog.ok_button.click()
    assert rejected.args[0].status == "rejected"
    stored = prescriber.get_prescription(str(to_reject.id))
    assert stored.review is not None
    assert stored.review.reason == reason
    prescriber.logout()
    pharmacist.logout()


def test_save_as_fhir_writes_the_bundle_in_the_background(
    qtbot: QtBot, server: LiveServer, templates: list[Template], tmp_path: Path
) -> None:
    import json

    pharmacist = sign_in(server, "pharmacist1")
    prescriber = sign_in(server, "prescriber1")
    created = submit_one(prescriber, templates, "Fhirexport")
    window = PharmacistWindow(pharmacist, pharmacist.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: window.browser.model.row_for(str(created.id)) is not None, timeout=20_000
    )
    window.browser.select(str(created.id))
    target = tmp_path / "export.fhir.json"
    window.browser._choose_path = lambda _parent, suggested: (  # the file dialog's answer
        target if suggested.endswith(".fhir.json") else None
    )
    assert window.browser.fhir_button is not None and window.browser.fhir_button.isEnabled()
    window.browser.fhir_button.click()
    qtbot.waitUntil(lambda: "Saved" in window.banner.label.text(), timeout=20_000)
    bundle = json.loads(target.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert "Fhirexport" in target.read_text(encoding="utf-8")
    prescriber.logout()
    pharmacist.logout()
