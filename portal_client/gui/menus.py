"""The menu bar every main window carries: File, Edit, View, Prescription, Help.

The base window builds it with what every role has (sign-out, lock, quit, refresh, the
standard edit actions, Help); a role window then adds its own entries: "New prescription",
the list filters, one entry per lifecycle action, enabled from the same status table
(``pharmacy_domain.status``) as the buttons under the detail. Keys come from
:mod:`portal_client.gui.actions` only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu, QToolButton

from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui.actions import SHORTCUTS
from portal_client.gui.i18n import marked

if TYPE_CHECKING:
    from portal_client.gui.main_window import PortalMainWindow

#: The edit actions, as the focused widget's own slot names (QLineEdit, QTextEdit…).
_EDIT_SLOTS = (
    ("undo", QT_TRANSLATE_NOOP("Marked", "Undo"), "undo"),
    ("redo", QT_TRANSLATE_NOOP("Marked", "Redo"), "redo"),
    ("cut", QT_TRANSLATE_NOOP("Marked", "Cut"), "cut"),
    ("copy", QT_TRANSLATE_NOOP("Marked", "Copy"), "copy"),
    ("paste", QT_TRANSLATE_NOOP("Marked", "Paste"), "paste"),
    ("select_all", QT_TRANSLATE_NOOP("Marked", "Select all"), "selectAll"),
)


class WindowMenus(QObject):
    """The menu bar of one main window, and its actions by name (``actions``)."""

    def __init__(self, window: PortalMainWindow) -> None:
        super().__init__(window)
        self.actions: dict[str, QAction] = {}
        bar = window.menuBar()
        self.file_menu = bar.addMenu(self.tr("&File"))
        self.edit_menu = bar.addMenu(self.tr("&Edit"))
        self.view_menu = bar.addMenu(self.tr("&View"))
        self.prescription_menu = bar.addMenu(self.tr("&Prescription"))
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.prescription_menu.menuAction().setVisible(False)  # shown once it has entries
        self._offered: dict[str, str] = {}  # action key → lifecycle action name

        self._build_file_menu()
        for key, text, slot in _EDIT_SLOTS:
            self.add(self.edit_menu, key, marked(text), partial(_on_focus, slot))
        self.add(self.view_menu, "refresh", self.tr("Refresh"), self.window.refresh)
        self.add(
            self.help_menu,
            "keyboard_shortcuts",
            self.tr("Keyboard shortcuts"),
            self.show_shortcuts,
        )
        self.add(self.help_menu, "about", self.tr("About"), self.show_about)
        self._add_copy_diagnostics()
        # Qt's own overflow button (shown when a narrow window hides menus) has no name.
        overflow = bar.findChild(QToolButton, "qt_menubar_ext_button")
        if overflow is not None:
            overflow.setAccessibleName(self.tr("More menus"))

    @property
    def window(self) -> PortalMainWindow:
        # Read through Qt's parent, never kept in an attribute: a Python cycle between
        # window and menus would keep the window's wrapper alive after Qt deleted it.
        return cast("PortalMainWindow", self.parent())

    def _build_file_menu(self) -> None:
        window, menu = self.window, self.file_menu
        # The account menu's own actions, so each key is bound once (Ctrl+L was twice).
        menu.addAction(window.change_password_action)
        SHORTCUTS["lock"].apply(window.lock_action)
        menu.addAction(window.lock_action)
        self.actions["change_password"] = window.change_password_action
        self.actions["lock"] = window.lock_action
        for name in ("approvals_action", "users_action", "audit_action"):
            action = getattr(window, name, None)
            if isinstance(action, QAction):
                menu.addAction(action)
                self.actions[name.removesuffix("_action")] = action
        menu.addSeparator()
        menu.addAction(window.sign_out_action)
        self.actions["sign_out"] = window.sign_out_action
        self.add(menu, "quit", self.tr("Quit"), window.request_quit)

    def add(
        self, menu: QMenu, key: str, text: str, slot: Callable[[], object], *, guarded: bool = True
    ) -> QAction:
        """An entry with the registry's shortcut for ``key`` (if it has one). A guarded
        entry does nothing while the window is locked (its keys would reach behind it)."""
        action = QAction(text, self.window)
        if key in SHORTCUTS:
            SHORTCUTS[key].apply(action)
        if guarded and key not in ("quit", "keyboard_shortcuts", "about"):
            action.triggered.connect(lambda _checked=False: self._unless_locked(slot))
        else:
            action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.actions[key] = action
        return action

    def _unless_locked(self, slot: Callable[[], object]) -> None:
        if not self.window.is_locked:
            slot()

    # ------------------------------------------------------- role windows add

    def add_new_prescription(self, text: str, slot: Callable[[], object]) -> QAction:
        """File › New prescription, first in the menu."""
        first = self.file_menu.actions()[0]
        action = self.add(self.file_menu, "new_prescription", text, slot)
        self.file_menu.insertAction(first, action)
        self.file_menu.insertSeparator(first)
        return action

    def add_filters(
        self, choices: Sequence[tuple[str, str]], current: str, choose: Callable[[str], object]
    ) -> None:
        """View › one checkable entry per list filter (Ctrl+1…), exclusive."""
        self.view_menu.addSeparator()
        group = QActionGroup(self)
        group.setExclusive(True)
        for number, (value, text) in enumerate(choices, start=1):
            action = self.add(self.view_menu, f"filter_{number}", text, partial(choose, value))
            action.setCheckable(True)
            action.setChecked(value == current)
            action.setData(value)
            group.addAction(action)
        self.filter_group = group

    def show_filter(self, value: str) -> None:
        for action in self.filter_group.actions():
            action.setChecked(action.data() == value)

    def add_prescription_action(
        self, lifecycle_name: str, text: str, slot: Callable[[], object]
    ) -> QAction:
        """Prescription › an entry enabled when the selection's status offers it."""
        self.prescription_menu.menuAction().setVisible(True)
        action = self.add(self.prescription_menu, lifecycle_name, text, slot)
        action.setEnabled(False)
        self._offered[lifecycle_name] = lifecycle_name
        return action

    def add_prescription_entry(self, key: str, text: str, slot: Callable[[], object]) -> QAction:
        """Prescription › an entry the window enables itself (an export, an open)."""
        self.prescription_menu.menuAction().setVisible(True)
        return self.add(self.prescription_menu, key, text, slot)

    def offer(self, offered: set[str], *, busy: bool = False) -> None:
        """Enable the lifecycle entries ``offered`` (the status table's names)."""
        for key, name in self._offered.items():
            self.actions[key].setEnabled(name in offered and not busy)

    # ------------------------------------------------------------- Help

    def show_shortcuts(self) -> None:
        from portal_client.gui.help_dialogs import ShortcutsDialog

        ShortcutsDialog(self.window.menuBar(), self.window).open()

    def _add_copy_diagnostics(self) -> None:
        from portal_client.core.settings import load_settings
        from portal_client.gui.diagnostics_action import copy_diagnostics_action

        window = self.window
        action = copy_diagnostics_action(
            window,
            load_settings,
            lambda: self.window.client,
            copied=lambda _text: self.window.statusBar().showMessage(
                self.tr("Diagnostics copied to the clipboard."), 5_000
            ),
        )
        self.help_menu.addAction(action)
        self.actions["copy_diagnostics"] = action

    def show_about(self) -> None:
        from portal_client.gui.help_dialogs import AboutDialog

        dialog = AboutDialog(self.window)
        dialog.open()
        dialog.ask_server(self.window.client, self.window.run)


def _on_focus(slot: str) -> None:
    """Run an edit slot on the focused widget, when it has one (a table has no paste)."""
    widget = QApplication.focusWidget()
    method = getattr(widget, slot, None) if widget is not None else None
    if callable(method):
        method()
