"""Signing is a deliberate act: the whole prescription, the attestation, the password again.

The dialog shows exactly the body that will be hashed and sent, asks for the password
(or a fresh authenticator code when the account has TOTP), and runs the step-up in the
background. It closes accepted with ``grant`` set; a wrong password keeps it open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.errors import ApiError, NotSignedIn, OutcomeUnknown, ServerUnreachable
from portal_client.core.presentation import attestation_text
from portal_client.gui.busy import busy_bar
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner, muted, section_title

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SigningGrant


def step_up_error_text(error: Exception) -> str:
    if isinstance(error, ApiError) and error.status in (401, 403):
        return QCoreApplication.translate(
            "SignDialog", "That password or code is not right. Try again."
        )
    if isinstance(error, ApiError) and error.status == 429:
        return QCoreApplication.translate(
            "SignDialog", "Too many attempts. Wait a moment, then try again."
        )
    if isinstance(error, ServerUnreachable | OutcomeUnknown):
        return QCoreApplication.translate(
            "SignDialog",
            "The pharmacy server cannot be reached to confirm your signature. Your "
            "prescription is kept as a draft: sign it when the connection is back.",
        )
    if isinstance(error, NotSignedIn):
        return QCoreApplication.translate(
            "SignDialog", "Your session has ended. The prescription is kept as a draft."
        )
    return QCoreApplication.translate("SignDialog", "Signing failed: {error}").format(error=error)


class SignDialog(QDialog):
    """Shows ``summary_html`` (the signed body rendered), the attestation, a credential."""

    def __init__(
        self,
        client: ApiClient,
        body: Mapping[str, Any],
        summary_html: str,
        *,
        use_otp: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.body = dict(body)
        self.use_otp = use_otp
        self.grant: SigningGrant | None = None
        self.session_ended = False
        self._busy = False
        self.setWindowTitle(self.tr("Sign and submit prescription"))
        self.setMinimumSize(660, 740)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        heading = QLabel(self.tr("Review and sign"))
        heading.setObjectName("PageTitle")
        layout.addWidget(heading)
        layout.addWidget(
            muted(self.tr("This is exactly what will be sent to the pharmacy. Check every line."))
        )
        self.summary = QTextBrowser()
        self.summary.setOpenLinks(False)
        self.summary.document().setDocumentMargin(12)
        self.summary.setHtml(summary_html)
        self.summary.setAccessibleName(self.tr("Prescription to sign"))
        layout.addWidget(self.summary, 1)

        layout.addWidget(self._build_attestation())

        label = self.tr("Authenticator code") if use_otp else self.tr("Your password")
        layout.addWidget(
            QLabel(self.tr("<b>{label}</b> — to confirm it is you signing").format(label=label))
        )
        self.credential = QLineEdit()
        self.credential.setAccessibleName(label)
        if use_otp:
            self.credential.setPlaceholderText(self.tr("6-digit code from your authenticator app"))
            self.credential.setMaxLength(10)
        else:
            self.credential.setPlaceholderText(self.tr("Password"))
            self.credential.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.credential)
        self.error = Banner()
        layout.addWidget(self.error)

        layout.addLayout(self._build_buttons())
        self.buttons.accepted.connect(self.sign)
        self.buttons.rejected.connect(self.reject)
        self.credential.textChanged.connect(lambda _t: self._update())
        self.credential.textEdited.connect(lambda _t: self.error.clear())
        # Read, then confirm it is you, then sign: the primary action right after.
        set_focus_chain([self.summary, self.credential, self.sign_button, self.cancel_button])
        self.credential.setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_buttons(self) -> QHBoxLayout:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText(self.tr("Sign and submit"))
        self.sign_button.setObjectName("Primary")
        self.sign_button.setMinimumHeight(34)
        self.sign_button.setEnabled(False)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        # Busy while the pharmacy answers; no Cancel: the signature may already count.
        self.busy_bar = busy_bar()
        row = QHBoxLayout()
        row.addWidget(self.busy_bar)
        row.addWidget(self.buttons, 1)
        return row

    def _build_attestation(self) -> QFrame:
        box = QFrame()
        box.setObjectName("WarnBanner")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(12, 10, 12, 10)
        inner.addWidget(section_title(self.tr("Attestation")))
        self.attestation = QLabel(attestation_text())
        self.attestation.setWordWrap(True)
        inner.addWidget(self.attestation)
        return box

    def _update(self) -> None:
        self.sign_button.setEnabled(bool(self.credential.text().strip()) and not self._busy)

    def sign(self) -> None:
        """Step up in the background for the hash of exactly this body."""
        if self._busy or not self.credential.text().strip():
            return
        from pharmacy_domain.canonical import signing_sha256

        secret = self.credential.text().strip() if self.use_otp else self.credential.text()
        content_sha256 = signing_sha256(self.body)
        client = self.client
        use_otp = self.use_otp

        def step_up() -> SigningGrant:
            if use_otp:
                return client.step_up(content_sha256, otp=secret)
            return client.step_up(content_sha256, password=secret)

        self._busy = True
        self._update()
        self.sign_button.setText(self.tr("Signing…"))
        self.busy_bar.show()
        self.cancel_button.setEnabled(False)
        self.error.clear()
        Op(self, step_up).success(self._signed).failure(self._failed).finally_(self._idle).run()

    def _idle(self) -> None:
        self._busy = False
        self.sign_button.setText(self.tr("Sign and submit"))
        self.busy_bar.hide()
        self.cancel_button.setEnabled(True)
        self._update()

    def _signed(self, grant: SigningGrant) -> None:
        self.grant = grant
        self.credential.clear()  # the password leaves memory as soon as it is used
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.credential.clear()
        self.error.show_message(step_up_error_text(error), "error")
        if isinstance(error, NotSignedIn):
            self.session_ended = True
            self.reject()
        else:
            self.credential.setFocus()
