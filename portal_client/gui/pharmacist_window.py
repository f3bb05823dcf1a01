"""The pharmacist's window: the queue by status, the prescription in full, and its next moves.

The moves offered are ``pharmacy_domain.status.available_actions`` for the selected row:
Approve, Start compounding and Mark ready confirm in place (Enter confirms, Esc cancels);
rejecting, asking the prescriber and shipping open a note dialog. The in-place question is
withdrawn when the row gains a step meanwhile (an answer arriving by refresh), so nothing
is confirmed unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.status import ACTIONS, FINAL_STATUSES, available_actions
from portal_client.core.api_client import Page, history_length
from portal_client.core.presentation import (
    REVIEW_FILTERS,
    asks_for_note,
    changed_while_confirming_message,
    status_short_label,
)
from portal_client.core.wire import PrescriptionWire
from portal_client.gui import resources
from portal_client.gui.action_dialog import ActionDialog, LifecycleActions
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.models import REVIEW_COLUMNS
from portal_client.gui.widgets import Banner, muted

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser

FILTERS = REVIEW_FILTERS
ROLE = "pharmacist"

#: The buttons under the detail, left to right: the way out, a question, the step forward.
_BUTTON_ORDER = (
    "reject",
    "request_clarification",
    "approve",
    "start_compounding",
    "mark_ready",
    "ship",
)
_ICONS = {"reject": "x", "approve": "check", "ship": "send"}
#: What the in-place confirmation asks and its button says, by action.
_CONFIRM = {
    "approve": ("Approve", "Confirm approval"),
    "start_compounding": ("Start compounding", "Start compounding"),
    "mark_ready": ("Mark ready to ship:", "Mark ready"),
}


class _ConfirmBar(QFrame):
    """The in-place question under the detail; Escape on any of its buttons cancels.

    (A key handler, not a shortcut: it works wherever focus is inside the bar.)
    """

    escaped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConfirmBar")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


def fetch_review_queue(client: ApiClient, wanted: str) -> tuple[str, Page, int]:
    """One refresh (worker thread): the list ``wanted`` shows, and how many wait for review."""
    page = client.all_prescriptions(status=None if wanted == "all" else wanted)
    waiting = (
        page.total
        if wanted == "submitted"
        else client.list_prescriptions(status="submitted", limit=1).total
    )
    return wanted, page, waiting


class PharmacistWindow(PortalMainWindow):
    """Signals:
    filter_changed(str): the status filter (remembered in the settings).
    reviewed(PrescriptionWire): approved or rejected (the updated prescription).
    acted(PrescriptionWire): any move was recorded, approve and reject included (the
        updated prescription).
    """

    filter_changed = Signal(str)
    reviewed = Signal(object)
    acted = Signal(object)

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        *,
        status_filter: str = "submitted",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(client, user, parent)
        #: (action, prescription id, history steps shown) awaiting its in-place confirmation.
        self._confirming: tuple[str, str, int | None] | None = None
        self.root_layout.addWidget(self._build_page(status_filter), 1)
        self.lifecycle = LifecycleActions(self, self.browser, self.banner)
        self.lifecycle.busy_changed.connect(lambda _busy: self._update_actions())
        self.lifecycle.acted.connect(self._acted)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.browser.rendered.connect(lambda _item: self._update_actions())
        for name, button in self.action_buttons.items():
            button.clicked.connect(lambda _checked=False, name=name: self.start_action(name))
        self._update_actions()
        self.browser.table.setFocus()  # arrow keys pick, then the buttons
        self.statusBar().showMessage("Loading the review queue…")
        self.load_templates(then=self._templates_ready)
        self.refresh()

    def _build_page(self, status_filter: str) -> QWidget:
        page = QWidget()
        page.setObjectName("Canvas")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)

        header = QHBoxLayout()
        title = QLabel("Review queue")
        title.setObjectName("PageTitle")
        self.count_badge = QLabel("0")
        self.count_badge.setObjectName("CountBadge")
        self.count_badge.setToolTip("Prescriptions to review")
        self.filter = QComboBox()
        for value, text in FILTERS:
            self.filter.addItem(text, value)
        self.filter.setCurrentIndex(max(0, self.filter.findData(status_filter)))
        self.filter.setAccessibleName("Show")
        self.refresh_button = QPushButton(" Refresh")
        self.refresh_button.setIcon(resources.icon("refresh"))
        header.addWidget(title)
        header.addSpacing(6)
        header.addWidget(self.count_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        header.addWidget(muted("Show"))
        header.addWidget(self.filter)
        header.addWidget(self.refresh_button)
        layout.addLayout(header)
        self.banner = Banner()
        layout.addWidget(self.banner)

        self.browser = PrescriptionBrowser(REVIEW_COLUMNS, viewer_role=ROLE)
        self.browser.enable_fhir_export(self.client)
        self._build_action_buttons()
        self.confirm_bar = self._build_confirm_bar()
        self.browser.right_layout.addWidget(self.confirm_bar)
        self.browser.on_export_message = self.banner.show_message
        layout.addWidget(self.browser, 1)
        return page

    def _build_action_buttons(self) -> None:
        """One button per pharmacist move, shown only when the selected row allows it."""
        actions = self.browser.detail_actions
        self.action_hint = muted("", hint=True)
        actions.addWidget(self.action_hint, 1)
        self.action_buttons: dict[str, QPushButton] = {}
        for name in _BUTTON_ORDER:
            button = QPushButton(f" {ACTIONS[name].label}")
            # Reject is the way out, a question neither out nor forward, the rest forward.
            button.setObjectName(
                {"reject": "Danger", "request_clarification": ""}.get(name, "Primary")
            )
            if name in _ICONS:
                button.setIcon(resources.icon(_ICONS[name]))
            button.setMinimumHeight(34)
            button.hide()
            actions.addWidget(button)
            self.action_buttons[name] = button
        self.approve_button = self.action_buttons["approve"]
        self.reject_button = self.action_buttons["reject"]
        self.ask_button = self.action_buttons["request_clarification"]
        self.approve_button.setToolTip("Approve the selected prescription (you confirm next)")
        self.ask_button.setToolTip(
            "Ask the prescriber a question; the prescription waits for the answer"
        )

    def _build_confirm_bar(self) -> QFrame:
        """Forward steps ask once, in place, naming the prescription.

        Enter confirms, Escape cancels."""
        bar = _ConfirmBar()
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.confirm_cancel = QPushButton("Cancel")
        self.confirm_approve = QPushButton(" Confirm approval")
        self.confirm_approve.setObjectName("Primary")
        self.confirm_approve.setIcon(resources.icon("check"))
        self.confirm_approve.setAutoDefault(True)  # Enter on it confirms
        self.confirm_approve.setMinimumHeight(34)
        self.confirm_cancel.setMinimumHeight(34)
        self.confirm_button = self.confirm_approve  # it confirms every in-place step
        layout.addWidget(self.confirm_text, 1)
        layout.addWidget(self.confirm_cancel)
        layout.addWidget(self.confirm_approve)
        self.confirm_cancel.clicked.connect(self.cancel_approval)
        self.confirm_approve.clicked.connect(self.confirm_approval)
        bar.escaped.connect(self.cancel_approval)
        bar.hide()
        return bar

    @property
    def status_filter(self) -> str:
        return str(self.filter.currentData())

    def _filter_changed(self, _index: int) -> None:
        self.filter_changed.emit(self.status_filter)
        self.browser.clear_while_loading()
        self.refresh()

    def show_filter(self, status: str) -> None:
        """Switch the "Show" list (as the user would)."""
        self.filter.setCurrentIndex(max(0, self.filter.findData(status)))

    def _templates_ready(self) -> None:
        self.browser.names = self.names
        self.browser.show_items([r.wire for r in self.browser.model.state.rows])

    # ------------------------------------------------------------- refresh

    def fetch_job(self) -> Callable[[], tuple[str, Page, int]]:
        # The filter is a widget: read here, on the GUI thread, never by the worker.
        client, wanted = self.client, self.status_filter
        return lambda: fetch_review_queue(client, wanted)

    def show_fetched(self, result: tuple[str, Page, int]) -> None:
        wanted, page, waiting = result
        if wanted != self.status_filter:
            return  # the filter changed while this was loading; a newer refresh follows
        words = dict(FILTERS).get(wanted, "")
        self.browser.set_empty_text(
            "Nothing waiting for review." if wanted == "submitted" else f"Nothing under “{words}”."
        )
        self.browser.show_items(page.items, page.total)
        self.count_badge.setText(str(waiting))
        self.statusBar().clearMessage()
        self._update_actions()

    # ------------------------------------------------------------- actions

    def available(self, item: PrescriptionWire | None) -> list[str]:
        """The moves this window offers on ``item`` (none while one is on its way)."""
        if item is None:
            return []
        return [a.name for a in available_actions(item.status.value, ROLE)]

    def _update_actions(self) -> None:
        item = self.browser.current()
        confirming = self._confirming
        if confirming is not None and (item is None or item.id != confirming[1]):
            self.cancel_approval()  # another selection: never confirm another prescription
        elif item is not None and confirming is not None and self._moved_on(item, confirming):
            # A refresh brought a new step (the prescriber's answer, a colleague's move):
            # what was asked about is not what is shown any more.
            self.cancel_approval()
            reference = item.reference or item.id
            self.banner.show_message(changed_while_confirming_message(reference, item), "warn")
        offered = self.available(item)
        for name, button in self.action_buttons.items():
            button.setVisible(name in offered and self._confirming is None)
            button.setEnabled(name in offered and not self.lifecycle.busy)
        status = item.status.value if item is not None else ""
        if item is None:
            self.action_hint.setText("")  # the empty detail pane already says what to do
        elif status == "needs_clarification":
            self.action_hint.setText("Waiting for the prescriber's answer.")
        elif status in FINAL_STATUSES:
            words = status_short_label(status).lower()
            self.action_hint.setText(f"Nothing more to do: this prescription is {words}.")
        else:
            self.action_hint.setText("")

    def _moved_on(self, item: PrescriptionWire, confirming: tuple[str, str, int | None]) -> bool:
        """Whether ``item`` changed since its in-place confirmation was asked."""
        name, _id, steps = confirming
        return name not in self.available(item) or history_length(item) != steps

    def start_action(self, name: str) -> None:
        """A button under the detail: confirm in place, ask for a reason, or open the note."""
        item = self.browser.current()
        if item is None or name not in self.available(item) or self.lifecycle.busy:
            return
        if asks_for_note(ACTIONS[name]):
            self.open_action_dialog(name)
        else:
            self._ask_in_place(name, item)

    def open_action_dialog(self, name: str) -> ActionDialog | None:
        item = self.browser.current()
        if item is None or name not in self.available(item):
            return None
        return self.lifecycle.open_dialog(name, item)

    @property
    def action_dialog(self) -> ActionDialog | None:
        return self.lifecycle.dialog

    def approve_current(self) -> None:
        """Ask for confirmation in place, naming the reference and the template."""
        self.start_action("approve")

    def _ask_in_place(self, name: str, item: PrescriptionWire) -> None:
        self._confirming = (name, item.id, history_length(item))
        question, button = _CONFIRM[name]
        reference = escape(item.reference)
        template = escape(self._template_title(item))
        self.confirm_text.setText(f"{question} <b>{reference}</b> — {template}?")
        self.confirm_approve.setText(f" {button}")
        self.browser.detail_actions_visible(False)
        self.confirm_bar.show()
        self.confirm_approve.setFocus()

    def _template_title(self, item: PrescriptionWire) -> str:
        row = self.browser.model.row_for(item.id)
        if row is not None:
            name = self.browser.model.state.rows[row].template_name
            if name:
                return name
        return item.template_id or "this template"

    @property
    def confirming(self) -> str | None:
        """The action waiting for its in-place confirmation, if any."""
        return self._confirming[0] if self._confirming is not None else None

    @property
    def confirming_approval(self) -> bool:
        return self.confirming == "approve"

    def confirm_approval(self) -> None:
        """Confirm the step asked in place (approve, start compounding, mark ready)."""
        confirming, self._confirming = self._confirming, None
        self.confirm_bar.hide()
        self.browser.detail_actions_visible(True)
        item = self.browser.current()
        if (
            confirming is not None
            and item is not None
            and item.id == confirming[1]
            and not self._moved_on(item, confirming)
        ):
            self.lifecycle.send(confirming[0], item)
        self._update_actions()
        self.browser.table.setFocus()

    def cancel_approval(self) -> None:
        if self._confirming is None:
            return
        name = self._confirming[0]
        self._confirming = None
        self.confirm_bar.hide()
        self.browser.detail_actions_visible(True)
        self._update_actions()
        self.action_buttons[name].setFocus()

    def _acted(self, name: str, updated: PrescriptionWire) -> None:
        if name in ("approve", "reject"):
            self.reviewed.emit(updated)
        self.acted.emit(updated)
        self.refresh()  # the counts, and the row leaves a filter it no longer matches
