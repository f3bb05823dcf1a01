"""The prescription table model, checked by Qt's own model tester."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from portal_client.core.wire import PrescriptionWire
from portal_client.gui.badges import ID_ROLE, STATUS_ROLE
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.models import REVIEW_COLUMNS, PrescriptionTableModel
from tests.helpers.wire_samples import prescriber, prescription


def item(number: int, status: str = "submitted") -> PrescriptionWire:
    return prescription(
        id=f"id-{number}",
        reference=f"RX-{number:04d}",
        status=status,
        created_at=f"2026-11-{number:02d}T10:00:00Z",
        template_name="Myers' cocktail",
        patient={"given_name": "Ada", "family_name": "Lovelace"},
        prescriber=prescriber(display_name="Dr. Maya Chen"),
    )


def test_model_passes_the_model_tester_through_updates(qtmodeltester: ModelTester) -> None:
    model = PrescriptionTableModel(REVIEW_COLUMNS)
    qtmodeltester.check(model, force_py=True)
    model.replace([item(1), item(2)])
    model.replace([item(1), item(2, "approved")])
    model.upsert(item(3))
    model.upsert(item(3, "rejected"))
    model.replace([])
    model.replace([item(4)])
    qtmodeltester.check(model, force_py=True)


def test_roles_and_headers() -> None:
    model = PrescriptionTableModel(REVIEW_COLUMNS)
    model.replace([item(1, "approved"), item(2)])
    status = model.column_of("status")
    assert model.headerData(status, Qt.Orientation.Horizontal) == "Status"
    first = model.index(0, status)
    assert model.data(first) == "Submitted"  # newest first
    assert model.data(first, STATUS_ROLE) == "submitted"
    assert model.data(first, ID_ROLE) == "id-2"
    assert model.data(model.index(0, model.column_of("prescriber"))) == "Dr. Maya Chen"


def test_refresh_keeps_the_selection(qtbot: QtBot) -> None:
    browser = PrescriptionBrowser(REVIEW_COLUMNS)
    qtbot.addWidget(browser)
    browser.show()
    browser.show_items([item(1), item(2)])
    with qtbot.waitSignal(browser.current_changed):
        browser.select("id-1")
    browser.show_items([item(3), item(1, "approved"), item(2)])
    assert browser.current_id() == "id-1"
    current = browser.current()
    assert current is not None and current.status == "approved"
    assert "RX-0001" in browser.detail.toPlainText()
