"""Field clarifications on the review screens (issue 12).

The pharmacist's "Ask about a field…" (``AskAboutFieldDialog``): a field of the order, the
proposed value in its unit, and a message. The prescriber sees the proposal beside the
original value with "Accept and re-sign" (the sign dialog over the changed order, with the
server's checks run on it) and "Answer in words" (the usual answer). Once accepted, the
order shows its version with the differences from the one before, old values struck
through, and earlier versions can be picked.

``FieldClarifications`` adds all of it to a role window's browser; the decisions are
``portal_client.core.version_diff``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.field_proposals import ProposableField, current_value, shown_value
from pharmacy_domain.status import PrescriptionStatus
from portal_client.core.api_client import history_length
from portal_client.core.version_diff import (
    ContentMismatch,
    accepted_body,
    fields_to_ask_about,
    local_template,
    proposal_html,
    resign_summary_html,
    version_html,
)
from portal_client.core.version_wire import FieldProposalWire, PrescriptionVersionsWire
from portal_client.core.wire import PrescriptionWire, ValidationWire
from portal_client.gui.ops import Op
from portal_client.gui.sign_dialog import SignDialog
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner, muted, section_title

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SigningGrant
    from portal_client.gui.action_dialog import LifecycleActions
    from portal_client.gui.list_view import PrescriptionBrowser
    from portal_client.gui.main_window import PortalMainWindow


def _error_text(error: Exception) -> str:
    """The server's words (its detail and each field's reason), else the error's own."""
    return str(error)


class AskAboutFieldDialog(QDialog):
    """Propose a value for one field of ``item`` with a message; ``proposed`` on success."""

    proposed = Signal(object)

    def __init__(
        self,
        client: ApiClient,
        item: PrescriptionWire,
        fields: list[ProposableField],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.item = item
        self.fields = fields
        self.setWindowTitle(self.tr("Ask about a field"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title(self.tr("Ask the prescriber about one field")))
        form = QFormLayout()
        self.field_box = guard_wheel(QComboBox())
        self.field_box.setAccessibleName(self.tr("Field"))
        for field in fields:
            self.field_box.addItem(field.label, field.path)
        form.addRow(self.tr("Field"), self.field_box)
        self.current = QLabel()
        form.addRow(self.tr("Now"), self.current)
        value_row = QHBoxLayout()
        self.value_edit = QLineEdit()
        self.value_edit.setAccessibleName(self.tr("Proposed value"))
        self.choice_box = guard_wheel(QComboBox())
        self.choice_box.setAccessibleName(self.tr("Proposed value"))
        self.unit = QLabel()
        value_row.addWidget(self.value_edit, 1)
        value_row.addWidget(self.choice_box, 1)
        value_row.addWidget(self.unit)
        form.addRow(self.tr("Proposed value"), value_row)
        self.limits = muted("", hint=True)
        form.addRow("", self.limits)
        self.message = QPlainTextEdit()
        self.message.setAccessibleName(self.tr("Message for the prescriber"))
        self.message.setPlaceholderText(self.tr("Why you propose it"))
        self.message.setFixedHeight(90)
        form.addRow(self.tr("Message"), self.message)
        layout.addLayout(form)
        self.error = Banner()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText(self.tr("Send the question"))
        self.send_button.setObjectName("Primary")
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field_box.currentIndexChanged.connect(lambda _i: self._field_changed())
        self._field_changed()

    @property
    def field(self) -> ProposableField | None:
        index = self.field_box.currentIndex()
        return self.fields[index] if 0 <= index < len(self.fields) else None

    def _field_changed(self) -> None:
        field = self.field
        if field is None:
            return
        body = self.item.body()
        self.current.setText(shown_value(current_value(body, field.path), field.unit))
        choice = field.kind == "choice"
        self.value_edit.setVisible(not choice)
        self.choice_box.setVisible(choice)
        self.unit.setText(field.unit)
        self.choice_box.clear()
        for option in field.choices:
            self.choice_box.addItem(option, option)
        if choice:
            self.limits.setText("")
        else:
            self.limits.setText(
                self.tr("From {low} to {high} {unit}").format(
                    low=shown_value(field.minimum), high=shown_value(field.maximum), unit=field.unit
                )
            )

    def value(self) -> float | str | None:
        field = self.field
        if field is None:
            return None
        if field.kind == "choice":
            return str(self.choice_box.currentData())
        try:
            return float(self.value_edit.text().strip().replace(",", "."))
        except ValueError:
            return None

    def send(self) -> None:
        field, value = self.field, self.value()
        message = self.message.toPlainText().strip()
        if field is None or value is None:
            self.error.show_message(self.tr("Type the proposed value as a number."), "error")
            return
        if not message:
            self.error.show_message(self.tr("Write a message for the prescriber."), "error")
            return
        client, item = self.client, self.item
        steps = history_length(self.item) or None
        self.send_button.setEnabled(False)
        Op(
            self,
            lambda: client.propose_change(item.id, field.path, value, message, seen_steps=steps),
        ).success(self._sent).failure(self._failed).finally_(
            lambda: self.send_button.setEnabled(True)
        ).run()

    def _sent(self, updated: PrescriptionWire) -> None:
        self.proposed.emit(updated)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.error.show_message(_error_text(error), "error")


class FieldClarifications(QObject):
    """The proposal and version panel of a role window's browser, and its buttons."""

    def __init__(
        self,
        window: PortalMainWindow,
        browser: PrescriptionBrowser,
        lifecycle: LifecycleActions,
        banner: Banner,
        *,
        role: str,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.browser = browser
        self.lifecycle = lifecycle
        self.banner = banner
        self.role = role
        self.versions: PrescriptionVersionsWire | None = None
        self.item: PrescriptionWire | None = None
        self.dialog: AskAboutFieldDialog | None = None
        self.sign_dialog: SignDialog | None = None
        self._shown_key: tuple[str, int, int] | None = None
        self._build_panel()
        self.ask_button = QPushButton(self.tr("Ask about a field…"))
        self.ask_button.setToolTip(
            self.tr("Propose a value for one field of the order, with a message")
        )
        self.ask_button.setMinimumHeight(34)
        self.ask_button.hide()
        if role == "pharmacist":
            browser.detail_actions.addWidget(self.ask_button)
        self.ask_button.clicked.connect(self.ask_about_field)
        browser.rendered.connect(self._rendered)

    def _build_panel(self) -> None:
        self.panel = QFrame()
        self.panel.setObjectName("Card")
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(12, 10, 12, 10)
        top = QHBoxLayout()
        self.title = section_title("")
        top.addWidget(self.title, 1)
        self.version_box = guard_wheel(QComboBox())
        self.version_box.setAccessibleName(self.tr("Version shown"))
        top.addWidget(self.version_box)
        layout.addLayout(top)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setMaximumHeight(170)
        self.text.setAccessibleName(self.tr("Proposed change and versions"))
        layout.addWidget(self.text)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.answer_button = QPushButton(self.tr("Answer in words"))
        self.accept_button = QPushButton(self.tr("Accept and re-sign"))
        self.accept_button.setObjectName("Primary")
        buttons.addWidget(self.answer_button)
        buttons.addWidget(self.accept_button)
        layout.addLayout(buttons)
        self.answer_button.clicked.connect(self.answer_in_words)
        self.accept_button.clicked.connect(self.accept_and_resign)
        self.version_box.currentIndexChanged.connect(lambda _i: self._show_version())
        index = self.browser.right_layout.indexOf(self.browser.detail)
        self.browser.right_layout.insertWidget(index + 1, self.panel)
        self.panel.hide()

    # ------------------------------------------------------------------ showing

    def _rendered(self, item: PrescriptionWire | None) -> None:
        self.item = item
        self.ask_button.setVisible(
            item is not None
            and self.role == "pharmacist"
            and item.status is PrescriptionStatus.SUBMITTED
            and bool(fields_to_ask_about(item))
        )
        if item is None:
            self._shown_key = None
            self.panel.hide()
            return
        key = (item.id, item.version, history_length(item) or 0)
        if key == self._shown_key:
            return
        self._shown_key = key
        if item.version <= 1 and item.status is not PrescriptionStatus.NEEDS_CLARIFICATION:
            self.versions = None
            self.panel.hide()
            return
        client, wanted = self.window.client, item.id
        self.window.run(
            lambda: client.prescription_versions(wanted),
            lambda versions: self._arrived(wanted, versions),
            lambda error: self.banner.show_message(_error_text(error), "error"),
        )

    def _arrived(self, wanted: str, versions: PrescriptionVersionsWire) -> None:
        item = self.item
        if item is None or item.id != wanted:
            return  # another order was opened meanwhile
        self.versions = versions
        proposal = versions.open_proposal
        asking = proposal is not None and item.status is PrescriptionStatus.NEEDS_CLARIFICATION
        if not asking and versions.latest <= 1:
            self.panel.hide()
            return
        prescriber_asked = asking and self.role == "prescriber"
        self.accept_button.setVisible(prescriber_asked)
        self.answer_button.setVisible(prescriber_asked)
        self.version_box.blockSignals(True)
        self.version_box.clear()
        for version in reversed(versions.versions):
            self.version_box.addItem(
                self.tr("Version {number}").format(number=version.number), version.number
            )
        self.version_box.blockSignals(False)
        self.version_box.setVisible(versions.latest > 1)
        self._show_version()
        self.panel.show()

    def _show_version(self) -> None:
        versions, item = self.versions, self.item
        if versions is None or item is None:
            return
        proposal = versions.open_proposal
        parts = []
        if proposal is not None and item.status is PrescriptionStatus.NEEDS_CLARIFICATION:
            self.title.setText(self.tr("Proposed change"))
            parts.append(proposal_html(proposal))
        else:
            self.title.setText(self.tr("Version {number}").format(number=versions.latest))
        if versions.latest > 1:
            number = self.version_box.currentData() or versions.latest
            template = local_template(item.template_id, item.template_version)
            parts.append(version_html(versions, int(number), template))
        self.text.setHtml("".join(parts))

    # ------------------------------------------------------------------ pharmacist

    def ask_about_field(self) -> AskAboutFieldDialog | None:
        item = self.item
        if item is None or item.status is not PrescriptionStatus.SUBMITTED:
            return None
        dialog = AskAboutFieldDialog(
            self.window.client, item, fields_to_ask_about(item), self.window
        )
        dialog.proposed.connect(self._proposed)
        self.dialog = dialog
        dialog.show()
        return dialog

    def _proposed(self, updated: PrescriptionWire) -> None:
        self.banner.show_message(
            self.tr("The question about {reference} was sent to the prescriber.").format(
                reference=updated.reference
            ),
            "info",
        )
        self.lifecycle.acted.emit("request_clarification", updated)

    # ------------------------------------------------------------------ prescriber

    def answer_in_words(self) -> None:
        if self.item is not None:
            self.lifecycle.open_dialog("answer_clarification", self.item)

    def accept_and_resign(self) -> None:
        """The server's checks on the changed order first, then the sign dialog over it."""
        item, versions = self.item, self.versions
        if item is None or versions is None or versions.open_proposal is None:
            return
        try:
            body = accepted_body(item, versions)
        except ContentMismatch:
            self.banner.show_message(
                self.tr("This order changed since it was shown. Refresh and look again."),
                "error",
            )
            return
        proposal = versions.open_proposal
        client = self.window.client
        self.accept_button.setEnabled(False)
        self.window.run(
            lambda: client.validate_prescription(body),
            lambda checks: self._sign(item, proposal, body, checks),
            lambda error: self.banner.show_message(_error_text(error), "error"),
            lambda: self.accept_button.setEnabled(True),
        )

    def _sign(
        self,
        item: PrescriptionWire,
        proposal: FieldProposalWire,
        body: dict[str, object],
        checks: ValidationWire,
    ) -> None:
        if checks.blocked:
            self.banner.show_message(
                self.tr(
                    "The pharmacy server's checks block the changed order; answer in words instead."
                ),
                "error",
            )
            return
        template = local_template(item.template_id, item.template_version)
        summary = resign_summary_html(item.body(), body, checks.findings, template)
        user = self.window.client.user
        dialog = SignDialog(
            self.window.client,
            body,
            summary,
            use_otp=bool(user and user.mfa_enrolled),
            parent=self.window,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setWindowTitle(self.tr("Accept the change and sign again"))
        self.sign_dialog = dialog

        def finished(_code: int) -> None:
            grant = dialog.grant
            self.sign_dialog = None
            dialog.deleteLater()
            if grant is not None:
                self._send_acceptance(item, proposal, grant)

        dialog.finished.connect(finished)
        dialog.show()

    def _send_acceptance(
        self, item: PrescriptionWire, proposal: FieldProposalWire, grant: SigningGrant
    ) -> None:
        client = self.window.client
        self.window.run(
            lambda: client.accept_change(item.id, proposal.id, grant.signing_token),
            self._accepted,
            lambda error: self.banner.show_message(_error_text(error), "error"),
        )

    def _accepted(self, updated: PrescriptionWire) -> None:
        self.banner.show_message(
            self.tr("Version {number} of {reference} is signed and back with the pharmacy.").format(
                number=updated.version, reference=updated.reference
            ),
            "info",
        )
        self.lifecycle.acted.emit("answer_clarification", updated)
