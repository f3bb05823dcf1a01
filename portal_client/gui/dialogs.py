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
        self.reject_button.setEnabled(len(self.reason.toPlainText().strip()) >= MIN_REASON_LENGTH)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    @classmethod
    def ask(cls, reference: str, parent: QWidget | None = None) -> str | None:
        """The reason, or ``None`` if the pharmacist changed their mind."""
        dialog = cls(reference, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.reason_text()
        return None
