"""Keyboard-only work in the composer: Tab visits every input once, in reading order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from pharmacy_domain.infusion import lipid_infusion_spec
from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.durable import DurableSession, open_user_store
from portal_client.gui.composer import ComposerPage
from portal_client.gui.sign_dialog import SignDialog


def owner(widget: QWidget) -> QWidget:
    """The input a focused part belongs to (an editable combo's line edit: the combo)."""
    parent = widget.parentWidget()
    if isinstance(parent, QComboBox | QAbstractSpinBox):
        return parent
    return widget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return owner(widget)


def reachable_inputs(root: QWidget) -> set[QWidget]:
    """Every widget under ``root`` that Tab may stop on now (enabled, visible, Tab focus)."""
    return {
        owner(widget)
        for widget in root.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        and widget.focusProxy() is None  # a tab widget: its tab bar takes the focus
        and widget.isVisible()
        and widget.isEnabled()
    }


def tab_around(qtbot: QtBot, start: QWidget, *, backwards: bool = False) -> list[QWidget]:
    """Press Tab (or Shift+Tab) from ``start`` until focus comes back to it."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: focused() is start)
    visited = [start]
    key, modifier = (
        (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        if backwards
        else (Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
    )
    for _ in range(200):
        current = QApplication.focusWidget()
        assert current is not None
        qtbot.keyClick(current, key, modifier)
        if focused() is start:
            return visited
        visited.append(focused())
    raise AssertionError(f"Tab never came back: {[w.accessibleName() for w in visited]}")


def open_composer(
    qtbot: QtBot, url: str, templates: list[Template], template_id: str
) -> ComposerPage:
    page = ComposerPage(ApiClient(url), confirm_discard=lambda _parent: True)
    qtbot.addWidget(page)
    page.resize(1366, 900)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    page.load_templates(templates)
    page.select_template(template_id)
    return page


#: The dispensing card, row by row (``DispensingCard.inputs``).
DISPENSING_NAMES = [
    "Quantity",
    "Ship to",
    "Needed by",
    "Infusions in the series",
    "Every",
    "First infusion",
    "Patient's address",
    "Patient's phone",
    "Dispensing note",
]


def expected_names(template: Template) -> list[str]:
    lipid = ["Lipid infusion time"] if lipid_infusion_spec(template) is not None else []
    vehicle = ["Vehicle", "Infusion time", "Volume"] if template.vehicles else ["Infusion time"]
    return [
        "Template",
        "Given name",
        "Family name",
        "Date of birth",
        "Sex",
        "Weight",
        "Height",
        "Allergies",
        *(f"{ingredient.name} dose" for ingredient in template.ingredients),
        "Access route",
        *vehicle,
        *lipid,
        "Add lab result",
        *DISPENSING_NAMES,
        "Notes",
        "Discard",
        "Sign and submit…",
        "My prescriptions",
    ]


def name_of(widget: QWidget) -> str:
    return widget.accessibleName() or getattr(widget, "text", lambda: "")().strip()


@pytest.mark.parametrize(
    "template_id",
    ["myers-infusion", "myers-push", "tpn-adult-central"],
    ids=["iv-bag", "push", "parenteral-nutrition"],
)
def test_tab_visits_every_composer_input_once_in_order(
    qtbot: QtBot, closed_port_url: str, templates: list[Template], template_id: str
) -> None:
    page = open_composer(qtbot, closed_port_url, templates, template_id)
    template = page.state.template
    assert template is not None and template.ingredients
    forwards = tab_around(qtbot, page.template_tree)
    names = [name_of(widget) for widget in forwards]
    assert names == expected_names(template)
    assert len(set(forwards)) == len(forwards)  # nothing visited twice
    assert set(forwards) == reachable_inputs(page)  # nothing unreachable
    backwards = tab_around(qtbot, page.template_tree, backwards=True)
    assert backwards == [forwards[0], *reversed(forwards[1:])]


def test_the_order_follows_a_template_switch_and_new_rows(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = open_composer(qtbot, closed_port_url, templates, "myers-infusion")
    page.select_template("tpn-adult-central")
    page.add_lab()
    forwards = tab_around(qtbot, page.template_tree)
    names = [name_of(widget) for widget in forwards]
    template = page.state.template
    assert template is not None and template.id == "tpn-adult-central"
    doses = [f"{ingredient.name} dose" for ingredient in template.ingredients]
    assert names[8 : 8 + len(doses)] == doses
    lab_row = [
        "Lab result 1 test",
        "Lab result 1 date",
        "Lab result 1 value",
        "Lab result 1 unit",
        "Lab result 1 interpretation",
        "Remove lab result 1",
        "Add lab result",
    ]
    start = names.index("Lab result 1 test")
    assert names[start : start + len(lab_row)] == lab_row
    assert set(forwards) == reachable_inputs(page)


def test_tab_in_notes_moves_focus_instead_of_typing(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = open_composer(qtbot, closed_port_url, templates, "myers-infusion")
    page.notes.setFocus()
    qtbot.waitUntil(page.notes.hasFocus)
    qtbot.keyClicks(page.notes, "Hang slowly")
    qtbot.keyClick(page.notes, Qt.Key.Key_Tab)
    assert page.notes.toPlainText() == "Hang slowly"
    assert focused() is page.discard


@pytest.fixture
def local_store(tmp_path: Path, closed_port_url: str) -> Iterator[DurableSession]:
    durable = open_user_store(tmp_path, closed_port_url, "keyboard-user", None)
    yield durable
    durable.close()


def press(qtbot: QtBot, key: Qt.Key) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key)


def type_in(qtbot: QtBot, text: str) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClicks(widget, text)


def test_an_order_typed_from_the_keyboard_alone_reaches_the_sign_dialog(
    qtbot: QtBot, closed_port_url: str, templates: list[Template], local_store: DurableSession
) -> None:
    page = open_composer(qtbot, closed_port_url, templates, "myers-infusion")
    page.set_durable(local_store)
    page.template_tree.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(page.template_tree.hasFocus)
    for _ in range(len(templates) + 10):  # down the list to the push
        template = page.state.template
        if template is not None and template.id == "myers-push":
            break
        press(qtbot, Qt.Key.Key_Down)
    for text in ("Ada", "Lovelace", "1980-02-03", "F", "61"):
        press(qtbot, Qt.Key.Key_Tab)
        type_in(qtbot, text)
    assert (page.state.given_name, page.state.sex, page.state.weight_kg) == ("Ada", "female", "61")
    labs = [("g6pd", "2026-10-01", "", "", "n"), ("creatinine", "2026-11-01", "0.9", "mg/dL", "n")]
    while focused() is not page.add_lab_button:
        press(qtbot, Qt.Key.Key_Tab)
    for number, lab in enumerate(labs, start=1):
        press(qtbot, Qt.Key.Key_Space)  # a new row; Shift+Tab back to its first editor
        for _ in range(6):
            qtbot.keyClick(focused(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert focused().accessibleName() == f"Lab result {number} test"
        for index, text in enumerate(lab):
            if index:
                press(qtbot, Qt.Key.Key_Tab)
            type_in(qtbot, text)
        press(qtbot, Qt.Key.Key_Tab)  # past "Remove"
        press(qtbot, Qt.Key.Key_Tab)
        assert focused() is page.add_lab_button
    assert [(lab.code, lab.interpretation) for lab in page.state.labs] == [
        ("g6pd", "normal"),
        ("creatinine", "normal"),
    ]
    edits = page.checks.reason_edits.values()  # a warning for a push: a reason to give
    qtbot.waitUntil(lambda: bool(edits) and all(edit.isVisible() for edit in edits))
    reasons = 0
    for _ in range(20):
        press(qtbot, Qt.Key.Key_Tab)
        if focused().accessibleName().startswith("Reason for"):
            type_in(qtbot, "Slow push, patient monitored.")
            reasons += 1
        if focused() is page.submit:
            break
    assert reasons and focused() is page.submit
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in page.findChildren(SignDialog)))
    dialog = next(d for d in page.findChildren(SignDialog) if d.isVisible())
    assert "LOVELACE, Ada" in dialog.summary.toPlainText()
    dialog.reject()
