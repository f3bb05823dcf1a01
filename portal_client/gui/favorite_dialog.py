"""The small dialog that names a favorite: "Save as favorite…" and "Rename…".

The name is checked as typed (the domain's text rules); the save runs through
``gui/ops.py``. A refusal (a name already used, a dose outside the template's limits)
is shown beside the name or under it, and the dialog stays open with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.favorites import InvalidFavorite, check_favorite_name
from pharmacy_domain.text_limits import MAX_FAVORITE_NAME_LENGTH
from portal_client.core.errors import ApiError
from portal_client.core.wire import FavoriteWire
from portal_client.gui.composer.fields import error_label
from portal_client.gui.ops import Op


def refusal_text(error: Exception, label_for: Callable[[str], str] = str) -> tuple[str, str]:
    """(beside the name, under it) for a refused save: the name's own error goes beside
    the field; any other field (a dose, the vehicle) is named under it by ``label_for``."""
    if not isinstance(error, ApiError):
        return "", str(error)
    beside = [e.reason for e in error.field_errors if e.field == "name"]
    others = [f"{label_for(e.field)}: {e.reason}" for e in error.field_errors if e.field != "name"]
    general = "\n".join([error.message, *others]) if others or not beside else ""
    return (
        QCoreApplication.translate("FavoriteDialog", "This name {reason}.").format(reason=beside[0])
        if beside
        else "",
        error.with_reference(general) if general else "",
    )


class FavoriteNameDialog(QDialog):
    """Signals: saved(FavoriteWire): the server kept it (the dialog then closes)."""

    saved = Signal(object)

    def __init__(
        self,
        title: str,
        prompt: str,
        save: Callable[[str], FavoriteWire],
        *,
        name: str = "",
        label_for: Callable[[str], str] = str,
        parent: QWidget | None = None,
    ) -> None:
        """``label_for`` names a refused field other than the name ("content.vehicle…")
        as the form does."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self._label_for = label_for
        self.name = QLineEdit(name)
        self.name.setMaxLength(MAX_FAVORITE_NAME_LENGTH + 20)  # the rule says why, not a cut
        self.name.setAccessibleName(self.tr("Favorite's name"))
        self.name.setPlaceholderText(self.tr("For example: Myers' — my usual"))
        self.name_error = error_label()
        self.error = error_label()
        form = QFormLayout()
        form.addRow(QLabel(prompt))
        form.addRow(self.tr("Name"), self.name)
        form.addRow("", self.name_error)
        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("Primary")
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.name.textEdited.connect(self._edited)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(440, self.sizeHint().height())

    def _edited(self, _text: str) -> None:
        self.name_error.hide()
        self.error.hide()

    def _show(self, beside: str, under: str) -> None:
        self.name_error.setText(beside)
        self.name_error.setVisible(bool(beside))
        self.error.setText(under)
        self.error.setVisible(bool(under))
        if beside:
            self.name.setFocus()

    def submit(self) -> None:
        try:
            name = check_favorite_name(self.name.text())
        except InvalidFavorite as refused:
            self._show(self.tr("This name {reason}.").format(reason=refused.errors[0].reason), "")
            return
        self.save_button.setEnabled(False)
        save = self._save
        Op(self, lambda: save(name)).success(self._saved).failure(self._refused).run()

    def _saved(self, favorite: FavoriteWire) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(favorite)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        self._show(*refusal_text(error, self._label_for))  # the name stays as typed
