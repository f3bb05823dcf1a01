"""The dialogs of the Patients page: a new or edited record, and "Add a result" (a lab
of the named list, or a weight) to one.

Each field is checked by ``core.patients`` before anything is sent, and the server's
refusals are placed beside their fields. A stale edit (someone saved the record first:
409) says so, takes the record as it is now and keeps everything typed, so pressing
Save again makes the change on the current version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pharmacy_domain.patient_records import named_labs
from pharmacy_domain.prescription import LAB_INTERPRETATIONS, SEXES
from portal_client.core.api_client import ApiClient
from portal_client.core.domain_text import interpretation_text, lab_text
from portal_client.core.errors import ApiError
from portal_client.core.patient_calls import StalePatientEdit
from portal_client.core.patient_wire import PatientChanges, PatientRecord
from portal_client.core.patients import PatientForm, ResultEntry, server_field_errors
from portal_client.core.presentation import sex_text
from portal_client.gui.composer.fields import FieldSlot, add_field
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.ops import Op
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner

#: The form's text fields, in reading order (``PatientForm`` attribute names).
_TEXT_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "address",
    "phone",
    "allergies",
    "weight_kg",
    "weight_on",
    "height_cm",
    "height_on",
)


class PatientDialog(QDialog):
    """A new record (``record=None``) or an edit of ``record``.

    Signals: saved(PatientRecord): the server kept it (the dialog then closes)."""

    saved = Signal(object)

    def __init__(
        self,
        client: ApiClient,
        record: PatientRecord | None = None,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.client, self.record, self._today = client, record, today
        #: The record as the form was filled from it: the edit is what differs from it,
        #: so a stale save sends only the user's changes onto the newer version.
        self.opened = record
        self.setWindowTitle(self.tr("New patient") if record is None else self.tr("Edit patient"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.banner = Banner()
        layout.addWidget(self.banner)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        layout.addLayout(grid)
        self.edits: dict[str, QLineEdit] = {name: QLineEdit() for name in _TEXT_FIELDS}
        self.sex = guard_wheel(QComboBox())
        for value in SEXES:
            self.sex.addItem(sex_text(value), value)
        self.edits["birth_date"].setPlaceholderText(self.tr("YYYY-MM-DD"))
        for name in ("weight_on", "height_on"):
            self.edits[name].setPlaceholderText(self.tr("YYYY-MM-DD (today if empty)"))
        self.edits["allergies"].setPlaceholderText(self.tr("Separate with commas"))
        labels = {
            "given_name": self.tr("Given name"),
            "family_name": self.tr("Family name"),
            "birth_date": self.tr("Date of birth"),
            "address": self.tr("Address (for shipping to the patient)"),
            "phone": self.tr("Phone"),
            "allergies": self.tr("Allergies"),
            "weight_kg": self.tr("Weight (kg)"),
            "weight_on": self.tr("Weight measured on"),
            "height_cm": self.tr("Height (cm)"),
            "height_on": self.tr("Height measured on"),
        }
        places = {
            "given_name": (0, 0),
            "family_name": (0, 1),
            "birth_date": (1, 0),
            "address": (2, 0),
            "phone": (2, 1),
            "allergies": (3, 0),
            "weight_kg": (4, 0),
            "weight_on": (4, 1),
            "height_cm": (5, 0),
            "height_on": (5, 1),
        }
        self.slots: dict[str, FieldSlot] = {}
        for name in _TEXT_FIELDS:
            span = 2 if name == "allergies" else 1
            self.slots[name] = add_field(
                grid, places[name], labels[name], self.edits[name], span=span
            )
        self.slots["sex"] = add_field(grid, (1, 1), self.tr("Sex"), self.sex)
        # "weight" and "height" errors are about the value: they show at its field.
        self.slots["weight"] = self.slots["weight_kg"]
        self.slots["height"] = self.slots["height_cm"]
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._show_form(PatientForm() if record is None else PatientForm.from_record(record))
        inputs: list[QWidget] = [self.edits[n] for n in _TEXT_FIELDS[:3]]
        inputs += [self.sex, *(self.edits[n] for n in _TEXT_FIELDS[3:])]
        set_focus_chain(
            [*inputs, self.save_button, self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        )
        self.edits["given_name"].setFocus()

    def _show_form(self, form: PatientForm) -> None:
        for name, edit in self.edits.items():
            edit.setText(getattr(form, name))
        self.sex.setCurrentIndex(max(0, self.sex.findData(form.sex)))

    def form(self) -> PatientForm:
        """What is typed now."""
        values = {name: edit.text() for name, edit in self.edits.items()}
        return PatientForm(sex=str(self.sex.currentData()), **values)

    def show_errors(self, errors: dict[str, str]) -> None:
        for each in {id(s): s for s in self.slots.values()}.values():
            each.show("")
        for name, message in errors.items():
            slot = self.slots.get(name)
            if slot is None:
                self.banner.show_message(message, "error")
            else:
                slot.show(message)
        first = next((self.slots[n].editor for n in self.slots if n in errors), None)
        if first is not None:
            first.setFocus()

    def submit(self) -> None:
        form = self.form()
        fields, errors = form.check(self._today())
        self.show_errors(errors)
        if fields is None:
            return
        self.banner.clear()
        self.save_button.setEnabled(False)
        client, record, opened = self.client, self.record, self.opened
        if record is None or opened is None:
            Op(self, lambda: client.create_patient(fields)).success(self._saved).failure(
                self._refused
            ).run()
            return
        changes = form.changes(fields, opened)
        if changes.empty:
            self._saved(record)
            return
        Op(self, lambda: client.update_patient(record.id, record.version, changes)).success(
            self._saved
        ).failure(self._refused).run()

    def _saved(self, record: PatientRecord) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(record)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, StalePatientEdit):
            # Keep what was typed; the next Save applies it to the record as it is now.
            if error.current is not None:
                self.record = error.current
            self.banner.show_message(str(error), "warn")
            return
        if isinstance(error, ApiError) and error.field_errors:
            self.show_errors(server_field_errors((e.field, e.reason) for e in error.field_errors))
            self.banner.show_message(error.message, "error")
            return
        self.banner.show_message(str(error), "error")


class ResultDialog(QDialog):
    """ "Add a result" to ``record``: a lab (``code`` preselects it) or a weight.

    Signals: saved(PatientRecord): the record with the result (the dialog then closes)."""

    saved = Signal(object)

    def __init__(
        self,
        client: ApiClient,
        record: PatientRecord,
        parent: QWidget | None = None,
        *,
        code: str = "",
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.client, self.record, self._today = client, record, today
        self.setWindowTitle(self.tr("Add a result"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.banner = Banner()
        layout.addWidget(self.banner)
        grid = QGridLayout()
        layout.addLayout(grid)
        self.kind = guard_wheel(QComboBox())
        self.kind.addItem(self.tr("Lab result"), "lab")
        self.kind.addItem(self.tr("Weight"), "weight")
        self.lab = guard_wheel(QComboBox())
        self.lab.addItem("—", "")
        for lab in named_labs():
            self.lab.addItem(lab_text(lab.code), lab.code)
        self.date = QLineEdit(today().isoformat())
        self.date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.value = QLineEdit()
        self.unit = QLineEdit()
        self.interpretation = guard_wheel(QComboBox())
        self.interpretation.addItem("—", "")
        for option in LAB_INTERPRETATIONS:
            self.interpretation.addItem(interpretation_text(option), option)
        add_field(grid, (0, 0), self.tr("Result"), self.kind)
        add_field(grid, (0, 1), self.tr("Lab"), self.lab)
        add_field(grid, (1, 0), self.tr("Date"), self.date)
        self.value_slot = add_field(grid, (1, 1), self.tr("Value"), self.value)
        add_field(grid, (2, 0), self.tr("Unit"), self.unit)
        add_field(grid, (2, 1), self.tr("Interpretation"), self.interpretation)
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.lab.currentIndexChanged.connect(lambda _i: self._lab_changed())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.lab.setCurrentIndex(max(0, self.lab.findData(code)))
        set_focus_chain(
            [
                self.kind,
                self.lab,
                self.date,
                self.value,
                self.unit,
                self.interpretation,
                self.save_button,
                self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
            ]
        )
        (self.value if code else self.lab).setFocus()

    def _kind_changed(self) -> None:
        is_lab = self.kind.currentData() == "lab"
        for widget in (self.lab, self.unit, self.interpretation):
            widget.setEnabled(is_lab)

    def _lab_changed(self) -> None:
        code = str(self.lab.currentData() or "")
        lab = next((lab for lab in named_labs() if lab.code == code), None)
        self.unit.setText("" if lab is None else lab.unit)

    def entry(self) -> ResultEntry:
        return ResultEntry(
            kind=str(self.kind.currentData()),
            code=str(self.lab.currentData() or ""),
            date=self.date.text(),
            value=self.value.text(),
            unit=self.unit.text(),
            interpretation=str(self.interpretation.currentData() or ""),
        )

    def submit(self) -> None:
        changes, problem = self.entry().check(self.record, self._today())
        if changes is None:
            self.value_slot.show(problem)
            return
        self.value_slot.show("")
        self.save_button.setEnabled(False)
        self._send(changes)

    def _send(self, changes: PatientChanges) -> None:
        client, record = self.client, self.record
        Op(self, lambda: client.update_patient(record.id, record.version, changes)).success(
            self._saved
        ).failure(self._refused).run()

    def _saved(self, record: PatientRecord) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(record)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, StalePatientEdit) and error.current is not None:
            self.record = error.current  # Save again adds it to the record as it is now
        stale = isinstance(error, StalePatientEdit)
        self.banner.show_message(str(error), "warn" if stale else "error")
