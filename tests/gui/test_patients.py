"""The Patients page through the prescriber's real window against a real server with
the demo patients: search as you type, paging, no match and a failed search, a new
patient with a field error first, a stale edit that keeps what was typed, a new
prescription filled from a record, its stale lab flagged with "Add a result", and the
result saved back to the record.

Set PORTAL_SCREENSHOTS=<dir> to save the Patients page and the filled composer."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from portal_client.core.api_client import ApiClient
from portal_client.core.patient_wire import PatientChanges, PatientRecord
from portal_client.gui import patients_page
from portal_client.gui.actions import SHORTCUTS
from portal_client.gui.patient_dialog import PatientDialog, ResultDialog
from portal_client.gui.patients_page import PatientsPage
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.e2e.test_full_path import screenshot, settle
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring, opener
from tests.gui.test_accessible_names import assert_all_named
from tests.gui.test_tab_order import name_of, reachable_inputs, tab_around
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000
MYERS = "myers-infusion"


def _window(qtbot: QtBot, client: ApiClient, data_dir: Path) -> PrescriberWindow:
    assert client.user is not None
    window = PrescriberWindow(client, client.user, store_opener=opener(data_dir, MemoryKeyring()))
    qtbot.addWidget(window)
    window.resize(1366, 860)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: bool(window.templates), timeout=TIMEOUT_MS)
    return window


def _patients(qtbot: QtBot, window: PrescriberWindow) -> PatientsPage:
    page = window.patients_page
    with qtbot.waitSignal(page.searched, timeout=TIMEOUT_MS):
        window.menus.actions["patients"].trigger()
    assert window.tabs.currentWidget() is page and page.query.hasFocus()
    return page


def _type(qtbot: QtBot, page: PatientsPage, text: str) -> None:
    page.query.clear()
    with qtbot.waitSignal(page.searched, timeout=TIMEOUT_MS):
        qtbot.keyClicks(page.query, text)


def _row_names(page: PatientsPage) -> list[str]:
    return [page.results.item(i).text() for i in range(page.results.count())]


def _choose(qtbot: QtBot, page: PatientsPage, family: str) -> PatientRecord:
    _type(qtbot, page, family)
    with qtbot.waitSignal(page.record_shown, timeout=TIMEOUT_MS) as shown:
        page.results.setCurrentRow(0)
    record = shown.args[0]
    assert isinstance(record, PatientRecord) and record.family_name == family
    return record


def test_search_as_you_type_pages_and_says_when_nothing_matches(
    qtbot: QtBot, server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patients_page, "SEARCH_PAGE_SIZE", 2)
    window = _window(qtbot, sign_in(server, "prescriber1"), tmp_path)
    assert window.menus.actions["patients"].shortcut().toString() == SHORTCUTS["patients"].keys
    page = _patients(qtbot, window)
    assert page.results.count() == 2 and page.more_button.isVisible()
    assert "there are more" in page.status.text()
    with qtbot.waitSignal(page.searched, timeout=TIMEOUT_MS):
        page.more_button.click()
    assert page.results.count() >= 4  # the demo clinic's four patients, at least

    before = page.search.ticket
    _type(qtbot, page, "Gonz")
    assert page.search.ticket == before + 1  # four keys, one search: typing paused once
    assert len(_row_names(page)) == 1 and _row_names(page)[0].startswith("Gonzalez, Maria")
    assert "(" in _row_names(page)[0]  # the age beside the birth date

    _type(qtbot, page, "Zzyzx")
    assert page.results.count() == 0
    assert page.status.text() == "No patients match “Zzyzx”."
    assert "Zzyzx" not in window.windowTitle()


def test_a_failed_search_says_so(qtbot: QtBot, closed_port_url: str) -> None:
    page = PatientsPage(ApiClient(closed_port_url))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.searched, timeout=TIMEOUT_MS):
        page.search_now()
    assert page.status.text().startswith("Could not search")
    assert page.results.count() == 0


def test_the_record_reads_with_age_measures_labs_and_documents(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    window = _window(qtbot, sign_in(server, "prescriber1"), tmp_path)
    page = _patients(qtbot, window)
    record = _choose(qtbot, page, "Okafor")
    details = page.record_details.text()
    assert "1954-09-30 (age" in details and "sulfites" in details
    assert "kg (measured" in details
    assert page.labs_table.rowCount() == len(record.labs)
    cells = (page.labs_table.item(r, 0) for r in range(page.labs_table.rowCount()))
    names = {cell.text() for cell in cells if cell is not None}
    assert {"G6PD", "Creatinine", "eGFR"} <= names  # names from the list, never codes
    assert page.documents.count() == 1  # "No documents attached"
    settle(qtbot, window)
    screenshot(window, "patients-page")


def test_a_new_patient_with_a_field_error_first(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    window = _window(qtbot, sign_in(server, "prescriber1"), tmp_path)
    page = _patients(qtbot, window)
    page.new_patient_button.click()
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT_MS)
    dialog.edits["given_name"].setText("Lena")
    dialog.edits["family_name"].setText("Newpatient")
    dialog.edits["birth_date"].setText("02/03/1990")
    dialog.edits["weight_kg"].setText("61")
    dialog.save_button.click()
    birth = dialog.slots["birth_date"]
    assert birth.error.isVisible() and "YYYY-MM-DD" in birth.error.text()
    assert dialog.isVisible() and dialog.edits["given_name"].text() == "Lena"
    dialog.edits["birth_date"].setText("1990-03-02")
    with qtbot.waitSignal(page.record_shown, timeout=TIMEOUT_MS) as shown:
        dialog.save_button.click()
    record = shown.args[0]
    assert record.family_name == "Newpatient" and record.weight is not None
    assert _row_names(page)[0].startswith("Newpatient, Lena")


def test_a_stale_edit_says_so_and_keeps_what_was_typed(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    window = _window(qtbot, client, tmp_path)
    page = _patients(qtbot, window)
    record = _choose(qtbot, page, "Tanaka")
    page.edit_button.click()
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog)
    # Someone else saves the record first.
    other = sign_in(server, "staff1")
    other.update_patient(record.id, record.version, PatientChanges(address="1 Elm St"))
    dialog.edits["phone"].setText("503-555-0199")
    dialog.save_button.click()
    qtbot.waitUntil(dialog.banner.isVisible, timeout=TIMEOUT_MS)
    assert "changed by someone else" in dialog.banner.label.text()
    assert dialog.isVisible() and dialog.edits["phone"].text() == "503-555-0199"
    with qtbot.waitSignal(page.record_shown, timeout=TIMEOUT_MS) as shown:
        dialog.save_button.click()
    saved = shown.args[0]
    assert saved.phone == "503-555-0199" and saved.address == "1 Elm St"  # both kept


def test_new_prescription_from_a_patient_fills_the_composer_and_flags_a_stale_lab(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    client = sign_in(server, "prescriber1")
    window = _window(qtbot, client, tmp_path)
    page = _patients(qtbot, window)
    record = _choose(qtbot, page, "Okafor")
    page.results.setFocus()
    qtbot.keyClick(page.results, Qt.Key.Key_Return)  # Enter: New prescription
    composer = window.composer
    assert window.pages.currentWidget() is composer
    assert composer.given_name.text() == "David" and composer.birth_date.text() == "1954-09-30"
    assert composer.weight_edit.text() == "79" and "sulfites" in composer.allergies.text()
    assert composer.state.patient_id == record.id
    assert {lab.code for lab in composer.state.labs} >= {"g6pd", "creatinine", "egfr"}
    assert "David" not in window.windowTitle()

    composer.select_template(MYERS)  # over 200 mg of vitamin C: renal results within 90 days
    link = window.record_link
    qtbot.waitUntil(lambda: bool(link.stale_buttons), timeout=TIMEOUT_MS)
    assert link.stale_box.isVisible()
    assert all("days old" in s.message for s in link._shown)
    stale_codes = {s.code for s in link._shown}
    assert stale_codes <= {"creatinine", "egfr"}
    settle(qtbot, window)
    screenshot(window, "composer-from-patient")
    composer.scroll_area.ensureWidgetVisible(link.stale_box)
    settle(qtbot, window)
    screenshot(window, "composer-stale-lab")

    # "Add a result" in place: a new row of that lab dated today, its value focused.
    rows = composer.labs_table.rowCount()
    link.stale_buttons[0].click()
    assert composer.labs_table.rowCount() == rows + 1
    value = composer.labs_table.cellWidget(rows, 2)
    assert value is not None and value.hasFocus()
    qtbot.keyClicks(value, "1.0")
    code = composer.state.labs[-1].code
    qtbot.waitUntil(lambda: code not in {s.code for s in link._shown}, timeout=TIMEOUT_MS)

    # Saved back only when asked.
    assert len(client.get_patient(record.id).labs) == len(record.labs)
    assert link.save_button.isVisible()
    with qtbot.waitSignal(link.saved_back, timeout=TIMEOUT_MS) as saved:
        link.save_button.click()
    updated = saved.args[0]
    assert len(updated.labs) == len(record.labs) + 1
    assert client.get_patient(record.id).version == updated.version


def test_the_signed_body_names_the_record(qtbot: QtBot, server: LiveServer, tmp_path: Path) -> None:
    window = _window(qtbot, sign_in(server, "prescriber1"), tmp_path)
    page = _patients(qtbot, window)
    record = _choose(qtbot, page, "Gonzalez")
    page.prescribe_button.click()
    composer = window.composer
    composer.select_template("hydration-magnesium")
    composer.state.acknowledgements.update(
        {key: "reviewed" for key in ((w.code, w.field) for w in composer.review.result.warnings)}
    )
    body = composer.state.signable_body()
    assert body["patient_id"] == record.id
    assert body["patient"]["family_name"] == "Gonzalez"


@pytest.mark.parametrize("which", ["patient", "result"])
def test_the_dialogs_are_named_and_tab_in_reading_order(
    qtbot: QtBot, server: LiveServer, which: str
) -> None:
    client = sign_in(server, "prescriber1")
    row = client.search_patients("Gonzalez").items[0]
    record = client.get_patient(row.id)
    dialog = PatientDialog(client, record) if which == "patient" else ResultDialog(client, record)
    qtbot.addWidget(dialog)
    page = PatientsPage(client)
    qtbot.addWidget(page)
    page._show_record(record)
    assert_all_named(qtbot, dialog, page)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()

    def focus_inside() -> QWidget | None:
        widget = QApplication.focusWidget()
        return widget if widget is not None and dialog.isAncestorOf(widget) else None

    qtbot.waitUntil(lambda: focus_inside() is not None)
    start = focus_inside()
    assert start is not None
    forwards = tab_around(qtbot, start)
    expected = {
        "patient": [
            "Given name",
            "Family name",
            "Date of birth",
            "Sex",
            "Address (for shipping to the patient)",
            "Phone",
            "Allergies",
            "Weight (kg)",
            "Weight measured on",
            "Height (cm)",
            "Height measured on",
            "Save",
            "Cancel",
        ],
        "result": ["Lab", "Date", "Value", "Unit", "Interpretation", "Save", "Cancel", "Result"],
    }
    assert [name_of(widget) for widget in forwards] == expected[which]
    assert set(forwards) == reachable_inputs(dialog)


def test_tab_goes_round_the_patients_page_in_reading_order(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    window = _window(qtbot, sign_in(server, "prescriber1"), tmp_path)
    page = _patients(qtbot, window)
    _choose(qtbot, page, "Gonzalez")
    page.query.setFocus()
    names = [name_of(widget) for widget in tab_around(qtbot, page.query)]
    start = names.index("Search patients")
    in_page = names[start : start + 8]
    assert in_page == [
        "Search patients",
        "New patient…",
        "Patients found",
        "New prescription",
        "Edit…",
        "Add a result…",
        "Lab results",
        "Documents",
    ]
