"""The composer: errors at their fields as you type, nothing lost when sending fails."""

from __future__ import annotations

import dataclasses

from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import LabEntry
from portal_client.gui.composer import ComposerPage
from tests.gui.conftest import sign_in
from tests.helpers.live_server import LiveServer


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
        name = page.ingredient_table.cellWidget(index, 0)
        assert "PHARMACY TO CONFIRM" in name.text()  # type: ignore[attr-defined]


def test_unreachable_server_keeps_everything_entered(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.client._token = "a-token"  # signed in as far as this page knows
    page.select_template("myers-infusion")
    fill_patient(qtbot, page)
    key = page.state.idempotency_key
    page.submit.click()
    qtbot.waitUntil(lambda: page.status_banner.isVisible() and page.submit.isEnabled())
    assert "Not sent" in page.status_banner.label.text()
    assert "kept" in page.status_banner.label.text()
    assert (page.given_name.text(), page.family_name.text()) == ("Ada", "Lovelace")
    assert page.birth_date.text() == "1980-02-03" and page.weight_edit.text() == "61"
    assert page.state.idempotency_key == key  # the retry is the same prescription


def test_server_422_errors_land_at_the_fields(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    myers = next(t for t in templates if t.id == "myers-infusion")
    # A client holding a template version the pharmacy never published: locally fine,
    # refused by the server, and the refusal must land on the template picker.
    unpublished = dataclasses.replace(myers, version=myers.version + 98)
    page = composer(qtbot, sign_in(server, "prescriber1"), [unpublished])
    page.select_template("myers-infusion")
    fill_patient(qtbot, page)
    assert page.current_errors == {}
    page.submit.click()
    qtbot.waitUntil(
        lambda: page.status_banner.isVisible() and page.submit.isEnabled(), timeout=20_000
    )
    assert "could not accept" in page.status_banner.label.text()
    assert "template_id" in page.current_errors
    assert page.template_error.isVisible()
    assert "Template" in page.summary.label.text()
    assert page.given_name.text() == "Ada" and page.labs_table.rowCount() == 2  # nothing lost
    page.client.logout()


def test_missing_labs_show_at_the_labs_section(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-infusion")
    fill_patient(qtbot, page, labs=False)
    page.submit.click()
    assert page.labs_error.isVisible() and "G6PD" in page.labs_error.text()
    row = page.add_lab()
    assert page.labs_table.rowCount() == 1 and row == 0


def test_warnings_need_a_reason_before_submitting(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    page.select_template("myers-push")
    fill_patient(qtbot, page)
    assert page.checks_card.isVisible() and page._ack_edits
    page.submit.click()
    assert "acknowledgements" in page.current_errors
    for edit in page._ack_edits.values():
        qtbot.keyClicks(edit, "Given slowly over 15 minutes with monitoring.")
    assert "acknowledgements" not in page.current_errors


def test_a_valid_prescription_is_submitted_once(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    client = sign_in(server, "prescriber1")
    page = composer(qtbot, client, templates)
    page.select_template("hydration-magnesium")
    fill_patient(qtbot, page)
    qtbot.keyClicks(page.notes, "Please call before delivery.")
    key = page.state.idempotency_key
    with qtbot.waitSignal(page.submitted, timeout=20_000) as blocker:
        page.submit.click()
    created = blocker.args[0]
    assert created["status"] == "submitted" and created["notes"] == "Please call before delivery."
    found = client.find_by_idempotency_key(key)
    assert found is not None and found["id"] == created["id"]
    page.start_new()
    assert page.given_name.text() == "" and page.state.idempotency_key != key
    client.logout()
