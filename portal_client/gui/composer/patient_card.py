"""The patient card: names, date of birth, sex, weight, height, allergies."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QLineEdit, QWidget

from pharmacy_domain.prescription import SEXES
from portal_client.core.composer import ComposerState
from portal_client.core.presentation import sex_text
from portal_client.gui.composer.fields import FieldSlot, add_field, card_grid
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import section_title


class PatientCard(QFrame):
    """Signals:
    edited(str, str, str): form place, ``ComposerState`` attribute, the new value.
    """

    edited = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        grid = card_grid(self)
        grid.addWidget(section_title(self.tr("Patient")), 0, 0, 1, 2)
        self.given_name = QLineEdit()
        self.family_name = QLineEdit()
        self.birth_date = QLineEdit()
        self.birth_date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.birth_date.setInputMask("")
        self.sex = guard_wheel(QComboBox())
        for value in SEXES:
            self.sex.addItem(sex_text(value), value)
        self.sex.setCurrentIndex(self.sex.findData("unknown"))
        self.weight_edit = QLineEdit()
        self.weight_edit.setPlaceholderText(self.tr("e.g. 70"))
        self.height_edit = QLineEdit()
        self.height_edit.setPlaceholderText(self.tr("e.g. 172"))
        self.allergies = QLineEdit()
        self.allergies.setPlaceholderText(self.tr("Separate with commas, e.g. penicillin, latex"))
        self.slots: dict[str, FieldSlot] = {
            "patient.given_name": add_field(grid, (1, 0), self.tr("Given name"), self.given_name),
            "patient.family_name": add_field(
                grid, (1, 1), self.tr("Family name"), self.family_name
            ),
            "patient.birth_date": add_field(
                grid, (2, 0), self.tr("Date of birth"), self.birth_date
            ),
            "patient.sex": add_field(grid, (2, 1), self.tr("Sex"), self.sex),
            "patient.weight_kg": add_field(
                grid, (3, 0), self.tr("Weight"), self.weight_edit, suffix="kg"
            ),
            "patient.height_cm": add_field(
                grid, (3, 1), self.tr("Height"), self.height_edit, suffix="cm"
            ),
            "patient.allergies": add_field(
                grid, (4, 0), self.tr("Allergies"), self.allergies, span=2
            ),
        }
        for editor, attribute in self.text_fields():
            editor.textEdited.connect(
                lambda text, a=attribute: self.edited.emit(f"patient.{a}", a, text)
            )
        self.sex.currentIndexChanged.connect(
            lambda _i: self.edited.emit("patient.sex", "sex", self.sex.currentData())
        )

    def text_fields(self) -> list[tuple[QLineEdit, str]]:
        """Each text editor with its ``ComposerState`` attribute (form place ``patient.<it>``)."""
        return [
            (self.given_name, "given_name"),
            (self.family_name, "family_name"),
            (self.birth_date, "birth_date"),
            (self.weight_edit, "weight_kg"),
            (self.height_edit, "height_cm"),
            (self.allergies, "allergies"),
        ]

    def inputs(self) -> list[QWidget]:
        """Every input, in reading order (the focus chain's part)."""
        return [
            self.given_name,
            self.family_name,
            self.birth_date,
            self.sex,
            self.weight_edit,
            self.height_edit,
            self.allergies,
        ]

    def show_state(self, state: ComposerState) -> None:
        """Fill the fields from ``state`` (the page ignores the edits this causes)."""
        for editor, attribute in self.text_fields():
            editor.setText(getattr(state, attribute))
        self.sex.setCurrentIndex(max(0, self.sex.findData(state.sex)))
