"""A form field as the composer's cards lay it out: caption, editor, the error beneath."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from portal_client.gui.widgets import muted, set_invalid

#: The card's inner margins and spacing, the same on every card.
CARD_MARGINS = (18, 14, 18, 14)


class FieldSlot:
    """One form field: its editor(s) and the error line beneath it."""

    def __init__(self, editor: QWidget, error: QLabel) -> None:
        self.editor = editor
        self.error = error

    def show(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        set_invalid(self.editor, bool(message))


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("FieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def add_field(
    grid: QGridLayout,
    place: tuple[int, int],
    label: str,
    editor: QWidget,
    *,
    suffix: str = "",
    span: int = 1,
) -> FieldSlot:
    """Caption, editor (with its unit), error line, in one cell of ``grid``."""
    row, column = place
    holder = QVBoxLayout()
    holder.setSpacing(3)
    caption = QLabel(label)
    caption.setBuddy(editor)
    holder.addWidget(caption)
    if suffix:
        line = QHBoxLayout()
        line.addWidget(editor, 1)
        line.addWidget(muted(suffix))
        holder.addLayout(line)
    else:
        holder.addWidget(editor)
    error = error_label()
    holder.addWidget(error)
    holder.addStretch(1)
    grid.addLayout(holder, row, column, 1, span)
    editor.setAccessibleName(label)
    return FieldSlot(editor, error)


def card_grid(box: QWidget) -> QGridLayout:
    grid = QGridLayout(box)
    grid.setContentsMargins(*CARD_MARGINS)
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(6)
    return grid


def card_column(box: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(box)
    layout.setContentsMargins(*CARD_MARGINS)
    layout.setSpacing(6)
    return layout
