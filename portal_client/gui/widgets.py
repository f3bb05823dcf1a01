"""Small building blocks shared by the screens: banners, cards, section titles."""

from __future__ import annotations

# The sign-in window uses this module before its first paint, so it avoids the
# ``Qt`` namespace (about 15 ms to create) and everything table-related.
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableWidget


class Banner(QFrame):
    """A one-line message strip: ``error``, ``info`` or ``warn``; hidden when empty."""

    _NAMES: ClassVar[dict[str, str]] = {
        "error": "ErrorBanner",
        "info": "InfoBanner",
        "warn": "WarnBanner",
    }

    def __init__(
        self, parent: QWidget | None = None, *, info_timeout_ms: int | None = None
    ) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 7, 10, 7)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        #: With a timeout, a success (``info``) clears itself; warnings and errors stay.
        self.info_timeout_ms = info_timeout_ms
        self._info_timer = QTimer(self)
        self._info_timer.setSingleShot(True)
        self._info_timer.timeout.connect(self.clear_info)
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self._info_timer.stop()
        if kind == "info" and text and self.info_timeout_ms is not None:
            self._info_timer.start(self.info_timeout_ms)
        self.setObjectName(self._NAMES[kind])
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self._info_timer.stop()
        self.label.clear()
        self.hide()

    def clear_info(self) -> None:
        """Let an old success go (another selection, its time is up); errors stay."""
        if self.kind == "info":
            self.clear()

    @property
    def kind(self) -> str:
        return next((k for k, v in self._NAMES.items() if v == self.objectName()), "")


def section_title(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("SectionTitle")
    return label


def muted(text: str, hint: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName("Hint" if hint else "Muted")
    label.setWordWrap(True)
    return label


def card(parent: QWidget | None = None) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("Card")
    return frame


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Red outline through the style sheet's ``[invalid="true"]`` rule."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def read_only_table(columns: Sequence[str], *, single_selection: bool = False) -> QTableWidget:
    """A list of rows the user reads and selects, never edits: the admin screens' tables."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

    table = QTableWidget(0, len(columns))
    from portal_client.gui.i18n import marked

    table.setHorizontalHeaderLabels([marked(column) for column in columns])  # marked texts
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # the arrows move between rows; Tab leaves the table
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    header_view = table.horizontalHeader()
    header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header_view.setStretchLastSection(True)
    return table
