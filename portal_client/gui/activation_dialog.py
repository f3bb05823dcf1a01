"""Activate an approved account: the e-mailed code and a new password, then the
authenticator (QR code, or the key typed by hand) confirmed by its first code.

The authenticator key is shown once and cannot be selected or copied: a key in the
clipboard (and its history or cloud sync) would be a second factor lying about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client.core import accounts
from portal_client.core.errors import ApiError, PortalError
from portal_client.gui.lock_screen import code_field
from portal_client.gui.ops import Op
from portal_client.gui.password_dialog import NewPasswordFields
from portal_client.gui.widgets import Banner, muted, section_title

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient

QUIET_ZONE_MODULES = 4  # the white border scanners need (ISO/IEC 18004)


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of ``text`` as rows of dark (True) and light modules, without border."""
    import segno

    code = segno.make(text, error="m", micro=False)
    return [[bool(module) for module in row] for row in code.matrix]


class QrCode(QWidget):
    """Paints a QR code crisply at any size (whole pixels per module)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix: list[list[bool]] = []
        self.setMinimumSize(QSize(196, 196))
        self.setAccessibleName(self.tr("QR code for the authenticator app"))
        if text:
            self.set_text(text)

    def set_text(self, text: str) -> None:
        self.matrix = qr_matrix(text)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(220, 220)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        side = min(self.width(), self.height())
        painter.fillRect(self.rect(), QColor("#FFFFFF"))
        if not self.matrix:
            return
        modules = len(self.matrix) + 2 * QUIET_ZONE_MODULES
        cell = max(1, side // modules)
        offset_x = (self.width() - cell * modules) // 2 + cell * QUIET_ZONE_MODULES
        offset_y = (self.height() - cell * modules) // 2 + cell * QUIET_ZONE_MODULES
        dark = QColor("#102A43")
        for y, row in enumerate(self.matrix):
            for x, is_dark in enumerate(row):
                if is_dark:
                    painter.fillRect(
                        QRectF(offset_x + x * cell, offset_y + y * cell, cell, cell), dark
                    )
        painter.end()


class ActivationDialog(QDialog):
    """Signals: activated(client, user): the account is active and signed in."""

    activated = Signal(object, object)

    def __init__(
        self,
        server_url: str,
        client_factory: Callable[[str], ApiClient],
        parent: QWidget | None = None,
        *,
        username: str = "",
    ) -> None:
        super().__init__(parent)
        self.server_url = server_url
        self._client_factory = client_factory
        self._client: ApiClient | None = None
        self._enrollment: accounts.Enrollment | None = None
        self._busy = False
        self.setWindowTitle(self.tr("Activate your account"))
        self.setMinimumWidth(560)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages)
        self.pages.addWidget(self._build_password_page(username))
        self.pages.addWidget(self._build_enrollment_page())
        self.banner = Banner()
        outer.addWidget(self.banner)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.next_button = QPushButton(self.tr("Continue"))
        self.next_button.setObjectName("Primary")
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        outer.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.next_button.clicked.connect(self.advance)
        self._update()

    # ------------------------------------------------------------- pages

    def _build_password_page(self, username: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        heading = QLabel(self.tr("Activate your account"))
        heading.setObjectName("PageTitle")
        layout.addWidget(heading)
        layout.addWidget(
            muted(
                self.tr(
                    "Step 1 of 2: enter the activation code from the pharmacy's e-mail and "
                    "choose your password."
                )
            )
        )
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setAccessibleName(self.tr("User name"))
        self.code = QLineEdit()
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX")
        self.code.setAccessibleName(self.tr("Activation code"))
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Activation code"), self.code)
        layout.addLayout(form)
        layout.addWidget(section_title(self.tr("Your password")))
        self.password_fields = NewPasswordFields(username)
        layout.addWidget(self.password_fields)
        for field in (self.username, self.code, self.password_fields.new):
            field.textChanged.connect(self._update)
        self.password_fields.confirm.textChanged.connect(self._update)
        self.username.textChanged.connect(self._username_changed)
        return page

    def _build_enrollment_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        heading = QLabel(self.tr("Link your authenticator app"))
        heading.setObjectName("PageTitle")
        layout.addWidget(heading)
        layout.addWidget(
            muted(
                self.tr(
                    "Step 2 of 2: open an authenticator app on your phone (Google "
                    "Authenticator, Microsoft Authenticator, or similar), add an account "
                    "and scan this code. The portal asks for the app's 6-digit code at "
                    "every sign-in."
                )
            )
        )
        row = QHBoxLayout()
        self.qr = QrCode()
        self.qr.setFixedSize(220, 220)
        row.addWidget(self.qr)
        side = QVBoxLayout()
        side.addWidget(section_title(self.tr("Can't scan it?")))
        side.addWidget(muted(self.tr("Choose “enter a setup key” in the app and type:"), hint=True))
        self.secret_label = QLabel()
        self.secret_label.setObjectName("SecretKey")
        self.secret_label.setStyleSheet(
            "font-family: monospace; font-size: 12pt; background: #F0F4F8;"
            "border-radius: 6px; padding: 8px;"
        )
        self.secret_label.setWordWrap(True)
        # Never selectable, so never copied into a clipboard history (checklist F6).
        self.secret_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.secret_label.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        side.addWidget(self.secret_label)
        side.addWidget(muted(self.tr("Time-based, 6 digits, every 30 seconds."), hint=True))
        side.addSpacing(8)
        side.addWidget(QLabel(self.tr("<b>Code shown by the app</b>")))
        self.first_code = code_field()
        side.addWidget(self.first_code)
        side.addStretch(1)
        row.addLayout(side, 1)
        layout.addLayout(row)
        self.first_code.textChanged.connect(self._update)
        self.first_code.returnPressed.connect(self.advance)
        return page

    # ------------------------------------------------------------- state

    @property
    def on_enrollment(self) -> bool:
        return self.pages.currentIndex() == 1

    def _username_changed(self, text: str) -> None:
        self.password_fields.username = text.strip()
        self.password_fields.update_problem()

    def _update(self) -> None:
        if self.on_enrollment:
            ready = len(accounts.clean_code(self.first_code.text())) == 6
            self.next_button.setText(
                self.tr("Checking…") if self._busy else self.tr("Activate and sign in")
            )
        else:
            ready = (
                bool(self.username.text().strip())
                and bool(self.code.text().strip())
                and self.password_fields.current_problem() is None
            )
            self.next_button.setText(self.tr("Checking…") if self._busy else self.tr("Continue"))
        self.next_button.setEnabled(ready and not self._busy)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update()

    def advance(self) -> None:
        if not self.next_button.isEnabled():
            return
        if self.on_enrollment:
            self._confirm()
        else:
            self._start()

    def _start(self) -> None:
        username = self.username.text().strip()
        code, password = self.code.text(), self.password_fields.value
        url, factory = self.server_url, self._client_factory
        self.banner.clear()
        self._set_busy(True)

        def work() -> tuple[ApiClient, accounts.Enrollment]:
            client = factory(url)
            try:
                return client, accounts.start_activation(client, username, code, password)
            except BaseException:
                client.close()
                raise

        Op(self, work).success(self._show_enrollment).failure(self._failed).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _show_enrollment(self, result: tuple[ApiClient, accounts.Enrollment]) -> None:
        self._client, self._enrollment = result
        self.qr.set_text(self._enrollment.otpauth_uri)
        self.secret_label.setText(self._enrollment.grouped_secret)
        self.username.setEnabled(False)
        self.pages.setCurrentIndex(1)
        self.first_code.setFocus()
        self._update()

    def _confirm(self) -> None:
        assert self._client is not None
        client, username = self._client, self.username.text().strip()
        code, otp = self.code.text(), self.first_code.text()
        self.banner.clear()
        self._set_busy(True)

        def work() -> object:
            return accounts.confirm_activation(client, username, code, otp)

        def done(user: object) -> None:
            self.password_fields.new.clear()
            self.password_fields.confirm.clear()
            self._client = None
            self.activated.emit(client, user)
            self.accept()

        Op(self, work).success(done).failure(self._failed).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ApiError) and error.status == 422 and error.field_errors:
            self.password_fields.show_server_problems(error)
            self.banner.show_message(error.with_reference(error.message), "error")
        elif isinstance(error, PortalError):
            self.banner.show_message(str(error), "error")
        else:
            self.banner.show_message(
                self.tr("Unexpected problem ({name}).").format(name=error.__class__.__name__)
            )
        if self.on_enrollment:
            self.first_code.selectAll()
            self.first_code.setFocus()

    def done(self, result: int) -> None:
        if self._client is not None:  # cancelled after step 1: nothing took effect
            self._client.close()
            self._client = None
        super().done(result)
