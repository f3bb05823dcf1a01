"""The pharmacist's window: the review queue, the prescription in full, Approve and Reject."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

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

from portal_client.core.api_client import Page
from portal_client.core.errors import ApiError
from portal_client.gui import resources
from portal_client.gui.dialogs import RejectDialog
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.models import REVIEW_COLUMNS
from portal_client.gui.widgets import Banner, muted

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser

FILTERS = (
    ("submitted", "Awaiting review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("all", "All"),
)


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


class PharmacistWindow(PortalMainWindow):
    """Signals:
    filter_changed(str): the status filter (remembered in the settings).
    reviewed(dict): a review was recorded (the updated prescription).
    """

    filter_changed = Signal(str)
    reviewed = Signal(dict)

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        *,
        status_filter: str = "submitted",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(client, user, parent)
        self._reviewing = False
        self._approving: str | None = None  # the id awaiting "Confirm approval"
        self.root_layout.addWidget(self._build_page(status_filter), 1)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.browser.current_changed.connect(lambda _item: self._update_actions())
        self.approve_button.clicked.connect(self.approve_current)
        self.reject_button.clicked.connect(self.reject_current)
        self._update_actions()
        self.browser.table.setFocus()  # arrow keys pick, then Approve / Reject
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
        self.count_badge.setToolTip("Prescriptions awaiting review")
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

        self.browser = PrescriptionBrowser(REVIEW_COLUMNS)
        self.browser.enable_fhir_export(self.client)
        actions = self.browser.detail_actions
        self.action_hint = muted("", hint=True)
        self.reject_button = QPushButton(" Reject…")
        self.reject_button.setObjectName("Danger")
        self.reject_button.setIcon(resources.icon("x"))
        self.approve_button = QPushButton(" Approve")
        self.approve_button.setObjectName("Primary")
        self.approve_button.setIcon(resources.icon("check"))
        self.approve_button.setMinimumHeight(34)
        self.reject_button.setMinimumHeight(34)
        self.approve_button.setToolTip("Approve the selected prescription (you confirm next)")
        actions.addWidget(self.action_hint, 1)
        actions.addWidget(self.reject_button)
        actions.addWidget(self.approve_button)
        self.confirm_bar = self._build_confirm_bar()
        self.browser.right_layout.addWidget(self.confirm_bar)
        self.browser.on_export_message = self.banner.show_message
        layout.addWidget(self.browser, 1)
        return page

    def _build_confirm_bar(self) -> QFrame:
        """Approving asks once, in place: names what is approved; Enter confirms, Esc cancels."""
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
        self.browser.show_items([])
        self.refresh()

    def _templates_ready(self) -> None:
        self.browser.names = self.names
        self.browser.show_items([r.wire for r in self.browser.model.state.rows])

    # ------------------------------------------------------------- refresh

    def fetch(self) -> tuple[str, Page, int]:
        wanted = self.status_filter
        page = self.client.all_prescriptions(status=None if wanted == "all" else wanted)
        waiting = (
            page.total
            if wanted == "submitted"
            else self.client.list_prescriptions(status="submitted", limit=1).total
        )
        return wanted, page, waiting

    def show_fetched(self, result: tuple[str, Page, int]) -> None:
        wanted, page, waiting = result
        if wanted != self.status_filter:
            return  # the filter changed while this was loading; a newer refresh follows
        self.browser.show_items(page.items, page.total)
        self.count_badge.setText(str(waiting))
        self.statusBar().clearMessage()
        self._update_actions()

    # -------------------------------------------------------------- review

    def _update_actions(self) -> None:
        item = self.browser.current()
        if self._approving is not None and (item is None or str(item.get("id")) != self._approving):
            self.cancel_approval()  # the selection moved: never approve something else
        open_for_review = item is not None and item.get("status") == "submitted"
        self.approve_button.setEnabled(open_for_review and not self._reviewing)
        self.reject_button.setEnabled(open_for_review and not self._reviewing)
        if item is None:
            self.action_hint.setText("")  # the empty detail pane already says what to do
        elif not open_for_review:
            self.action_hint.setText("This prescription has already been reviewed.")
        else:
            self.action_hint.setText("")

    def approve_current(self) -> None:
        """Ask for confirmation in place, naming the reference and the template."""
        item = self.browser.current()
        if item is None or item.get("status") != "submitted" or self._reviewing:
            return
        self._approving = str(item["id"])
        reference = escape(str(item.get("reference", "")))
        template = escape(self._template_title(item))
        self.confirm_text.setText(f"Approve <b>{reference}</b> — {template}?")
        self.browser.detail_actions_visible(False)
        self.confirm_bar.show()
        self.confirm_approve.setFocus()

    def _template_title(self, item: dict[str, Any]) -> str:
        row = self.browser.model.row_for(str(item.get("id", "")))
        if row is not None:
            name = self.browser.model.state.rows[row].template_name
            if name:
                return name
        return str(item.get("template_id", "this template"))

    @property
    def confirming_approval(self) -> bool:
        return self._approving is not None

    def confirm_approval(self) -> None:
        approving, self._approving = self._approving, None
        self.confirm_bar.hide()
        self.browser.detail_actions_visible(True)
        item = self.browser.current()
        if approving is not None and item is not None and str(item.get("id")) == approving:
            self._review(item, "approve", "")
        self.browser.table.setFocus()

    def cancel_approval(self) -> None:
        if self._approving is None:
            return
        self._approving = None
        self.confirm_bar.hide()
        self.browser.detail_actions_visible(True)
        self.approve_button.setFocus()

    def reject_current(self) -> None:
        item = self.browser.current()
        if item is None:
            return
        reason = RejectDialog.ask(str(item.get("reference", "")), self)
        if reason:
            self._review(item, "reject", reason)

    def _review(self, item: dict[str, Any], action: str, reason: str) -> None:
        client = self.client
        prescription_id = str(item["id"])
        self._reviewing = True
        self._update_actions()
        self.banner.clear()

        def done(updated: dict[str, Any]) -> None:
            self.browser.upsert(updated)
            verb = "approved" if action == "approve" else "rejected"
            self.banner.show_message(f"{updated.get('reference', '')} {verb}.", "info")
            self.reviewed.emit(updated)
            self.refresh()

        def failed(error: Exception) -> None:
            if isinstance(error, ApiError) and error.status == 409:
                self.banner.show_message(
                    f"{item.get('reference', '')} was already reviewed by someone else. "
                    "The list has been refreshed.",
                    "warn",
                )
                self.refresh()
            else:
                self.banner.show_message(f"The review was not recorded: {error}", "error")

        def finished() -> None:
            self._reviewing = False
            self._update_actions()

        self.run(lambda: client.review(prescription_id, action, reason), done, failed, finished)
