"""Repeat on a past prescription: the detail pane's button, the list's context menu and
Prescription › Repeat (Ctrl+R) all come here. The plan (the new draft and what changed
in the template) is made off the GUI thread; the composer then opens it with the checks
run again, one click away from the sign dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QBoxLayout, QMenu, QPushButton

from portal_client.core.repeat import RepeatPlan, plan_repeat
from portal_client.gui import resources
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.core.wire import PrescriptionWire
    from portal_client.gui.prescriber_window import PrescriberWindow


def repeat_button(layout: QBoxLayout) -> QPushButton:
    """The detail pane's Repeat button (shown while a prescription is selected)."""
    button = QPushButton(QCoreApplication.translate("RepeatOrders", " Repeat"))
    button.setIcon(resources.icon("refresh"))
    button.setToolTip(
        QCoreApplication.translate(
            "RepeatOrders",
            "A new prescription with the same patient, template and doses (Ctrl+R)",
        )
    )
    button.setMinimumHeight(34)
    button.hide()
    layout.addWidget(button)
    return button


class RepeatOrders(QObject):
    """Signals: opened(RepeatPlan): the composer shows the repeat (tests wait on it)."""

    opened = Signal(object)

    def __init__(self, window: PrescriberWindow) -> None:
        super().__init__(window)
        self._window = window
        self._busy = False
        self.action: QAction = window.menus.add_prescription_entry(
            "repeat", self.tr("Repeat…"), self.repeat_selected
        )
        self.button = repeat_button(window.browser.detail_actions)
        self.button.clicked.connect(self.repeat_selected)
        table = window.browser.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        self.context_menu = QMenu(table)
        self.context_menu.addAction(self.action)

    def update(self, item: PrescriptionWire | None) -> None:
        """Offer Repeat for the selected prescription (any status: it is a new order)."""
        available = item is not None and not self._busy
        self.action.setEnabled(available)
        self.button.setVisible(item is not None)
        self.button.setEnabled(available)

    def _context_menu(self, position: QPoint) -> None:
        table = self._window.browser.table
        index = table.indexAt(position)
        if not index.isValid():
            return
        table.selectRow(index.row())
        self.context_menu.popup(table.viewport().mapToGlobal(position))

    def repeat_selected(self) -> None:
        window = self._window
        item = window.browser.current()
        if item is None or self._busy:
            return
        client, known = window.client, list(window.templates)
        self._busy = True
        self.update(item)

        def plan() -> RepeatPlan:
            latest = known or client.templates()
            return plan_repeat(item, latest, client.template_version)

        Op(self, plan).success(self._open).failure(self._failed).run()

    def _open(self, plan: RepeatPlan) -> None:
        self._busy = False
        window = self._window
        composer = window.composer
        if not any(t.key == plan.template.key for t in composer.templates):
            composer.load_templates(
                [t for t in window.templates if t.id != plan.template.id] + [plan.template]
            )
        composer.open_draft(plan.draft_id, plan.payload)
        window.enter_composer()
        composer.status_banner.show_message(
            plan.message(), "warn" if plan.template_changed else "info"
        )
        composer.submit.setFocus()  # the checks ran: Enter (or a click) opens the sign dialog
        self.update(window.browser.current())
        self.opened.emit(plan)

    def _failed(self, error: Exception) -> None:
        self._busy = False
        self._window.banner.show_message(str(error), "error")
        self.update(self._window.browser.current())
