"""The composer's parts render its ComposerState: what the order holds is what they show."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.gui.composer import ComposerPage


def shown_order(page: ComposerPage) -> dict[str, object]:
    """The administration and amounts as the widgets show them."""
    return {
        "access": page.access.currentData(),
        "vehicle": page.vehicle.currentData(),
        "volume_ml": page.volume.text(),
        "amounts": {code: editor.text() for code, (editor, _) in page._ingredient_slots.items()},
    }


def ordered(page: ComposerPage) -> dict[str, object]:
    state = page.state
    return {
        "access": state.access,
        "vehicle": state.vehicle_code,
        "volume_ml": state.volume_ml,
        "amounts": {code: state.amounts[code] for code in page._ingredient_slots},
    }


def choose(combo: QComboBox, index: int) -> None:
    """As a user does: focus the list, pick a row."""
    combo.setFocus()
    combo.setCurrentIndex(index)


def test_every_change_to_route_vehicle_or_dose_is_on_screen(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = ComposerPage(ApiClient(closed_port_url), confirm_discard=lambda _parent: True)
    qtbot.addWidget(page)
    page.resize(1366, 900)
    page.show()
    page.load_templates(templates)
    page.select_template("myers-infusion")
    assert shown_order(page) == ordered(page)
    qtbot.keyClicks(page.volume, "0")  # 250 → 2500: the user's own volume
    choose(page.vehicle, 1)
    assert page.state.volume_ml == "2500" and shown_order(page) == ordered(page)
    choose(page.access, 1)
    code = next(iter(page._ingredient_slots))
    editor = page._ingredient_slots[code][0]
    editor.clear()
    qtbot.keyClicks(editor, "2")
    assert page.state.amounts[code] == "2" and shown_order(page) == ordered(page)
    body = page.state.to_body()
    assert body["vehicle"]["volume_ml"] == 2500.0 and body["access"] == page.access.currentData()
    page.select_template("vitamin-c-high-dose")  # a new template: its own defaults, shown
    assert shown_order(page) == ordered(page)
    page.start_new()
    assert shown_order(page) == ordered(page)


def test_the_page_is_assembled_from_its_parts(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = ComposerPage(ApiClient(closed_port_url), signing=False)
    qtbot.addWidget(page)
    page.load_templates(templates)
    assert page.given_name is page.patient.given_name
    assert page.submit is page.sign_bar.submit and not page.submit.isEnabled()
    assert page.template_tree is page.template_card.tree
    assert page.labs_table is page.labs.table and page.notes is page.notes_card.notes
    assert page.templates == templates
    assert page.footer_status.text() == page.review.footer_text(signing=False)
    qtbot.keyClicks(page.given_name, "Ada")
    assert page.state.given_name == "Ada" and "patient.given_name" in page.state.touched
    assert page.footer_status.text() == page.review.footer_text(signing=False)
