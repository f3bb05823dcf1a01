"""The prescriber's window: "My prescriptions" and the composer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from portal_client.core.api_client import Page
from portal_client.gui import resources
from portal_client.gui.composer import ComposerPage
from portal_client.gui.list_view import PrescriptionBrowser
from portal_client.gui.main_window import PortalMainWindow, window_title
from portal_client.gui.models import PRESCRIBER_COLUMNS
from portal_client.gui.widgets import Banner

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser


class PrescriberWindow(PortalMainWindow):
    def __init__(
        self, client: ApiClient, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(client, user, parent)
        self.pages = QStackedWidget()
        self.root_layout.addWidget(self.pages, 1)
        self.pages.addWidget(self._build_list_page())
        self.composer = ComposerPage(client)
        self.pages.addWidget(self.composer)
        self.composer.submitted.connect(self._submitted)
        self.composer.cancelled.connect(self.show_list)
        self.composer.session_expired.connect(self.session_expired)
        self.statusBar().showMessage("Loading your prescriptions…")
        self.load_templates(then=self._templates_ready)
        self.refresh()

    def _build_list_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("Canvas")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)
        header = QHBoxLayout()
        title = QLabel("My prescriptions")
        title.setObjectName("PageTitle")
        self.count_label = QLabel("")
        self.count_label.setObjectName("Muted")
        self.refresh_button = QPushButton(" Refresh")
        self.refresh_button.setIcon(resources.icon("refresh"))
        self.refresh_button.setToolTip(
            "Check for updates now (F5). The list also updates by itself every 20 seconds."
        )
        self.new_button = QPushButton(" New prescription")
        self.new_button.setObjectName("Primary")
        self.new_button.setIcon(resources.icon("plus"))
        self.new_button.setMinimumHeight(34)
        header.addWidget(title)
        header.addSpacing(8)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.new_button)
        layout.addLayout(header)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.browser = PrescriptionBrowser(PRESCRIBER_COLUMNS)
        layout.addWidget(self.browser, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.new_button.clicked.connect(self.show_composer)
        return page

    # ---------------------------------------------------------------- pages

    def show_composer(self) -> None:
        self.pages.setCurrentWidget(self.composer)
        self.setWindowTitle(window_title(self.user, "New prescription"))
        if not self.composer.templates and self.templates:
            self.composer.load_templates(self.templates)
        elif not self.composer.templates:
            self.composer.load_templates()
        self.composer.given_name.setFocus()

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)
        self.setWindowTitle(window_title(self.user))

    def _templates_ready(self) -> None:
        self.browser.names = self.names
        if not self.composer.templates:
            self.composer.load_templates(self.templates)
        self.browser.show_items([r.wire for r in self.browser.model.state.rows])

    def _submitted(self, prescription: dict[str, Any]) -> None:
        self.browser.upsert(prescription)
        self.browser.select(str(prescription.get("id", "")))
        self.composer.start_new()
        self.show_list()
        self.banner.show_message(
            f"Prescription {prescription.get('reference', '')} was sent to the pharmacy. "
            "You will see here when a pharmacist has reviewed it.",
            "info",
        )
        self._update_count()
        self.refresh()

    # -------------------------------------------------------------- refresh

    def fetch(self) -> Page:
        return self.client.all_prescriptions()

    def show_fetched(self, page: Page) -> None:
        self.browser.show_items(page.items, page.total)
        self._update_count()
        self.statusBar().clearMessage()

    def _update_count(self) -> None:
        rows = self.browser.model.state.rows
        waiting = sum(1 for r in rows if r.status == "submitted")
        self.count_label.setText(
            f"{len(rows)} in total · {waiting} awaiting review" if rows else "None yet"
        )
