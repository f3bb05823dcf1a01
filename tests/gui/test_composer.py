"""The composer: errors at their fields as you type, nothing lost when sending fails."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import LabEntry
from portal_client.gui.composer import ComposerPage
from portal_client.gui.sign_dialog import SignDialog


def composer(qtbot: QtBot, client: ApiClient, templates: list[Template]) -> ComposerPage:
    page = ComposerPage(client, confirm_discard=lambda _parent: True)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.load_templates(templates)
    return page


def fill_patient(qtbot: QtBot, page: ComposerPage, *, labs: bool = True) -> None:
    qtbot.keyClicks(page.given_name, "Ada")
    qtbot.keyClicks(page.family_name, "Lovelace")
    qtbot.keyClicks(page.birth_date, "1980-02-03")
    page.sex.setCurrentIndex(page.sex.findData("female"))
    qtbot.keyClicks(page.weight_edit, "61")
    if labs:
        page.add_lab(LabEntry("g6pd", "2026-10-01", interpretation="normal"))
        page.add_lab(LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"))


def test_local_errors_appear_at_the_field_as_you_type(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    error = page._slots["patient.weight_kg"].error
    assert not error.isVisible()  # untouched fields stay quiet
    qtbot.keyClicks(page.weight_edit, "heavy")
    assert error.isVisible() and error.text() == "Must be a number"
    assert page.weight_edit.property("invalid") is True
    page.weight_edit.clear()
    qtbot.keyClicks(page.weight_edit, "70")
    assert not error.isVisible()


def test_submit_with_errors_lists_them_and_sends_nothing(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.submit.click()
    assert page.summary.isVisible()
    text = page.summary.label.text()
    assert "Template" in text and "Given name" in text and "Date of birth" in text
    assert page._slots["template_id"].error.isVisible()
    assert page.submit.isEnabled()  # nothing was sent


def test_ingredient_above_its_limit_is_marked_on_its_row(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    template = page.state.template
    assert template is not None
    row = template.ingredients[0]
    editor, check = page._ingredient_slots[row.code]
    editor.clear()
    qtbot.keyClicks(editor, f"{row.max_amount + 1:g}")
    assert "at most" in check.text()
    confirm_rows = [r for r in template.ingredients if r.to_confirm]
    if confirm_rows:
        index = template.ingredients.index(confirm_rows[0])
        cell = page.ingredient_table.cellWidget(index, 0)
        name = cell.findChild(QLabel, "IngredientName")
        assert name is not None and "PHARMACY TO CONFIRM" in name.text()


def test_signing_while_the_server_is_unreachable_keeps_everything(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.client._token = "a-token"  # signed in as far as this page knows
    page.select_template("myers-infusion")
    fill_patient(qtbot, page)
    body = page.state.signable_body()
    dialog = SignDialog(page.client, body, page.sign_summary(body))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.credential, "demo-password")
    dialog.sign_button.click()
    qtbot.waitUntil(dialog.error.isVisible, timeout=10_000)
    assert "cannot be reached" in dialog.error.label.text()
    assert "kept as a draft" in dialog.error.label.text()
    assert dialog.isVisible() and dialog.grant is None and dialog.credential.text() == ""
    assert (page.given_name.text(), page.family_name.text()) == ("Ada", "Lovelace")


def test_server_errors_land_at_the_fields(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page)
    assert page.current_errors == {}
    page.show_server_errors([{"field": "template_version", "reason": "is not published"}])
    assert "template_id" in page.current_errors
    assert page.template_error.isVisible()
    assert "Template" in page.summary.label.text()
    assert page.given_name.text() == "Ada" and page.labs_table.rowCount() == 2  # nothing lost


def test_missing_labs_show_at_the_labs_section(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page, labs=False)
    assert not page.submit.isEnabled()  # the G6PD gate blocks signing, and says where
    assert page.labs_error.isVisible() and "G6PD" in page.labs_error.text()
    row = page.add_lab()
    assert page.labs_table.rowCount() == 1 and row == 0


def test_a_lab_is_chosen_by_its_name_and_the_order_carries_its_code(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page, labs=False)
    row = page.add_lab()
    test, _date, _value, unit = (page.labs_table.cellWidget(row, c) for c in range(4))
    assert isinstance(test, QComboBox) and isinstance(unit, QLineEdit)
    names = [test.itemText(i) for i in range(test.count())]
    assert "G6PD" in names and "eGFR" in names and "g6pd" not in names  # never raw codes
    test.setCurrentIndex(test.findData("creatinine"))
    assert test.currentText() == "Creatinine"
    assert unit.placeholderText() == "mg/dL" and unit.text() == ""  # a hint, never a value
    assert page.state.to_body()["patient"]["labs"][0]["code"] == "creatinine"


def test_warnings_need_a_reason_before_submitting(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-push")
    fill_patient(qtbot, page)
    assert page.checks.reason_edits
    page.submit.click()
    assert "acknowledgements" in page.current_errors
    for edit in page.checks.reason_edits.values():
        qtbot.keyClicks(edit, "Given slowly over 15 minutes with monitoring.")
    assert "acknowledgements" not in page.current_errors
