"""Request an account (from the sign-in window): who you are, your clinic, NPI and licence.

Every field says what is wrong as it is typed (the NPI and DEA check digits included),
so the request reaches the pharmacy complete. It then waits for pharmacy staff to
check the licence and approve it; the activation code comes by e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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

from pharmacy_domain.identifiers import DEA_LENGTH, NPI_LENGTH
from portal_client.core import accounts
from portal_client.core.errors import ApiError, PortalError
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.ops import Op
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner, muted, section_title, set_invalid

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,149}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$")


class CheckedField(QWidget):
    """A line edit with its own message line: a problem in red, or a quiet confirmation."""

    def __init__(
        self,
        check: Callable[[str], str | None],
        *,
        placeholder: str = "",
        ok_text: str = "",
        accessible_name: str = "",
    ) -> None:
        super().__init__()
        self._check = check
        self._ok_text = ok_text
        self.touched = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(accessible_name or placeholder)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self.edit.textChanged.connect(self._typed)
        self.edit.editingFinished.connect(self._left)

    @property
    def text(self) -> str:
        return self.edit.text().strip()

    def problem(self) -> str | None:
        return self._check(self.edit.text())

    def _typed(self, _text: str) -> None:
        # Say "wrong" while typing only once the field was left, or the value is complete.
        self.refresh(final=self.touched)

    def _left(self) -> None:
        self.touched = True
        self.refresh(final=True)

    def refresh(self, *, final: bool) -> None:
        problem = self.problem()
        if problem is not None and (final or self._complete_enough()):
            self.show_problem(problem)
        elif problem is None and self.text and self._ok_text:
            self._show(self._ok_text, "Hint")
            set_invalid(self.edit, False)
        else:
            self.message.hide()
            set_invalid(self.edit, False)

    def _complete_enough(self) -> bool:
        return len(self.text) >= self.edit.maxLength() > 0 and self.edit.maxLength() < 100

    def show_problem(self, text: str) -> None:
        self._show(text, "FieldError")
        set_invalid(self.edit, True)

    def _show(self, text: str, name: str) -> None:
        self.message.setObjectName(name)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()


def _required(what: str) -> Callable[[str], str | None]:
    return lambda text: (
        None
        if text.strip()
        else QCoreApplication.translate("AccountRequestDialog", "Enter {what}.").format(what=what)
    )


def username_problem(text: str) -> str | None:
    if not text.strip():
        return QCoreApplication.translate("AccountRequestDialog", "Choose a user name.")
    if not USERNAME_PATTERN.match(text.strip()):
        return QCoreApplication.translate(
            "AccountRequestDialog",
            "3 characters or more: letters, digits, dot, dash or underscore, starting "
            "with a letter or digit.",
        )
    return None


def email_problem(text: str) -> str | None:
    if not text.strip():
        return QCoreApplication.translate(
            "AccountRequestDialog", "Enter the e-mail address where the activation code should go."
        )
    if not EMAIL_PATTERN.match(text.strip()):
        return QCoreApplication.translate(
            "AccountRequestDialog", "This does not look like an e-mail address."
        )
    return None


def npi_problem(text: str) -> str | None:
    return accounts.npi_problem(text)


class AccountRequestDialog(QDialog):
    def __init__(
        self,
        server_url: str,
        client_factory: Callable[[str], ApiClient],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.server_url = server_url
        self._client_factory = client_factory
        self.setWindowTitle(self.tr("Request an account"))
        self.setMinimumWidth(560)
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.addWidget(self.pages)
        self.pages.addWidget(self._build_form())
        self.pages.addWidget(self._build_done())
        self._busy = False
        self._role_changed()

    # ------------------------------------------------------------- pages

    def _build_form(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        heading = QLabel(self.tr("Request an account"))
        heading.setObjectName("PageTitle")
        layout.addWidget(heading)
        layout.addWidget(
            muted(
                self.tr(
                    "The pharmacy checks your NPI and state licence before approving the "
                    "account; you then receive an activation code by e-mail."
                )
            )
        )

        layout.addLayout(self._build_identity())

        layout.addWidget(self._build_credentials())

        self.banner = Banner()
        layout.addWidget(self.banner)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.send_button = QPushButton(self.tr("Send request"))
        self.send_button.setObjectName("Primary")
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        layout.addLayout(buttons)

        self.role.currentIndexChanged.connect(self._role_changed)
        self.licence_expiry.dateChanged.connect(self._check_expiry)
        self.licence_state.currentIndexChanged.connect(
            lambda: set_invalid(self.licence_state, False)
        )
        self.cancel_button.clicked.connect(self.reject)
        self.send_button.clicked.connect(self.send)
        set_focus_chain(
            [
                *(field.edit for field in (self.display_name, self.username, self.email)),
                self.clinic.edit,
                self.role,
                self.npi.edit,
                self.licence_number.edit,
                self.licence_state,
                self.licence_expiry,
                self.dea.edit,
                self.cancel_button,
                self.send_button,
            ]
        )
        return page

    def _build_identity(self) -> QVBoxLayout:
        layout = QVBoxLayout()
        layout.addWidget(section_title(self.tr("You")))
        you = QFormLayout()
        self.display_name = CheckedField(
            _required(self.tr("your full name")),
            placeholder="Dr Maya Chen",
            accessible_name=self.tr("Full name"),
        )
        self.username = CheckedField(
            username_problem, placeholder="mchen", accessible_name=self.tr("User name")
        )
        self.email = CheckedField(
            email_problem, placeholder="maya.chen@clinic.example", accessible_name=self.tr("E-mail")
        )
        self.clinic = CheckedField(
            _required(self.tr("your clinic")),
            placeholder="Riverside Integrative Health",
            accessible_name=self.tr("Clinic"),
        )
        self.role = guard_wheel(QComboBox())
        self.role.setAccessibleName(self.tr("Role"))
        self.role.addItem(self.tr("Prescriber (physician, NP, PA)"), "prescriber")
        self.role.addItem(self.tr("Clinic staff (prepares drafts, never signs)"), "clinic_staff")
        you.addRow(self.tr("Full name"), self.display_name)
        you.addRow(self.tr("User name"), self.username)
        you.addRow(self.tr("E-mail"), self.email)
        you.addRow(self.tr("Clinic"), self.clinic)
        you.addRow(self.tr("Role"), self.role)
        layout.addLayout(you)
        return layout

    def _build_credentials(self) -> QWidget:
        self.credentials = QWidget()
        creds = QVBoxLayout(self.credentials)
        creds.setContentsMargins(0, 0, 0, 0)
        creds.addWidget(section_title(self.tr("Prescriber credentials")))
        form = QFormLayout()
        self.npi = CheckedField(
            npi_problem,
            placeholder=self.tr("{count} digits").format(count=NPI_LENGTH),
            ok_text=self.tr("✓ Valid NPI"),
            accessible_name="NPI",
        )
        self.npi.edit.setMaxLength(NPI_LENGTH)
        self.licence_number = CheckedField(
            _required(self.tr("the state licence number")),
            placeholder="e.g. A123456",
            accessible_name=self.tr("State licence number"),
        )
        self.licence_state = guard_wheel(QComboBox())
        self.licence_state.addItem(self.tr("Choose…"), "")
        for state in accounts.US_STATES:
            self.licence_state.addItem(state, state)
        self.licence_state.setAccessibleName(self.tr("Licence state"))
        self.licence_expiry = guard_wheel(QDateEdit())
        self.licence_expiry.setCalendarPopup(True)
        self.licence_expiry.setDisplayFormat("yyyy-MM-dd")
        self.licence_expiry.setDate(QDate.currentDate().addYears(1))
        self.licence_expiry.setAccessibleName(self.tr("Licence expiry date"))
        self.expiry_message = QLabel()
        self.expiry_message.setObjectName("FieldError")
        self.expiry_message.hide()
        expiry = QVBoxLayout()
        expiry.setSpacing(2)
        expiry.addWidget(self.licence_expiry)
        expiry.addWidget(self.expiry_message)
        licence_row = QHBoxLayout()
        licence_row.addWidget(self.licence_number, 2)
        licence_row.addWidget(self.licence_state, 1)
        self.dea = CheckedField(
            accounts.dea_problem,
            placeholder=self.tr("Optional: 2 letters and 7 digits"),
            ok_text=self.tr("✓ Valid DEA number"),
            accessible_name=self.tr("DEA number"),
        )
        self.dea.edit.setMaxLength(DEA_LENGTH)
        form.addRow("NPI", self.npi)
        form.addRow(self.tr("State licence"), licence_row)
        form.addRow(self.tr("Licence expires"), expiry)
        form.addRow(self.tr("DEA number"), self.dea)
        creds.addLayout(form)
        return self.credentials

    def _build_done(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        heading = QLabel(self.tr("Request sent"))
        heading.setObjectName("PageTitle")
        layout.addWidget(heading)
        self.done_text = QLabel()
        self.done_text.setWordWrap(True)
        layout.addWidget(self.done_text)
        layout.addStretch(1)
        close = QPushButton(self.tr("Close"))
        close.setObjectName("Primary")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        return page

    # ------------------------------------------------------------- validation

    @property
    def is_prescriber(self) -> bool:
        return self.role.currentData() == "prescriber"

    def _role_changed(self) -> None:
        self.credentials.setVisible(self.is_prescriber)
        self.adjustSize()

    def _check_expiry(self) -> str | None:
        problem = (
            self.tr("This licence has already expired.")
            if self.licence_expiry.date() < QDate.currentDate()
            else None
        )
        self.expiry_message.setText(problem or "")
        self.expiry_message.setVisible(problem is not None)
        set_invalid(self.licence_expiry, problem is not None)
        return problem

    def problems(self) -> list[str]:
        """Show every problem at its field; the list of them (empty: ready to send)."""
        fields = [self.display_name, self.username, self.email, self.clinic]
        if self.is_prescriber:
            fields += [self.npi, self.licence_number, self.dea]
        found: list[str] = []
        for field in fields:
            field.touched = True
            field.refresh(final=True)
            problem = field.problem()
            if problem is not None:
                found.append(problem)
        if self.is_prescriber:
            if not self.licence_state.currentData():
                set_invalid(self.licence_state, True)
                found.append(self.tr("Choose the licence state."))
            expiry_problem = self._check_expiry()
            if expiry_problem:
                found.append(expiry_problem)
        return found

    def to_request(self) -> accounts.AccountRequest:
        prescriber = self.is_prescriber
        return accounts.AccountRequest(
            username=self.username.text,
            display_name=self.display_name.text,
            email=self.email.text,
            clinic=self.clinic.text,
            role="prescriber" if prescriber else "clinic_staff",
            npi=self.npi.text if prescriber else None,
            licence_number=self.licence_number.text if prescriber else None,
            licence_state=(self.licence_state.currentData() or None) if prescriber else None,
            licence_expires_on=self.licence_expiry.date().toString(Qt.DateFormat.ISODate)
            if prescriber
            else None,
            dea_number=(self.dea.text.upper() or None) if prescriber else None,
        )

    # ------------------------------------------------------------- sending

    def send(self) -> None:
        if self._busy:
            return
        problems = self.problems()
        if problems:
            self.banner.show_message(
                self.tr("Please correct the highlighted fields first.")
                if len(problems) > 1
                else self.tr("Please correct the highlighted field first."),
                "error",
            )
            return
        request = self.to_request()
        url, factory = self.server_url, self._client_factory
        self._busy = True
        self.send_button.setEnabled(False)
        self.send_button.setText(self.tr("Sending…"))
        self.banner.clear()

        def work() -> str:
            client = factory(url)
            try:
                return accounts.request_account(client, request)
            finally:
                client.close()

        def finished() -> None:
            self._busy = False
            self.send_button.setEnabled(True)
            self.send_button.setText(self.tr("Send request"))

        Op(self, work).success(lambda _id: self._sent(request)).failure(self._failed).finally_(
            finished
        ).run()

    def _sent(self, request: accounts.AccountRequest) -> None:
        self.done_text.setText(
            self.tr(
                "<p>Your request for the account <b>{username}</b> is waiting for the "
                "pharmacy's approval. Pharmacy staff check your NPI and licence, usually "
                "within one working day.</p><p>When it is approved, an activation code is "
                "e-mailed to <b>{email}</b>. Then choose <b>Activate account</b> in the "
                "sign-in window, set your password and link your authenticator app.</p>"
            ).format(username=_esc(request.username), email=_esc(request.email))
        )
        self.pages.setCurrentIndex(1)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ApiError) and error.field_errors:
            by_name: dict[str, CheckedField] = {
                "display_name": self.display_name,
                "username": self.username,
                "email": self.email,
                "clinic": self.clinic,
                "npi": self.npi,
                "licence_number": self.licence_number,
                "dea_number": self.dea,
            }
            for item in error.field_errors:
                name = item.field.split(".")[-1]
                if name in by_name:
                    by_name[name].show_problem(
                        (item.reason or self.tr("is not accepted")).capitalize()
                    )
                elif name == "licence_expires_on":
                    self.expiry_message.setText(item.reason.capitalize())
                    self.expiry_message.show()
            self.banner.show_message(
                error.with_reference(error.message or self.tr("The pharmacy refused the request."))
            )
        elif isinstance(error, PortalError):
            self.banner.show_message(str(error), "error")
        else:
            self.banner.show_message(
                self.tr("Unexpected problem ({name}).").format(name=error.__class__.__name__)
            )


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
