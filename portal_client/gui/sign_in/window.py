"""The sign-in window: the first thing every user sees, so it paints fast.

Two steps: the password, then (for accounts with an authenticator) a 6-digit code.
From here people also request an account and activate an approved one. The user name
is remembered in the system keyring (never the password or the session token); with no
usable keyring the window says so.

What the button says and allows, where Enter and a failure lead: ``core.sign_in``.
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
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME
from portal_client.core.settings import Settings
from portal_client.core.sign_in import (
    AfterFailure,
    EnterGoes,
    SignInForm,
    after_failure,
    code_prompt_html,
    keyring_notice_text,
    sign_in_error_text,
)
from portal_client.gui import resources
from portal_client.gui.diagnostics_action import diagnostics_link
from portal_client.gui.ops import Op
from portal_client.gui.sign_in.language import LanguageRow
from portal_client.gui.sign_in.memory import (
    KeyStoreFactory,
    UsernameMemory,
    default_keystore_factory,
)
from portal_client.gui.sign_in.parts import (
    CodePage,
    CredentialsPage,
    DemoAccountsCard,
    ServerRow,
)
from portal_client.gui.widgets import Banner, card, muted

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressBar

    from portal_client.core.accounts import CodeChallenge
    from portal_client.core.api_client import ApiClient, SignedInUser

ClientFactory = Callable[[str], "ApiClient"]


def client_factory_for(settings: Settings) -> ClientFactory:
    """Clients that trust the CA bundle the settings name at the time of each call."""

    def create(url: str) -> ApiClient:
        from portal_client.core.api_client import ApiClient

        return ApiClient(url, ca_bundle=settings.ca_bundle)

    return create


class SignInWindow(QWidget):
    """User name, password, the server in use, and (in demo mode) the demo accounts.

    Signals:
        signed_in(client, user): sign-in succeeded; the window stays open until closed.
        server_changed(url): the user picked another server (settings must be saved).
        language_changed(choice): the language setting changed (saved; applies at next start).
    """

    signed_in = Signal(object, object)
    server_changed = Signal(str)
    language_changed = Signal(str)

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
        self.setWindowTitle(self.tr("{app} — Sign in").format(app=APP_NAME))
        # No window icon of its own: the application's arrives right after the first
        # paint (see ``complete_application``), before any window manager shows it.
        self.settings = settings
        self._client_factory = client_factory or client_factory_for(settings)
        self.username_memory = UsernameMemory(
            settings, keystore_factory or default_keystore_factory, self
        )
        self.username_memory.read.connect(self._remembered_username_read)
        self.username_memory.availability.connect(self._show_keyring_notice)
        self.form = SignInForm()
        self._demo_password = demo_password
        # The code step: the client that checked the password, and its challenge.
        self._pending: tuple[ApiClient, CodeChallenge] | None = None
        self.code_page: CodePage | None = None
        self.code: QLineEdit | None = None
        self.demo_card: DemoAccountsCard | None = None
        self.demo_buttons: dict[str, QPushButton] = {}

        outer = QHBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        outer.setSpacing(24)
        outer.addStretch(1)
        outer.addWidget(self._build_form_card())
        if demo_accounts:
            self.demo_card = DemoAccountsCard(demo_accounts, demo_password)
            self.demo_status = self.demo_card.status
            self.demo_buttons = self.demo_card.buttons
            self.demo_card.chosen.connect(self.use_account)
            column = QVBoxLayout()
            column.addWidget(self.demo_card)
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
        subtitle = muted(self.tr("Sign in to send and track IV nutrition prescriptions."))
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)

        self.steps = QStackedWidget()
        self.credentials = CredentialsPage()
        self.username = self.credentials.username
        self.password = self.credentials.password
        self.remember = self.credentials.remember
        self.steps.addWidget(self.credentials)
        layout.addWidget(self.steps)

        self.error_banner = Banner()
        layout.addSpacing(4)
        layout.addWidget(self.error_banner)

        self._add_submit_area(layout)
        layout.addLayout(self._build_account_links())

        layout.addSpacing(6)
        self.server_row = ServerRow(self.settings, self.devicePixelRatioF())
        self.server_label, self.change_server = self.server_row.label, self.server_row.change
        self.server_edit, self.server_save = self.server_row.edit, self.server_row.save
        self.server_error = self.server_row.error
        layout.addWidget(self.server_row)
        # Before sign-in there is no Help menu: support's report is offered here too.
        self.diagnostics_button = diagnostics_link(
            self,
            lambda: self.settings,
            copied=lambda _text: self.error_banner.show_message(
                self.tr("Diagnostics copied to the clipboard."), "info"
            ),
        )
        layout.addWidget(self.diagnostics_button)
        self.language_row = LanguageRow(self.settings)
        self.language_row.changed.connect(self.language_changed)
        layout.addWidget(self.language_row)

        self.server_row.changed.connect(self._server_changed)
        self.request_account_button.clicked.connect(self.open_account_request)
        self.activate_button.clicked.connect(self.open_activation)
        self.username.returnPressed.connect(self._enter_pressed)
        self.password.returnPressed.connect(self._enter_pressed)
        self.submit.clicked.connect(self.attempt_sign_in)
        self.username.textChanged.connect(self._update_submit_enabled)
        self.password.textChanged.connect(self._update_submit_enabled)
        return box

    def _add_submit_area(self, layout: QVBoxLayout) -> None:
        """The button, what it is doing, and the keyring notice, under the fields."""
        self.submit = QPushButton(self.tr("Sign in"))
        self.submit.setObjectName("Primary")
        self.submit.setMinimumHeight(36)
        self.submit.setDefault(True)
        layout.addSpacing(6)
        layout.addWidget(self.submit)
        self._submit_area = layout  # the busy bar goes under the button on first use
        self.busy_bar: QProgressBar | None = None
        self.progress = muted("", hint=True)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.keyring_notice = muted("", hint=True)
        self.keyring_notice.hide()
        layout.addWidget(self.keyring_notice)

    def _build_account_links(self) -> QHBoxLayout:
        links = QHBoxLayout()
        links.setContentsMargins(0, 4, 0, 0)
        self.request_account_button = QPushButton(self.tr("Request an account"))
        self.request_account_button.setObjectName("Link")
        self.activate_button = QPushButton(self.tr("Activate account"))
        self.activate_button.setObjectName("Link")
        links.addWidget(self.request_account_button)
        links.addStretch(1)
        links.addWidget(self.activate_button)
        return links

    # behaviour ---------------------------------------------------------------

    def use_account(self, username: str) -> None:
        self.username.setText(username)
        self.password.setText(self._demo_password)
        self.submit.setFocus()

    def set_server_ready(self, ready: bool, message: str = "", kind: str = "info") -> None:
        """Demo mode: sign-in waits until the local server is up."""
        self.form.server_ready = ready
        banner = self.demo_card.status if self.demo_card is not None else self.error_banner
        if message:
            banner.show_message(message, kind)
        else:
            banner.clear()
        self.server_row.show_url()
        self._update_submit_enabled()

    @property
    def server_url(self) -> str:
        return self.settings.server_url or ""

    def set_server_url(self, url: str) -> None:
        self.settings.server_url = url
        self.server_row.show_url()

    def _server_changed(self, url: str) -> None:
        self.error_banner.clear()
        self.server_changed.emit(url)
        self.username.setFocus()

    def _enter_pressed(self) -> None:
        goes = self.form.enter_goes(username=self.username.text(), password=self.password.text())
        if goes is EnterGoes.USERNAME:
            self.username.setFocus()
        elif goes is EnterGoes.PASSWORD:
            self.password.setFocus()
        else:
            self.attempt_sign_in()

    @property
    def on_code_step(self) -> bool:
        return self._pending is not None

    @property
    def code_prompt(self) -> QLabel:  # the code step's parts, once it has been shown
        assert self.code_page is not None
        return self.code_page.prompt

    @property
    def back_button(self) -> QPushButton:
        assert self.code_page is not None
        return self.code_page.back_button

    def _update_submit_enabled(self) -> None:
        self.form.on_code_step = self.on_code_step
        self.submit.setEnabled(
            self.form.submit_enabled(
                username=self.username.text(),
                password=self.password.text(),
                code=self.code.text() if self.code is not None else "",
            )
        )

    def _set_busy(self, busy: bool) -> None:
        form = self.form
        form.busy, form.on_code_step = busy, self.on_code_step
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        if self.code is not None:
            self.code.setEnabled(not busy)
        self.change_server.setEnabled(form.server_change_allowed)
        self.submit.setText(form.submit_text)
        self.progress.setText(form.progress_text(self.server_url))
        self.progress.setVisible(busy)  # no empty gap under the button when idle
        if busy and self.busy_bar is None:  # made late: not needed for the first paint
            from portal_client.gui.busy import busy_bar

            self.busy_bar = busy_bar(full_width=True)
            self._submit_area.insertWidget(self._submit_area.indexOf(self.progress), self.busy_bar)
        if self.busy_bar is not None:
            self.busy_bar.setVisible(busy)
        self._update_submit_enabled()

    def attempt_sign_in(self) -> None:
        if self.form.busy or not self.submit.isEnabled():
            return
        if self.on_code_step:
            self._send_code()
            return
        username = self.username.text().strip()
        password = self.password.text()
        url = self.server_url
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

    def _build_code_page(self) -> CodePage:
        page = CodePage()
        self.steps.addWidget(page)
        page.code.textChanged.connect(self._code_typed)
        page.code.returnPressed.connect(self.attempt_sign_in)
        page.back_button.clicked.connect(self.back_to_password)
        return page

    def _show_code_step(self, client: ApiClient, challenge: CodeChallenge) -> None:
        if self.code_page is None:
            self.code_page = self._build_code_page()
            self.code = self.code_page.code
        code = self.code_page.code
        self._pending = (client, challenge)
        self.code_page.prompt.setText(code_prompt_html(challenge))
        code.clear()
        self.steps.setCurrentIndex(1)
        self.error_banner.clear()
        self._set_busy(False)
        code.setFocus()

    def _code_typed(self, text: str) -> None:
        self._update_submit_enabled()
        if self.form.code_complete(text):
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
        message = sign_in_error_text(error)
        self.error_banner.show_message(message, "error")
        then = after_failure(error, on_code_step=self.on_code_step and self.code is not None)
        if then is AfterFailure.BACK_TO_PASSWORD:
            # Either way the code step is over (a lockout ends it): back to the password.
            self.back_to_password()
            self.error_banner.show_message(message, "error")
        elif then is AfterFailure.RETRY_CODE and self.code is not None:
            self.code.selectAll()
            self.code.setFocus()
        elif then is AfterFailure.RETRY_PASSWORD:
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

    def load_remembered_username(self) -> None:
        """Fill in the user name saved at the last sign-in (keyring, off the GUI thread)."""
        self.username_memory.load()

    def _remembered_username_read(self, name: str) -> None:
        if name and not self.username.text():
            self.username.setText(name)
            self.password.setFocus()

    def _remember_username(self, username: str | None) -> None:
        self.username_memory.store(username)

    def _show_keyring_notice(self, available: bool) -> None:
        self.keyring_notice.setText(keyring_notice_text(available))
        self.keyring_notice.setVisible(not available)
        self.remember.setEnabled(available)

    # requesting and activating accounts -------------------------------------------

    def open_account_request(self) -> None:
        from portal_client.gui.account_request_dialog import AccountRequestDialog

        dialog = AccountRequestDialog(self.server_url, self._client_factory, self)
        dialog.open()

    def open_activation(self) -> None:
        from portal_client.gui.activation_dialog import ActivationDialog

        dialog = ActivationDialog(
            self.server_url,
            self._client_factory,
            self,
            username=self.username.text().strip(),
        )
        dialog.activated.connect(self._finish)
        dialog.open()
