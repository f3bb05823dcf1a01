"""The mouse wheel never changes a choice or a number the user has not focused.

Qt lets a wheel notch over a drop-down, spin box, date or slider change its value even
when the pointer merely passes over it on the way down the page: one notch over Vehicle
switches the bag (and the osmolarity) unnoticed. ``guard_wheel`` makes such an input
take focus only by click or Tab (``StrongFocus``, so a wheel does not grab focus
either) and, while it is not focused, hands the wheel on to the page, which scrolls.
Once focused (clicked), the wheel works on it as usual.
"""

from __future__ import annotations

from typing import TypeVar

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

#: The inputs whose value a wheel notch changes (QDateEdit is a QAbstractSpinBox).
GUARDED_TYPES: tuple[type[QWidget], ...] = (QComboBox, QAbstractSpinBox, QAbstractSlider)

W = TypeVar("W", bound=QWidget)


class _WheelGuard(QObject):
    """One filter for every guarded input: an unfocused input passes the wheel on."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus() or not isinstance(event, QWheelEvent):
            return False
        _pass_to_parents(watched, event)
        event.accept()  # handled here: Qt offers it to no one else
        return True


def _pass_to_parents(widget: QWidget, event: QWheelEvent) -> None:
    """Offer the wheel to each parent in turn until one takes it (the scroll area under
    the form, usually), as Qt does with a wheel its target ignores. Done here because Qt
    propagates only the wheel events of a real device, not those sent by a program."""
    position = event.position()
    while not widget.isWindow() and not widget.testAttribute(
        Qt.WidgetAttribute.WA_NoMousePropagation
    ):
        parent = widget.parentWidget()
        if parent is None:
            return
        position = widget.mapToParent(position)
        widget = parent
        offered = QWheelEvent(
            position,
            event.globalPosition(),
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
            event.source(),
        )
        offered.ignore()
        QApplication.sendEvent(widget, offered)
        if offered.isAccepted():
            return


_guard: _WheelGuard | None = None


def _the_guard() -> _WheelGuard:
    global _guard  # noqa: PLW0603 - one filter object for the whole application
    if _guard is None or not shiboken6.isValid(_guard):  # a new QApplication, a new filter
        _guard = _WheelGuard(QApplication.instance())
    return _guard


def guard_wheel(widget: W) -> W:
    """Guard one input (returned, so it wraps a constructor: ``guard_wheel(QComboBox())``)."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_the_guard())
    return widget


def guard_wheel_inputs(root: QWidget) -> None:
    """Guard every input under ``root`` (scroll bars stay as they are: they scroll)."""
    for kind in GUARDED_TYPES:
        for child in root.findChildren(kind):
            if not isinstance(child, QScrollBar):
                guard_wheel(child)
