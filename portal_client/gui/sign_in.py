"""The sign-in window: the first thing every user sees, so it paints fast.

Nothing here imports ``requests``: the client object is created inside the
background operation that signs in. It also avoids the ``Qt`` enum namespace,
whose creation alone costs about 15 ms of start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME
from portal_client.core.errors import (
    ApiError,
    InvalidCredentials,
    OutcomeUnknown,
    PortalError,
    ServerUnreachable,
)
from portal_client.core.settings import Settings, normalize_server_url
from portal_client.gui import resources
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner, card, muted, section_title

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser

ClientFactory = Callable[[str], "ApiClient"]


def _default_client_factory(url: str) -> ApiClient:
    from portal_client.core.api_client import ApiClient

    return ApiClient(url)


def sign_in_error_text(error: Exception) -> str:
    """Say which of the three things went wrong: the password, the network, or we can't tell."""
    if isinstance(error, InvalidCredentials):
        return "Wrong user name or password. Check both and try again."
    if isinstance(error, ServerUnreachable):
        return f"{error}"
    if isinstance(error, OutcomeUnknown):
        return "The server did not answer in time. Try again in a moment."
    if isinstance(error, ApiError) and error.status == 429:
        wait = f" in {error.retry_after:g} s" if error.retry_after else " in a moment"
        return f"Too many sign-in attempts. Try again{wait}."
    if isinstance(error, PortalError):
        return f"Sign-in failed: {error}"
    return f"Sign-in failed unexpectedly ({error.__class__.__name__}). Try again."


class SignInWindow(QWidget):
    """User name, password, the server in use, and (in demo mode) the demo accounts.

    Signals:
        signed_in(client, user): sign-in succeeded; the window stays open until closed.
        server_changed(url): the user picked another server (settings must be saved).
    """

    signed_in = Signal(object, object)
    server_changed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        *,
        client_factory: ClientFactory | None = None,
        demo_accounts: Sequence[Any] = (),
        demo_password: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignInWindow")
        self.setWindowTitle(f"{APP_NAME} — Sign in")
        self.setWindowIcon(resources.icon("app"))
        self.settings = settings
        self._client_factory = client_factory or _default_client_factory
        self._busy = False
        self._server_ready = True
        self._demo_password = demo_password

        outer = QHBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        outer.setSpacing(24)
        outer.addStretch(1)
        outer.addWidget(self._build_form_card())
        if demo_accounts:
            column = QVBoxLayout()
            column.addWidget(self._build_demo_card(demo_accounts))
            column.addStretch(1)
            outer.addLayout(column)
        outer.addStretch(1)
        self.resize(860 if demo_accounts else 560, 600)
        self._update_submit_enabled()

    # construction ------------------------------------------------------------

    def _build_form_card(self) -> QWidget:
        box = card()
        box.setFixedWidth(380)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(8)

        logo = QLabel()
        logo.setPixmap(resources.icon("app").pixmap(48, 48))
        title = QLabel(APP_NAME)
        title.setObjectName("AppTitle")
        subtitle = muted("Sign in to send and track IV nutrition prescriptions.")
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)

        self.username = QLineEdit()
        self.username.setPlaceholderText("User name")
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setPlaceholderText("Password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(QLabel("User name"))
        layout.addWidget(self.username)
        layout.addSpacing(4)
        layout.addWidget(QLabel("Password"))
        layout.addWidget(self.password)

        self.error_banner = Banner()
        layout.addSpacing(4)
        layout.addWidget(self.error_banner)

        self.submit = QPushButton("Sign in")
        self.submit.setObjectName("Primary")
        self.submit.setMinimumHeight(36)
        self.submit.setDefault(True)
        layout.addSpacing(6)
        layout.addWidget(self.submit)
        self.progress = muted("", hint=True)
        layout.addWidget(self.progress)

        layout.addSpacing(10)
        layout.addWidget(self._build_server_row())

        self.username.returnPressed.connect(self._enter_pressed)
        self.password.returnPressed.connect(self._enter_pressed)
        self.submit.clicked.connect(self.attempt_sign_in)
        self.username.textChanged.connect(self._update_submit_enabled)
        self.password.textChanged.connect(self._update_submit_enabled)
        return box

    def _build_server_row(self) -> QWidget:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        icon = QLabel()
        icon.setPixmap(resources.icon("server").pixmap(14, 14))
        self.server_label = muted("", hint=True)
        self.change_server = QPushButton("Change")
        self.change_server.setObjectName("Link")
        grid.addWidget(icon, 0, 0)
        grid.addWidget(self.server_label, 0, 1)
        grid.addWidget(self.change_server, 0, 2)
        grid.setColumnStretch(1, 1)

        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("https://pharmacy.example.org")
        self.server_edit.setAccessibleName("Server address")
        self.server_save = QPushButton("Use")
        self.server_error = QLabel()
        self.server_error.setObjectName("FieldError")
        self.server_error.hide()
        grid.addWidget(self.server_edit, 1, 0, 1, 2)
        grid.addWidget(self.server_save, 1, 2)
        grid.addWidget(self.server_error, 2, 0, 1, 3)
        self._show_server_editor(False)
        self._refresh_server_label()

        self.change_server.clicked.connect(lambda: self._show_server_editor(True))
        self.server_save.clicked.connect(self._apply_server)
        self.server_edit.returnPressed.connect(self._apply_server)
        return holder

    def _build_demo_card(self, accounts: Sequence[Any]) -> QWidget:
        box = card()
        box.setObjectName("Card")
        box.setFixedWidth(330)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.setSpacing(6)
        layout.addWidget(section_title("Demo accounts"))
        layout.addWidget(
            muted(
                f"All use the password “{self._demo_password}”. Click one to fill in the form.",
                hint=True,
            )
        )
        self.demo_status = Banner()
        layout.addWidget(self.demo_status)
        self.demo_buttons: dict[str, QPushButton] = {}
        for account in accounts:
            button = QPushButton(f"{account.username}\n{account.description}")
            button.setObjectName("Account")
            button.setIcon(resources.icon("user"))
            button.clicked.connect(lambda _=False, name=account.username: self.use_account(name))
            layout.addWidget(button)
            self.demo_buttons[account.username] = button
        return box

    # behaviour ---------------------------------------------------------------

    def use_account(self, username: str) -> None:
        self.username.setText(username)
        self.password.setText(self._demo_password)
        self.submit.setFocus()

    def set_server_ready(self, ready: bool, message: str = "", kind: str = "info") -> None:
        """Demo mode: sign-in waits until the local server is up."""
        self._server_ready = ready
        banner = getattr(self, "demo_status", None) or self.error_banner
        if message:
            banner.show_message(message, kind)
        else:
            banner.clear()
        self._refresh_server_label()
        self._update_submit_enabled()

    def set_server_url(self, url: str) -> None:
        self.settings.server_url = url
        self._refresh_server_label()

    def _refresh_server_label(self) -> None:
        self.server_label.setText(f"Server: {self.settings.server_url}")
        self.server_label.setToolTip(self.settings.server_url)

    def _show_server_editor(self, visible: bool) -> None:
        self.server_edit.setVisible(visible)
        self.server_save.setVisible(visible)
        self.change_server.setVisible(not visible)
        if visible:
            self.server_edit.setText(self.settings.server_url)
            self.server_edit.setFocus()
            self.server_edit.selectAll()
        else:
            self.server_error.hide()

    def _apply_server(self) -> None:
        try:
            url = normalize_server_url(self.server_edit.text())
        except ValueError as error:
            self.server_error.setText(str(error))
            self.server_error.show()
            return
        self.settings.server_url = url
        self._refresh_server_label()
        self._show_server_editor(False)
        self.error_banner.clear()
        self.server_changed.emit(url)
        self.username.setFocus()

    def _enter_pressed(self) -> None:
        if not self.username.text().strip():
            self.username.setFocus()
        elif not self.password.text():
            self.password.setFocus()
        else:
            self.attempt_sign_in()

    def _update_submit_enabled(self) -> None:
        self.submit.setEnabled(
            self._server_ready
            and not self._busy
            and bool(self.username.text().strip())
            and bool(self.password.text())
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.change_server.setEnabled(not busy)
        self.submit.setText("Signing in…" if busy else "Sign in")
        self.progress.setText(f"Contacting {self.settings.server_url}…" if busy else "")
        self._update_submit_enabled()

    def attempt_sign_in(self) -> None:
        if self._busy or not self.submit.isEnabled():
            return
        username = self.username.text().strip()
        password = self.password.text()
        url = self.settings.server_url
        factory = self._client_factory
        self.error_banner.clear()
        self._set_busy(True)

        def sign_in() -> tuple[ApiClient, SignedInUser]:
            client = factory(url)
            try:
                return client, client.login(username, password)
            except BaseException:
                client.close()
                raise

        (
            Op(self, sign_in)
            .success(self._signed_in)
            .failure(self._failed)
            .finally_(lambda: self._set_busy(False))
            .run()
        )

    def _signed_in(self, result: tuple[ApiClient, SignedInUser]) -> None:
        self.password.clear()  # never keep a password around longer than needed
        self.signed_in.emit(*result)

    def _failed(self, error: Exception) -> None:
        self.error_banner.show_message(sign_in_error_text(error), "error")
        if isinstance(error, InvalidCredentials):
            self.password.selectAll()
            self.password.setFocus()

    def reset_for_next_user(self, message: str = "") -> None:
        """Shown again after sign-out or an expired session (shared workstations)."""
        self.password.clear()
        self.username.clear()
        self._set_busy(False)
        if message:
            self.error_banner.show_message(message, "info")
        else:
            self.error_banner.clear()
        self.username.setFocus()
