"""Changing one's password (account menu). The server then signs out every session of
the account, so the window asks its user to sign in again with the new password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.text_limits import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from portal_client.core import accounts
from portal_client.core.errors import ApiError, PortalError
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner, muted, set_invalid

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser


def password_field(accessible_name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible_name)
    return field  # paste stays allowed (NIST 800-63B): password managers need it


class NewPasswordFields(QWidget):
    """New password twice, with what is wrong said as the user types."""

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.username = username
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.new = password_field(self.tr("New password"))
        self.new.setMaxLength(PASSWORD_MAX_LENGTH + 64)  # longer is refused with a reason
        self.confirm = password_field(self.tr("Repeat the new password"))
        self.problem = QLabel()
        self.problem.setObjectName("Hint")
        self.problem.setWordWrap(True)
        layout.addRow(self.tr("New password"), self.new)
        layout.addRow(self.tr("Repeat it"), self.confirm)
        layout.addRow("", self.problem)
        self.new.textChanged.connect(self.update_problem)
        self.confirm.textChanged.connect(self.update_problem)
        self.update_problem()

    def current_problem(self) -> str | None:
        problem = accounts.password_problem(self.new.text(), self.username)
        if problem is not None:
            return problem
        if self.confirm.text() != self.new.text():
            return (
                self.tr("The two entries differ.")
                if self.confirm.text()
                else self.tr("Repeat the password.")
            )
        return None

    def update_problem(self) -> None:
        problem = self.current_problem()
        typed = bool(self.new.text())
        if problem is None:
            self.problem.setObjectName("Hint")
            self.problem.setText(
                self.tr("✓ Good. Any characters work; a few unrelated words are easy to remember.")
            )
        else:
            self.problem.setObjectName("FieldError" if typed else "Hint")
            self.problem.setText(
                problem
                if typed
                else self.tr(
                    "At least {minimum} characters. No rules about symbols or "
                    "digits: a phrase of a few unrelated words is strong and easy to "
                    "remember."
                ).format(minimum=PASSWORD_MIN_LENGTH)
            )
        self.problem.style().unpolish(self.problem)
        self.problem.style().polish(self.problem)
        set_invalid(
            self.new,
            typed and accounts.password_problem(self.new.text(), self.username) is not None,
        )

    def show_server_problems(self, error: ApiError) -> None:
        reasons = [e.reason for e in error.field_errors if e.field in ("new_password", "password")]
        self.problem.setObjectName("FieldError")
        self.problem.style().unpolish(self.problem)
        self.problem.style().polish(self.problem)
        self.problem.setText(
            self.tr("The pharmacy refused this password: it {reasons}.").format(
                reasons="; it ".join(reasons)
            )
            if reasons
            else str(error)
        )
        set_invalid(self.new, True)

    @property
    def value(self) -> str:
        return self.new.text()


class PasswordDialog(QDialog):
    """Signals: changed(): the new password is in force (and every session has ended)."""

    changed = Signal()

    def __init__(
        self, client: ApiClient, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.setWindowTitle(self.tr("Change password"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(QLabel(self.tr("<b>Change your password</b>")))
        layout.addWidget(
            muted(
                self.tr(
                    "Every place where you are signed in, this one included, is signed out "
                    "afterwards; you then sign in again with the new password."
                )
            )
        )
        form = QFormLayout()
        self.current = password_field(self.tr("Current password"))
        form.addRow(self.tr("Current password"), self.current)
        layout.addLayout(form)
        self.fields = NewPasswordFields(user.username)
        layout.addWidget(self.fields)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Change password"))
        self.ok.setObjectName("Primary")
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for field in (self.current, self.fields.new, self.fields.confirm):
            field.textChanged.connect(self._update)
        self._busy = False
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(
            not self._busy and bool(self.current.text()) and self.fields.current_problem() is None
        )

    def submit(self) -> None:
        if not self.ok.isEnabled():
            return
        client, current, new = self.client, self.current.text(), self.fields.value
        self._busy = True
        self._update()
        self.banner.clear()

        def done(_result: object) -> None:
            self.changed.emit()
            self.accept()

        def failed(error: Exception) -> None:
            if isinstance(error, ApiError) and error.status == 422:
                self.fields.show_server_problems(error)
            elif isinstance(error, PortalError):
                self.banner.show_message(str(error), "error")
                if isinstance(error, accounts.SignInRefused):
                    self.current.selectAll()
                    self.current.setFocus()
            else:
                self.banner.show_message(
                    self.tr("Unexpected problem ({name}).").format(name=error.__class__.__name__)
                )

        def finished() -> None:
            self._busy = False
            self._update()

        Op(self, lambda: accounts.change_password(client, current, new)).success(done).failure(
            failed
        ).finally_(finished).run()
