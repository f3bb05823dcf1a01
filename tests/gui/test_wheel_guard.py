"""The mouse wheel never changes an input the user has not focused; it scrolls the page."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QScrollBar,
    QSpinBox,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient
from portal_client.core.composer import LabEntry
from portal_client.gui.composer import ComposerPage
from portal_client.gui.wheel_guard import GUARDED_TYPES, guard_wheel
from tests.gui.test_composer import composer, fill_patient

#: One template of each kind: IV bags (vitamin, mineral, hydration), a push, nutrition.
ONE_PER_CATEGORY = (
    "myers-infusion",
    "trace-elements",
    "hydration-magnesium",
    "myers-push",
    "tpn-adult-central",
)


def wheel(widget: QWidget, notches: int = -1) -> None:
    """One wheel turn over the middle of ``widget`` (negative: towards the user, down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre)),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def value_of(widget: QWidget) -> Any:
    """What the user set in ``widget`` (None: it holds no value)."""
    if isinstance(widget, QComboBox):
        return (widget.currentIndex(), widget.currentText())
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QAbstractSlider) and not isinstance(widget, QScrollBar):
        return widget.value()
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return widget.isChecked()
    if isinstance(widget, QTreeWidget):
        item = widget.currentItem()
        return None if item is None else item.text(0)
    return None


def values(page: QWidget) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for index, child in enumerate(page.findChildren(QWidget)):
        value = value_of(child)
        if value is not None:
            shown[f"{index}:{type(child).__name__}:{child.objectName()}"] = value
    return shown


def filled_page(
    qtbot: QtBot, client: ApiClient, templates: list[Template], template_id: str
) -> ComposerPage:
    page = composer(qtbot, client, templates)
    page.resize(1100, 560)  # shorter than the form: the page has somewhere to scroll
    page.select_template(template_id)
    fill_patient(qtbot, page, labs=False)
    page.add_lab(LabEntry("g6pd", "2026-10-01", interpretation="normal"))
    page.add_lab(LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"))
    page.setFocus()  # no input focused, as when the pointer just passes by
    return page


@pytest.mark.parametrize("template_id", ONE_PER_CATEGORY)
def test_the_wheel_over_any_input_changes_nothing(
    qtbot: QtBot, closed_port_url: str, templates: list[Template], template_id: str
) -> None:
    page = filled_page(qtbot, ApiClient(closed_port_url), templates, template_id)
    body, draft, shown = page.state.to_body(), page.state.to_draft(), values(page)
    guarded = [w for kind in GUARDED_TYPES for w in page.findChildren(kind)]
    assert any(isinstance(w, QComboBox) and w.count() > 1 for w in guarded)  # a real test
    children = [w for w in page.findChildren(QWidget) if w.isVisible()]
    assert len(children) > 50
    for child in children:
        for notches in (-1, 1, 1, -2):
            wheel(child, notches)
    assert page.state.to_body() == body
    assert page.state.to_draft() == draft
    assert values(page) == shown
    assert QApplication.focusWidget() is None or not isinstance(
        QApplication.focusWidget(), GUARDED_TYPES
    )  # the wheel took no focus either


def test_the_wheel_over_vehicle_scrolls_the_page_instead(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = filled_page(qtbot, ApiClient(closed_port_url), templates, "myers-infusion")
    bar = page.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(0)
    vehicle_before = page.vehicle.currentData()
    wheel(page.vehicle, -1)
    assert page.vehicle.currentData() == vehicle_before
    assert bar.value() > 0  # the page moved down, as the user meant

    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.vehicle.setFocus(Qt.FocusReason.MouseFocusReason)  # clicked: now it is theirs
    assert page.vehicle.hasFocus()
    wheel(page.vehicle, -1)
    assert page.vehicle.currentData() != vehicle_before
    assert page.state.vehicle_code == page.vehicle.currentData()


def test_a_focused_spin_box_still_takes_the_wheel(qtbot: QtBot) -> None:
    area = QScrollArea()
    qtbot.addWidget(area)
    inner = QWidget()
    layout = QVBoxLayout(inner)
    name = QLineEdit()  # where the user is typing
    layout.addWidget(name)
    spin = guard_wheel(QSpinBox())
    spin.setRange(0, 100)
    spin.setValue(10)
    layout.addWidget(spin)
    layout.addSpacing(2000)
    area.setWidget(inner)
    area.resize(300, 200)
    area.show()
    qtbot.waitExposed(area)
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow)
    name.setFocus()
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus

    wheel(spin, -1)  # down the page
    assert spin.value() == 10 and not spin.hasFocus()
    assert area.verticalScrollBar().value() > 0
    area.verticalScrollBar().setValue(0)

    qtbot.mouseClick(spin, Qt.MouseButton.LeftButton, pos=QPoint(10, spin.height() // 2))
    assert spin.hasFocus()
    wheel(spin, 1)
    assert spin.value() == 11


def test_dialog_inputs_are_guarded_too(qtbot: QtBot, closed_port_url: str) -> None:
    from portal_client.gui.account_request_dialog import AccountRequestDialog

    dialog = AccountRequestDialog(closed_port_url, ApiClient)
    qtbot.addWidget(dialog)
    date = dialog.licence_expiry.date()
    wheel(dialog.licence_expiry, 1)
    assert dialog.licence_expiry.date() == date
    state = dialog.licence_state.currentIndex()
    wheel(dialog.licence_state, -1)
    assert dialog.licence_state.currentIndex() == state
