"""Opening an order on the desk against a real server: its content hash is verified on
the client against the server's and the signature's, and says so; a changed, unsigned or
not-as-signed order is a specific failure above it that keeps Approve disabled. The
acknowledged warnings read in the engine's words with the prescriber's reason, and the
allergies and the dated labs are the signed body's."""

from __future__ import annotations

import dataclasses
import uuid

from pytestqt.qtbot import QtBot

from pharmacy_domain.canonical import canonical_sha256, signing_sha256
from pharmacy_domain.templates import Template
from pharmacy_server.seed import DEMO_PASSWORD
from portal_client.core.api_client import Page
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.core.signature_check import Verdict, check_signature
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.pharmacist_window import PharmacistWindow
from tests.gui.conftest import sign_in
from tests.gui.test_lifecycle import pharmacist_window
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000


def _show(qtbot: QtBot, window: PharmacistWindow, item: PrescriptionWire) -> str:
    """Show ``item`` as the one order of the desk, open it, and return the detail's text."""
    qtbot.waitUntil(lambda: not window._refreshing, timeout=TIMEOUT_MS)
    window.browser.show_items([item], 1)
    assert window.browser.select(item.id)
    return window.browser.detail.toPlainText()


def test_a_signed_order_is_verified_and_a_tampered_one_blocks_approval(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    created = submit_one(sign_in(server, "prescriber1"), templates, "Hashcheck")
    desk = sign_in(server, "pharmacist1")
    item = desk.get_prescription(created.id)
    assert check_signature(item).verdict is Verdict.VERIFIED
    window = pharmacist_window(qtbot, desk, "all")

    text = _show(qtbot, window, item)
    assert "Signature verified" in text and "NOT verified" not in text
    qtbot.waitUntil(window.approve_button.isVisible, timeout=TIMEOUT_MS)
    qtbot.waitUntil(window.approve_button.isEnabled, timeout=TIMEOUT_MS)

    # The body shown changed after it was stored: its hash is not the server's.
    heavier = {**item.patient, "weight_kg": 99.0}
    changed = dataclasses.replace(item, patient=heavier, updated_at=item.updated_at + "x")
    assert check_signature(changed).verdict is Verdict.CONTENT_CHANGED
    text = _show(qtbot, window, changed)
    assert "does not match the content hash" in text
    assert window.approve_button.isVisible() and not window.approve_button.isEnabled()
    assert "signature is not verified" in window.approve_button.toolTip()
    window.start_action("approve")
    assert window.confirming is None  # nothing to confirm
    assert window.reject_button.isEnabled()  # the way out stays open

    # Stored as it is shown, but not what the prescriber signed.
    restamped = dataclasses.replace(changed, content_sha256=canonical_sha256(changed.body()))
    assert check_signature(restamped).verdict is Verdict.NOT_AS_SIGNED
    assert "not the one the prescriber signed" in _show(qtbot, window, restamped)
    assert not window.approve_button.isEnabled()

    unsigned = dataclasses.replace(item, signature=None, updated_at=item.updated_at + "y")
    assert check_signature(unsigned).verdict is Verdict.UNSIGNED
    assert "no signature is recorded" in _show(qtbot, window, unsigned)
    assert not window.approve_button.isEnabled()

    # The real order again: approval is back.
    assert "Signature verified" in _show(qtbot, window, item)
    assert window.approve_button.isEnabled()


def test_the_order_shows_acknowledgements_allergies_and_dated_labs(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    prescriber = sign_in(server, "prescriber1")
    state = ComposerState()
    state.select_template(next(t for t in templates if t.id == "myers-infusion"))
    state.given_name, state.family_name, state.birth_date = "Ada", "Ackcheck", "1980-02-03"
    state.allergies = "latex, sulfa drugs"  # an excipient list unknown: a warning
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    evaluation = state.check().evaluation
    assert evaluation is not None
    warnings = [f for f in evaluation.findings if f.severity == "warn"]
    assert warnings
    for finding in warnings:
        state.acknowledgements[(finding.code, finding.field)] = "Discussed, proceeding"
    body = state.signable_body()
    grant = prescriber.step_up(signing_sha256(body), password=DEMO_PASSWORD)
    created = prescriber.submit_prescription(
        {**body, "signing_token": grant.signing_token}, str(uuid.uuid4())
    )
    item = sign_in(server, "pharmacist1").get_prescription(created.id)
    assert item.acknowledgements
    window = pharmacist_window(qtbot, sign_in(server, "pharmacist1"), "all")
    window.browser.names = window.names
    text = _show(qtbot, window, item)
    assert "Signature verified" in text
    assert "latex, sulfa drugs" in text
    assert "2026-10-01" in text and "2026-11-01" in text
    assert warnings[0].message in text  # the warning's words, not only its code
    assert "Discussed, proceeding" in text


def test_a_seeded_page_verifies_row_by_row(server: LiveServer) -> None:
    """Every order the desk lists verifies (the queue's own, not only a fresh one)."""
    page: Page = sign_in(server, "pharmacist1").list_prescriptions(limit=20)
    assert page.items
    assert {check_signature(item).verdict for item in page.items} == {Verdict.VERIFIED}
