"""The pharmacist's window: the review queue, the prescription in full, Approve and Reject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

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
        self.root_layout.addWidget(self._build_page(status_filter), 1)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.browser.current_changed.connect(lambda _item: self._update_actions())
        self.approve_button.clicked.connect(self.approve_current)
        self.reject_button.clicked.connect(self.reject_current)
        self._update_actions()
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
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 8, 0, 0)
        self.action_hint = muted("", hint=True)
        self.reject_button = QPushButton(" Reject…")
        self.reject_button.setObjectName("Danger")
        self.reject_button.setIcon(resources.icon("x"))
        self.approve_button = QPushButton(" Approve")
        self.approve_button.setObjectName("Primary")
        self.approve_button.setIcon(resources.icon("check"))
        self.approve_button.setMinimumHeight(34)
        self.reject_button.setMinimumHeight(34)
        actions.addWidget(self.action_hint, 1)
        actions.addWidget(self.reject_button)
        actions.addWidget(self.approve_button)
        self.browser.right_layout.addLayout(actions)
        self.browser.enable_fhir_export(self.client)
        self.browser.on_export_message = self.banner.show_message
        layout.addWidget(self.browser, 1)
        return page

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
        open_for_review = item is not None and item.get("status") == "submitted"
        self.approve_button.setEnabled(open_for_review and not self._reviewing)
        self.reject_button.setEnabled(open_for_review and not self._reviewing)
        if item is None:
            self.action_hint.setText("Select a prescription to review it.")
        elif not open_for_review:
            self.action_hint.setText("This prescription has already been reviewed.")
        else:
            self.action_hint.setText("")

    def approve_current(self) -> None:
        item = self.browser.current()
        if item is not None:
            self._review(item, "approve", "")

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
