"""The sign-in window: the first thing every user sees, so it paints fast.

Two steps: the password, then (for accounts with an authenticator) a 6-digit code.
From here people also request an account and activate an approved one. The user name
is remembered in the system keyring (never the password or the session token); with no
usable keyring the window says so.

Nothing here imports ``requests``, ``keyring`` or the account module before the first
paint: the client object is created inside the background operation that signs in,
and the code step, the keyring and the dialogs load on first use. It also avoids the
``Qt`` enum namespace, whose creation alone costs about 15 ms of start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME
from portal_client.core.errors import (
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
    from portal_client.core.accounts import CodeChallenge
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.durable.keystore import KeyStore

ClientFactory = Callable[[str], "ApiClient"]
KeyStoreFactory = Callable[[str], "KeyStore"]

NO_KEYRING_USERNAME_NOTICE = (
    "This computer has no usable system keyring, so your user name will not be "
    "remembered after you quit. Nothing else is affected."
)


def _default_client_factory(url: str) -> ApiClient:
    from portal_client.core.api_client import ApiClient

    return ApiClient(url)


def _default_keystore_factory(url: str) -> KeyStore:
    from portal_client.core.durable.keystore import KeyStore

    return KeyStore(url)


def sign_in_error_text(error: Exception) -> str:
    """Say what went wrong: the password or code, the account, the network, or we can't tell."""
    from portal_client.core.accounts import SignInRefused

    if isinstance(error, InvalidCredentials):
        if isinstance(error, SignInRefused):
            return str(error)  # says which: password, code, locked account, throttling
        return "Wrong user name or password. Check both and try again."
    if isinstance(error, ServerUnreachable):
        return f"{error}"
    if isinstance(error, OutcomeUnknown):
        return "The server did not answer in time. Try again in a moment."
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
        keystore_factory: KeyStoreFactory | None = None,
        demo_accounts: Sequence[Any] = (),
        demo_password: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignInWindow")
        self.setWindowTitle(f"{APP_NAME} — Sign in")
        # No window icon of its own: the application's arrives right after the first
        # paint (see ``complete_application``), before any window manager shows it.
        self.settings = settings
        self._client_factory = client_factory or _default_client_factory
        self._keystore_factory = keystore_factory or _default_keystore_factory
        self._keystore: KeyStore | None = None
        self._busy = False
        self._server_ready = True
        self._demo_password = demo_password
        # The code step: the client that checked the password, and its challenge.
        self._pending: tuple[ApiClient, CodeChallenge] | None = None
        self.code: QLineEdit | None = None

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
        self._base_width = 860 if demo_accounts else 560
        self.resize(self._base_width, 600)
        self._fit_height()
        self._update_submit_enabled()

    # size ---------------------------------------------------------------------

    def _needed_height(self) -> int:
        """The height the cards need at their fixed widths (word-wrapped text included).

        Qt does not apply height-for-width to a top-level window's minimum size, so
        without this a notice or error appearing in the form squeezes the fields
        instead of making the window taller.
        """
        layout = self.layout()
        if layout is None:
            return self.height()
        width = max(self.width(), self._base_width)
        if layout.hasHeightForWidth():
            return int(layout.totalHeightForWidth(width))
        return int(layout.totalSizeHint().height())

    def _fit_height(self) -> None:
        needed = min(self._needed_height(), self.screen().availableGeometry().height())
        if self.minimumHeight() != needed:
            self.setMinimumHeight(needed)
        if self.height() < needed:
            self.resize(self.width(), needed)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_height()
        return handled

    def center_on_screen(self) -> None:
        """First placement: the middle of the screen's free area, not its top-left corner."""
        area = self.screen().availableGeometry()
        frame = self.frameGeometry()
        frame.moveCenter(area.center())
        self.move(max(area.left(), frame.left()), max(area.top(), frame.top()))

    # construction ------------------------------------------------------------

    def _build_form_card(self) -> QWidget:
        box = card()
        box.setFixedWidth(380)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(8)

        logo = QLabel()
        logo.setPixmap(resources.early_pixmap("app", 48, self.devicePixelRatioF()))
        title = QLabel(APP_NAME)
        title.setObjectName("AppTitle")
        subtitle = muted("Sign in to send and track IV nutrition prescriptions.")
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)

        self.steps = QStackedWidget()
        self.steps.addWidget(self._build_credentials_page())
        layout.addWidget(self.steps)

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
        self.progress.hide()
        layout.addWidget(self.progress)

        self.keyring_notice = muted("", hint=True)
        self.keyring_notice.hide()
        layout.addWidget(self.keyring_notice)

        layout.addLayout(self._build_account_links())

        layout.addSpacing(6)
        layout.addWidget(self._build_server_row())

        self.request_account_button.clicked.connect(self.open_account_request)
        self.activate_button.clicked.connect(self.open_activation)
        self.username.returnPressed.connect(self._enter_pressed)
        self.password.returnPressed.connect(self._enter_pressed)
        self.submit.clicked.connect(self.attempt_sign_in)
        self.username.textChanged.connect(self._update_submit_enabled)
        self.password.textChanged.connect(self._update_submit_enabled)
        return box

    def _build_credentials_page(self) -> QWidget:
        credentials = QWidget()
        fields = QVBoxLayout(credentials)
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setSpacing(8)
        self.username = QLineEdit()
        self.username.setPlaceholderText("User name")
        self.username.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setPlaceholderText("Password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        fields.addWidget(QLabel("User name"))
        fields.addWidget(self.username)
        fields.addSpacing(4)
        fields.addWidget(QLabel("Password"))
        fields.addWidget(self.password)
        self.remember = QCheckBox("Remember my user name on this computer")
        self.remember.setChecked(True)
        fields.addWidget(self.remember)
        return credentials

    def _build_account_links(self) -> QHBoxLayout:
        links = QHBoxLayout()
        links.setContentsMargins(0, 4, 0, 0)
        self.request_account_button = QPushButton("Request an account")
        self.request_account_button.setObjectName("Link")
        self.activate_button = QPushButton("Activate account")
        self.activate_button.setObjectName("Link")
        links.addWidget(self.request_account_button)
        links.addStretch(1)
        links.addWidget(self.activate_button)
        return links

    def _build_server_row(self) -> QWidget:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        icon = QLabel()
        icon.setPixmap(resources.early_pixmap("server", 14, self.devicePixelRatioF()))
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

    @property
    def on_code_step(self) -> bool:
        return self._pending is not None

    def _update_submit_enabled(self) -> None:
        if self.on_code_step:
            ready = self.code is not None and len(_digits(self.code.text())) == 6
        else:
            ready = bool(self.username.text().strip()) and bool(self.password.text())
        self.submit.setEnabled(self._server_ready and not self._busy and ready)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if self.code is not None:
            self.code.setEnabled(not busy)
        self.change_server.setEnabled(not busy and not self.on_code_step)
        idle_label = "Verify code" if self.on_code_step else "Sign in"
        self.submit.setText(
            ("Checking…" if self.on_code_step else "Signing in…") if busy else idle_label
        )
        self.progress.setText(f"Contacting {self.settings.server_url}…" if busy else "")
        self.progress.setVisible(busy)  # no empty gap under the button when idle
        self._update_submit_enabled()

    def attempt_sign_in(self) -> None:
        if self._busy or not self.submit.isEnabled():
            return
        if self.on_code_step:
            self._send_code()
            return
        username = self.username.text().strip()
        password = self.password.text()
        url = self.settings.server_url
        factory = self._client_factory
        self.error_banner.clear()
        self._set_busy(True)

        def sign_in() -> tuple[ApiClient, SignedInUser | CodeChallenge]:
            from portal_client.core.accounts import begin_sign_in

            client = factory(url)
            try:
                return client, begin_sign_in(client, username, password)
            except BaseException:
                client.close()
                raise

        (
            Op(self, sign_in)
            .success(self._password_accepted)
            .failure(self._failed)
            .finally_(lambda: self._set_busy(False))
            .run()
        )

    def _password_accepted(self, result: tuple[ApiClient, SignedInUser | CodeChallenge]) -> None:
        from portal_client.core.accounts import CodeChallenge

        client, answer = result
        self.password.clear()  # never keep a password around longer than needed
        if isinstance(answer, CodeChallenge):
            self._show_code_step(client, answer)
        else:
            self._finish(client, answer)

    # the code step --------------------------------------------------------------

    def _build_code_page(self) -> None:
        from portal_client.gui.lock_screen import code_field

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.code_prompt = QLabel()
        self.code_prompt.setWordWrap(True)
        layout.addWidget(self.code_prompt)
        self.code = code_field()
        layout.addWidget(self.code)
        layout.addWidget(
            muted(
                "Open the authenticator app on your phone (for example Google or Microsoft "
                "Authenticator) and type the code shown for this portal. Codes change every "
                "30 seconds and work once.",
                hint=True,
            )
        )
        self.back_button = QPushButton("← Use another account")
        self.back_button.setObjectName("Link")
        layout.addWidget(self.back_button)
        self.steps.addWidget(page)
        self.code.textChanged.connect(self._code_typed)
        self.code.returnPressed.connect(self.attempt_sign_in)
        self.back_button.clicked.connect(self.back_to_password)

    def _show_code_step(self, client: ApiClient, challenge: CodeChallenge) -> None:
        if self.code is None:
            self._build_code_page()
        assert self.code is not None
        self._pending = (client, challenge)
        self.code_prompt.setText(
            f"Password accepted for <b>{_escape(challenge.username)}</b>. "
            "Enter the 6-digit code from your authenticator app."
        )
        self.code.clear()
        self.steps.setCurrentIndex(1)
        self.error_banner.clear()
        self._set_busy(False)
        self.code.setFocus()

    def _code_typed(self, text: str) -> None:
        self._update_submit_enabled()
        if len(_digits(text)) == 6 and not self._busy:
            self.attempt_sign_in()  # six digits typed or pasted: no need to press Enter

    def _send_code(self) -> None:
        assert self._pending is not None and self.code is not None
        client, challenge = self._pending
        code = self.code.text()
        self.error_banner.clear()
        self._set_busy(True)

        def verify() -> SignedInUser:
            from portal_client.core.accounts import finish_sign_in

            return finish_sign_in(client, challenge, code)

        (
            Op(self, verify)
            .success(lambda user: self._finish(client, user))
            .failure(self._failed)
            .finally_(lambda: self._set_busy(False))
            .run()
        )

    def back_to_password(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending[0].close()
        if self.code is not None:
            self.code.clear()
        self.steps.setCurrentIndex(0)
        self.error_banner.clear()
        self._set_busy(False)
        self.password.setFocus()

    # outcome --------------------------------------------------------------------

    def _finish(self, client: ApiClient, user: SignedInUser) -> None:
        self._pending = None
        if self.code is not None:
            self.code.clear()
        self.steps.setCurrentIndex(0)
        self._remember_username(user.username if self.remember.isChecked() else None)
        self.signed_in.emit(client, user)

    def _failed(self, error: Exception) -> None:
        from portal_client.core.accounts import SignInRefused

        self.error_banner.show_message(sign_in_error_text(error), "error")
        if isinstance(error, SignInRefused) and error.reason in ("challenge_expired", "locked"):
            # Either way the code step is over (a lockout ends it): back to the password.
            self.back_to_password()
            self.error_banner.show_message(sign_in_error_text(error), "error")
        elif self.on_code_step and self.code is not None:
            self.code.selectAll()
            self.code.setFocus()
        elif isinstance(error, InvalidCredentials):
            self.password.selectAll()
            self.password.setFocus()

    def reset_for_next_user(self, message: str = "") -> None:
        """Shown again after sign-out or an expired session (shared workstations)."""
        if self.on_code_step:
            self.back_to_password()
        self.password.clear()
        self.username.clear()
        self._set_busy(False)
        if message:
            self.error_banner.show_message(message, "info")
        else:
            self.error_banner.clear()
        self.username.setFocus()
        self.load_remembered_username()

    # the remembered user name ----------------------------------------------------

    def keystore(self) -> KeyStore:
        """One keyring wrapper per server address (it remembers a keyring that hung)."""
        if self._keystore is None or self._keystore.server_url != self.settings.server_url.rstrip(
            "/"
        ):
            self._keystore = self._keystore_factory(self.settings.server_url)
        return self._keystore

    def load_remembered_username(self) -> None:
        """Fill in the user name saved at the last sign-in (keyring, off the GUI thread)."""
        store = self.keystore()

        def read() -> tuple[str | None, bool]:
            return store.remembered_username(), store.available

        def show(result: tuple[str | None, bool]) -> None:
            name, available = result
            self._show_keyring_notice(available)
            if name and not self.username.text():
                self.username.setText(name)
                self.password.setFocus()

        Op(self, read).success(show).failure(lambda _error: self._show_keyring_notice(False)).run()

    def _remember_username(self, username: str | None) -> None:
        store = self.keystore()

        def write() -> bool:
            if username is None:
                store.forget_username()
                return store.available
            return store.remember_username(username)

        Op(self, write).success(self._show_keyring_notice).failure(
            lambda _error: self._show_keyring_notice(False)
        ).run()

    def _show_keyring_notice(self, available: bool) -> None:
        self.keyring_notice.setText("" if available else NO_KEYRING_USERNAME_NOTICE)
        self.keyring_notice.setVisible(not available)
        self.remember.setEnabled(available)

    # requesting and activating accounts -------------------------------------------

    def open_account_request(self) -> None:
        from portal_client.gui.account_request_dialog import AccountRequestDialog

        dialog = AccountRequestDialog(self.settings.server_url, self._client_factory, self)
        dialog.open()

    def open_activation(self) -> None:
        from portal_client.gui.activation_dialog import ActivationDialog

        dialog = ActivationDialog(
            self.settings.server_url,
            self._client_factory,
            self,
            username=self.username.text().strip(),
        )
        dialog.activated.connect(self._finish)
        dialog.open()


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
