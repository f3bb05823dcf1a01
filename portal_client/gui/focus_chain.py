"""One place per window that says in which order Tab visits its inputs.

Qt's own Tab order follows the order widgets were created in, which is not the order a
reader meets them (the ingredient rows are built after the card below them, a table may
swallow Tab for its cells). Each window lists its inputs once, top to bottom and left to
right, and hands them here; a part whose inputs change (the composer's rows) calls it
again with the new list.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDateTimeEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


class _TabLeavesDateEdit(QObject):
    """A date edit moves between its day, month and year on Tab, so Tab would stop on it
    three times; typing a full part already moves on, so Tab leaves it instead."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        assert isinstance(event, QKeyEvent)
        if event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            return False
        window = watched.window()
        if event.key() == Qt.Key.Key_Tab:
            return bool(window.focusNextChild())
        if event.key() == Qt.Key.Key_Backtab:
            return bool(window.focusPreviousChild())
        return False


def _date_edit_filter() -> _TabLeavesDateEdit:
    app = QApplication.instance()
    found = app.findChild(_TabLeavesDateEdit) if app is not None else None
    return found if found is not None else _TabLeavesDateEdit(app)


def set_focus_chain(widgets: Iterable[QWidget | None]) -> list[QWidget]:
    """Tab visits ``widgets`` in this order, Shift+Tab the reverse; returns the chain.

    ``None`` stands for a part that is absent today and is left out. Disabled and hidden
    widgets stay in the chain (Qt passes over them), so enabling one later needs no new
    call. Text editors pass Tab on instead of typing it, and item views stop moving their
    current cell with Tab, and date edits stop once, so that Tab always leaves them.
    """
    chain = [widget for widget in widgets if widget is not None]
    for widget in chain:
        if isinstance(widget, QPlainTextEdit | QTextEdit):
            widget.setTabChangesFocus(True)
        elif isinstance(widget, QAbstractItemView):
            widget.setTabKeyNavigation(False)
        elif isinstance(widget, QDateTimeEdit):
            widget.removeEventFilter(_date_edit_filter())
            widget.installEventFilter(_date_edit_filter())
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)
    return chain
