"""The composer's dispensing card: what is typed there is what the order holds and signs,
the series' dates as the domain schedules them, errors at their fields, a draft that
keeps them, and its inputs in the Tab order."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.composer import ComposerPage
from portal_client.gui.composer.navigation import focus_order
from portal_client.gui.sign_dialog import SignDialog
from portal_client.gui.wheel_guard import GUARDED_TYPES
from tests.e2e.test_full_path import screenshot, settle
from tests.gui.conftest import sign_in
from tests.gui.test_composer import composer, fill_patient
from tests.gui.test_lifecycle import TIMEOUT_MS, pharmacist_window
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer


def _day(days_ahead: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days_ahead)).isoformat()


def _type(qtbot: QtBot, editor: QWidget, text: str) -> None:
    qtbot.keyClicks(editor, text)


def test_a_weekly_series_to_the_patient_is_signed_as_typed(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page)
    card = page.dispensing
    assert "dispensing" not in page.state.to_body()  # untouched: the order as it always was
    assert (card.quantity.text(), card.interval.text()) == ("1", "7")  # what the state holds
    card.quantity.clear()
    _type(qtbot, card.quantity, "2")
    _type(qtbot, card.needed_by, _day(2))
    _type(qtbot, card.infusions, "6")
    _type(qtbot, card.start_date, _day(3))
    assert card.schedule.text().endswith(_day(3 + 7 * 5))
    assert card.schedule.text().count(", ") == 5
    card.ship_to.setCurrentIndex(card.ship_to.findData("patient"))
    error = page._slots["dispensing.ship_to"].error
    assert error.isVisible() and "address" in error.text()
    assert not page.state.review().result.ready_to_sign
    _type(qtbot, card.address, "12 Elm Street, Springfield")
    _type(qtbot, card.phone, "+1 555 0100")
    _type(qtbot, card.pharmacy_notes, "Ring twice")
    assert not error.isVisible()
    page.scroll_area.verticalScrollBar().setValue(card.y() - 12)  # the card on top
    settle(qtbot, page)
    screenshot(page, "composer-dispensing")

    body = page.state.signable_body()
    assert body["dispensing"] == {
        "quantity_bags": 2,
        "ship_to": "patient",
        "needed_by": _day(2),
        "series": {"start_date": _day(3), "interval_days": 7, "infusions": 6},
        "pharmacy_notes": "Ring twice",
    }
    assert body["patient"]["address"] == "12 Elm Street, Springfield"
    dialog = SignDialog(page.client, body, page.sign_summary(body))
    qtbot.addWidget(dialog)
    summary = dialog.findChildren(QWidget)
    shown = " ".join(
        w.toPlainText()
        for w in summary
        if hasattr(w, "toPlainText")  # the summary's text
    )
    assert "DISPENSING" in shown and _day(3 + 7 * 5) in shown and "Ring twice" in shown

    # A draft keeps every field as typed.
    again = ComposerState.from_draft("d", page.state.to_draft(), templates)
    assert again.dispensing == page.state.dispensing
    assert again.patient_address == "12 Elm Street, Springfield"


def test_a_needed_by_date_in_the_past_is_refused_at_its_field(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page)
    _type(qtbot, page.dispensing.needed_by, _day(-1))
    error = page._slots["dispensing.needed_by"].error
    assert error.isVisible() and error.text() == "Lies in the past"


def test_the_card_is_named_guarded_and_in_the_tab_order(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page: ComposerPage = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    inputs = page.dispensing.inputs()
    assert all(widget.accessibleName() for widget in inputs)
    guarded = [w for w in inputs if isinstance(w, GUARDED_TYPES)]
    assert guarded == [page.dispensing.ship_to]
    assert guarded[0].focusPolicy() == Qt.FocusPolicy.StrongFocus  # guard_wheel's
    order = focus_order(page)
    positions = [order.index(widget) for widget in inputs]
    assert positions == sorted(positions)
    assert order.index(page.labs.inputs()[-1]) < positions[0] < order.index(page.notes)


def _submit_needed_by(
    client: ApiClient, templates: list[Template], family: str, needed_by: str
) -> PrescriptionWire:
    state = ComposerState()
    state.select_template(next(t for t in templates if t.id == "myers-infusion"))
    state.given_name, state.family_name, state.birth_date = "Ada", family, "1980-02-03"
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    state.dispensing.needed_by = needed_by
    body = state.signable_body()
    grant = client.step_up(signing_sha256(body), password=DEMO_PASSWORD)
    return client.submit_prescription(
        {**body, "signing_token": grant.signing_token}, str(uuid.uuid4())
    )


def test_the_queue_shows_and_sorts_by_needed_by(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    prescriber = sign_in(server, "prescriber1")
    later = _submit_needed_by(prescriber, templates, "Neededlater", _day(20))
    sooner = _submit_needed_by(prescriber, templates, "Neededsooner", _day(10))
    pharmacist = sign_in(server, "pharmacist1")
    window = pharmacist_window(qtbot, pharmacist, "submitted")
    model = window.browser.model
    qtbot.waitUntil(lambda: model.row_for(later.id) is not None, timeout=TIMEOUT_MS)
    column = model.column_of("needed_by")
    assert model.headerData(column, Qt.Orientation.Horizontal) == "Needed by"
    assert [row.id for row in model.state.rows[:2]] == [sooner.id, later.id]
    assert model.index(0, column).data() == _day(10)
    undated = [row for row in model.state.rows if not row.needed_by]
    if undated:
        assert model.index(model.row_for(undated[0].id) or 0, column).data() == "—"
    settle(qtbot, window)
    screenshot(window, "pharmacist-needed-by")
    for client in (prescriber, pharmacist):
        client.logout()
