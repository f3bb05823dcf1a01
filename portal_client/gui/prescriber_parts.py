"""Parts of the prescriber's window: the outbox's bridge to the GUI thread, the actions
under a sent prescription, and signing a refused signature again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QBoxLayout, QPushButton

from portal_client.gui import resources

if TYPE_CHECKING:
    from portal_client.core.api_client import SigningGrant
    from portal_client.gui.composing_window import ComposingWindow


class OutboxBridge(QObject):
    """Emitted from the outbox worker thread; connected slots run on the GUI thread."""

    changed = Signal(object)


class PrescriptionActions:
    """Answer the pharmacist's question, or cancel: shown when the status offers them."""

    def __init__(self, layout: QBoxLayout) -> None:
        self.cancel_button = QPushButton(
            QCoreApplication.translate("PrescriptionActions", " Cancel prescription…")
        )
        self.cancel_button.setObjectName("Danger")
        self.cancel_button.setIcon(resources.icon("x"))
        self.cancel_button.setToolTip(
            QCoreApplication.translate(
                "PrescriptionActions", "Ask the pharmacy not to prepare it (a reason is required)"
            )
        )
        self.answer_button = QPushButton(
            QCoreApplication.translate("PrescriptionActions", " Answer the pharmacist…")
        )
        self.answer_button.setObjectName("Primary")
        self.answer_button.setIcon(resources.icon("send"))
        for button in (self.cancel_button, self.answer_button):
            button.setMinimumHeight(34)
            button.hide()
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.answer_button)

    def show_offered(self, offered: set[str], *, busy: bool) -> None:
        """``offered``: the action names the prescription's status allows the prescriber."""
        self.answer_button.setVisible("answer_clarification" in offered)
        self.cancel_button.setVisible("cancel" in offered)
        for button in (self.answer_button, self.cancel_button):
            button.setEnabled(not busy)


def open_sign_again(
    window: ComposingWindow,
    body: dict[str, Any],
    signed: Callable[[SigningGrant], None],
) -> None:
    """The sign dialog for a body whose signature the pharmacy refused (expired);
    ``signed`` gets the new grant (nothing happens when the user cancels)."""
    from portal_client.core.presentation import sign_summary_html
    from portal_client.gui.sign_dialog import SignDialog

    template = next((t for t in window.templates if t.id == body.get("template_id")), None)
    summary = sign_summary_html(
        body,
        template_name=template.name if template else str(body.get("template_id")),
        ingredient_names=window.names,
        computed={},
        nutrition=False,
    )
    dialog = SignDialog(
        window.client, body, summary, use_otp=window.user.mfa_enrolled, parent=window
    )

    def finished(_code: int) -> None:
        grant = dialog.grant
        dialog.deleteLater()
        if grant is not None:
            signed(grant)

    dialog.finished.connect(finished)
    dialog.open()
