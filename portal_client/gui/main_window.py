"""What the prescriber and pharmacist windows share: the top bar, titles, sign-out, refresh.

Window titles name the app and the signed-in user, never a patient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QPixmap, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME
from portal_client.core.errors import NotSignedIn, PortalError
from portal_client.core.prescription_list import format_timestamp
from portal_client.gui import resources
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient, SignedInUser

#: How often a visible list asks the server for news (a pharmacist's approval).
REFRESH_INTERVAL_MS = 20_000

ROLE_TEXT = {
    "prescriber": "prescriber",
    "clinic_staff": "clinic staff",
    "pharmacist": "pharmacist",
    "admin": "administrator",
}


def window_title(user: SignedInUser, page: str = "") -> str:
    who = f"{user.display_name} ({ROLE_TEXT.get(user.role, user.role)})"
    return f"{APP_NAME} — {page + ' — ' if page else ''}{who}"


class PortalMainWindow(QMainWindow):
    """Base of both role windows.

    Signals:
        sign_out_requested(): the user pressed Sign out.
        session_expired(str): the server refused our token; the user must sign in again.
    """

    sign_out_requested = Signal()
    session_expired = Signal(str)

    def __init__(
        self, client: ApiClient, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.user = user
        self.templates: list[Template] = []
        self.names: dict[str, str] = {}
        self._refreshing = False
        self._last_refresh_ok: str | None = None
        self.setWindowTitle(window_title(user))
        self.setWindowIcon(resources.icon("app"))

        central = QWidget()
        central.setObjectName("Canvas")
        self.root_layout = QVBoxLayout(central)
        self.root_layout.setContentsMargins(0, 0, 0, 0)
        self.root_layout.setSpacing(0)
        self.root_layout.addWidget(self._build_top_bar())
        self.setCentralWidget(central)

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)

    def _build_top_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("TopBar")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(20, 10, 16, 10)
        logo = QLabel()
        logo.setPixmap(QPixmap(resources.icon_path("app")).scaledToHeight(28))
        title = QLabel(APP_NAME)
        title.setObjectName("AppTitle")
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addStretch(1)
        self.top_bar_actions = QHBoxLayout()
        layout.addLayout(self.top_bar_actions)
        role = ROLE_TEXT.get(self.user.role, self.user.role)
        clinic = f" · {self.user.clinic}" if self.user.clinic else ""
        chip = QLabel(f"{self.user.display_name} · {role}{clinic}")
        chip.setObjectName("UserChip")
        layout.addWidget(chip)
        self.sign_out_button = QPushButton(" Sign out")
        self.sign_out_button.setIcon(resources.icon("sign-out"))
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        layout.addWidget(self.sign_out_button)
        return bar

    # ---------------------------------------------------------- background

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], Any],
        on_failure: Callable[[Exception], Any] | None = None,
        on_finished: Callable[[], Any] | None = None,
    ) -> None:
        """Run ``fn`` in the background; an expired session always leads back to sign-in."""

        def failed(error: Exception) -> None:
            if isinstance(error, NotSignedIn):
                self.session_expired.emit(str(error))
            elif on_failure is not None:
                on_failure(error)
            else:
                self.statusBar().showMessage(str(error), 10_000)

        op = Op(self, fn).success(on_success).failure(failed)
        if on_finished is not None:
            op.finally_(on_finished)
        op.run()

    def load_templates(self, then: Callable[[], Any] | None = None) -> None:
        client = self.client

        def loaded(templates: list[Template]) -> None:
            self.templates = templates
            for template in templates:
                for row in template.ingredients:
                    self.names[row.code] = row.name
                for vehicle in template.vehicles:
                    self.names[f"vehicle:{vehicle.code}"] = vehicle.name
            if then is not None:
                then()

        self.run(
            client.templates,
            loaded,
            lambda error: self.statusBar().showMessage(
                f"Could not load templates: {error}", 10_000
            ),
        )

    # ------------------------------------------------------------- refresh

    def fetch(self) -> Any:
        """Worker-thread half of a refresh (plain data in, plain data out)."""
        raise NotImplementedError

    def show_fetched(self, result: Any) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True

        def done(result: Any) -> None:
            from datetime import UTC, datetime

            self._last_refresh_ok = format_timestamp(datetime.now(UTC))
            self.show_fetched(result)
            self.refresh_failed(None)

        def failed(error: Exception) -> None:
            self.refresh_failed(error)

        def finished() -> None:
            self._refreshing = False

        self.run(self.fetch, done, failed, finished)

    def refresh_failed(self, error: Exception | None) -> None:
        """Screens show a quiet banner; a popup every 20 s would be unbearable."""
        if error is None:
            return
        since = f" Showing the list from {self._last_refresh_ok}." if self._last_refresh_ok else ""
        text = str(error) if isinstance(error, PortalError) else error.__class__.__name__
        self.statusBar().showMessage(f"Could not refresh: {text}{since}")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.refresh_timer.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.refresh_timer.stop()
        super().closeEvent(event)
