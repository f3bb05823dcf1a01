"""Small dialogs. Each has an ``ask`` classmethod returning plain values, so screens
(and their tests, which monkeypatch ``ask``) never deal with dialog objects."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.status import MAX_NOTE_LENGTH
from portal_client.gui.widgets import muted

MIN_REASON_LENGTH = 5


class RejectDialog(QDialog):
    """Ask the pharmacist why a prescription is rejected (the prescriber will read it)."""

    def __init__(self, reference: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Reject {reference}")
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        heading = QLabel(f"<b>Reject prescription {reference}?</b>")
        layout.addWidget(heading)
        layout.addWidget(
            muted(
                "The prescriber sees this reason. Say what must change for "
                "the pharmacy to accept it."
            )
        )
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(
            "e.g. Magnesium exceeds the peripheral limit; "
            "please reduce to 2 g or order central access."
        )
        self.reason.setAccessibleName("Reason for rejection")
        layout.addWidget(self.reason)
        self.length_error = QLabel()
        self.length_error.setObjectName("FieldError")
        self.length_error.hide()
        layout.addWidget(self.length_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.reject_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.reject_button.setText("Reject prescription")
        self.reject_button.setObjectName("Danger")
        self.reject_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._update)

    def _update(self) -> None:
        length = len(self.reason.toPlainText().strip())
        over = length - MAX_NOTE_LENGTH
        # Said while typing, so the pharmacist shortens it here rather than losing it to a 422.
        self.length_error.setText(
            f"{over:,} characters too long: a reason holds at most {MAX_NOTE_LENGTH:,}."
            if over > 0
            else ""
        )
        self.length_error.setVisible(over > 0)
        self.reject_button.setEnabled(MIN_REASON_LENGTH <= length <= MAX_NOTE_LENGTH)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    @classmethod
    def ask(cls, reference: str, parent: QWidget | None = None) -> str | None:
        """The reason, or ``None`` if the pharmacist changed their mind."""
        dialog = cls(reference, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.reason_text()
        return None
