"""Help › Keyboard shortcuts (listed from the window's own actions) and Help › About."""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME, __version__
from portal_client.gui.actions import COMPOSER_SHORTCUTS, menu_actions, shortcut_text

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient

Runner = Callable[
    [Callable[[], Any], Callable[[Any], Any], Callable[[Exception], Any] | None], None
]


class ShortcutsDialog(QDialog):
    """Every menu entry with its keys, read from the actions themselves, then the
    composer's own shortcuts."""

    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows = [(path, shortcut_text(action)) for path, action in menu_actions(menu_bar)]
        for shortcut in COMPOSER_SHORTCUTS:
            keys = ", ".join(
                s.toString(QKeySequence.SequenceFormat.NativeText) for s in shortcut.sequences()
            )
            rows.append((shortcut.text, keys))
        self.rows = rows
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Shortcut")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 520)


class AboutDialog(QDialog):
    """The app's, Qt's, PySide6's and Python's versions at once; the server's once it answers
    (asked in the background: a slow server never holds the window)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About {app}").format(app=APP_NAME))
        title = QLabel(f"<b>{APP_NAME}</b>")
        form = QFormLayout()
        self.app_version = QLabel(__version__)
        self.qt_version = QLabel(
            self.tr("Qt {qt}, PySide6 {pyside}").format(qt=qVersion(), pyside=PySide6.__version__)
        )
        self.python_version = QLabel(platform.python_version())
        self.server_version = QLabel(self.tr("Asking the server…"))
        form.addRow(self.tr("Version"), self.app_version)
        form.addRow(self.tr("Qt"), self.qt_version)
        form.addRow(self.tr("Python"), self.python_version)
        form.addRow(self.tr("Pharmacy server"), self.server_version)
        for label in (self.app_version, self.qt_version, self.python_version, self.server_version):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def ask_server(self, client: ApiClient, run: Runner) -> None:
        run(client.server_version, self._show_server_version, self._server_unavailable)

    def _show_server_version(self, version: str) -> None:
        self.server_version.setText(version)

    def _server_unavailable(self, error: Exception) -> None:
        self.server_version.setText(self.tr("Not reachable ({why})").format(why=error))
