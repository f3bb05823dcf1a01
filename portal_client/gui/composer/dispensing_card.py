"""The dispensing card: how many bags, a series as one order (every so many days, so many
infusions, from a start date), where it ships (the patient's address and phone when it
goes to the patient), a needed-by date and a note to the pharmacy.

The series' dates are the domain's schedule, listed under the fields as they are typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QLineEdit, QPlainTextEdit, QWidget

from portal_client.core.dispensing_entry import DispensingEntry
from portal_client.core.dispensing_view import series_schedule
from portal_client.gui.composer.fields import FieldSlot, add_field, card_grid
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import muted, section_title

if TYPE_CHECKING:
    from portal_client.core.composer import ComposerState

#: Form place → ``DispensingEntry`` attribute.
_DISPENSING_FIELDS = {
    "dispensing.quantity_bags": "quantity_bags",
    "dispensing.needed_by": "needed_by",
    "dispensing.series.infusions": "series_infusions",
    "dispensing.series.interval_days": "series_interval_days",
    "dispensing.series.start_date": "series_start_date",
}
#: Form place → ``ComposerState`` attribute.
_PATIENT_FIELDS = {"patient.address": "patient_address", "patient.phone": "patient_phone"}


class DispensingCard(QFrame):
    """Signals:
    dispensing_edited(str, str, str): form place, ``DispensingEntry`` attribute, value.
    patient_edited(str, str, str): form place, ``ComposerState`` attribute, value.
    """

    dispensing_edited = Signal(str, str, str)
    patient_edited = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        grid = card_grid(self)
        grid.addWidget(section_title(self.tr("Dispensing")), 0, 0, 1, 3)
        self.quantity = QLineEdit()
        self.ship_to = guard_wheel(QComboBox())
        self.ship_to.addItem(self.tr("The clinic"), "clinic")
        self.ship_to.addItem(self.tr("The patient's address"), "patient")
        self.needed_by = QLineEdit()
        self.infusions = QLineEdit()
        self.interval = QLineEdit()
        self.start_date = QLineEdit()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.pharmacy_notes = QPlainTextEdit()
        self.pharmacy_notes.setFixedHeight(60)
        self.pharmacy_notes.setTabChangesFocus(True)
        # Not the order's clinical notes (their own card below): how to dispense and ship.
        self.pharmacy_notes.setPlaceholderText(
            self.tr("Optional: delivery times, who receives it, how to pack or label it")
        )
        for date_edit in (self.needed_by, self.start_date):
            date_edit.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.infusions.setPlaceholderText(self.tr("one"))
        # As a fresh order holds them (``DispensingEntry``), until a state is shown.
        defaults = DispensingEntry()
        self.quantity.setText(defaults.quantity_bags)
        self.interval.setText(defaults.series_interval_days)
        self.slots: dict[str, FieldSlot] = {
            "dispensing.quantity_bags": add_field(
                grid, (1, 0), self.tr("Quantity"), self.quantity, suffix=self.tr("bags")
            ),
            "dispensing.ship_to": add_field(grid, (1, 1), self.tr("Ship to"), self.ship_to),
            "dispensing.needed_by": add_field(grid, (1, 2), self.tr("Needed by"), self.needed_by),
            "dispensing.series.infusions": add_field(
                grid, (2, 0), self.tr("Infusions in the series"), self.infusions
            ),
            "dispensing.series.interval_days": add_field(
                grid, (2, 1), self.tr("Every"), self.interval, suffix=self.tr("days")
            ),
            "dispensing.series.start_date": add_field(
                grid, (2, 2), self.tr("First infusion"), self.start_date
            ),
            "patient.address": add_field(
                grid, (4, 0), self.tr("Patient's address"), self.address, span=2
            ),
            "patient.phone": add_field(grid, (4, 2), self.tr("Patient's phone"), self.phone),
            "dispensing.pharmacy_notes": add_field(
                grid, (5, 0), self.tr("Dispensing note"), self.pharmacy_notes, span=3
            ),
        }
        self.schedule = muted("")
        self.schedule.setObjectName("SeriesSchedule")
        self.schedule.setWordWrap(True)
        grid.addWidget(self.schedule, 3, 0, 1, 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        self._connect()

    def _connect(self) -> None:
        editors: dict[str, QLineEdit] = {
            "dispensing.quantity_bags": self.quantity,
            "dispensing.needed_by": self.needed_by,
            "dispensing.series.infusions": self.infusions,
            "dispensing.series.interval_days": self.interval,
            "dispensing.series.start_date": self.start_date,
        }
        for place, editor in editors.items():
            attribute = _DISPENSING_FIELDS[place]
            editor.textEdited.connect(
                lambda text, p=place, a=attribute: self.dispensing_edited.emit(p, a, text)
            )
        for place, editor in (("patient.address", self.address), ("patient.phone", self.phone)):
            attribute = _PATIENT_FIELDS[place]
            editor.textEdited.connect(
                lambda text, p=place, a=attribute: self.patient_edited.emit(p, a, text)
            )
        self.ship_to.currentIndexChanged.connect(
            lambda _i: self.dispensing_edited.emit(
                "dispensing.ship_to", "ship_to", self.ship_to.currentData() or "clinic"
            )
        )
        self.pharmacy_notes.textChanged.connect(
            lambda: self.dispensing_edited.emit(
                "dispensing.pharmacy_notes", "pharmacy_notes", self.pharmacy_notes.toPlainText()
            )
        )

    def inputs(self) -> list[QWidget]:
        """Every input, in reading order: row by row as the grid shows them."""
        return [
            self.quantity,
            self.ship_to,
            self.needed_by,
            self.infusions,
            self.interval,
            self.start_date,
            self.address,
            self.phone,
            self.pharmacy_notes,
        ]

    def show_state(self, state: ComposerState) -> None:
        """Fill the fields from ``state`` (the page ignores the edits this causes)."""
        entry = state.dispensing
        self.quantity.setText(entry.quantity_bags)
        self.ship_to.setCurrentIndex(max(0, self.ship_to.findData(entry.ship_to)))
        self.needed_by.setText(entry.needed_by)
        self.infusions.setText(entry.series_infusions)
        self.interval.setText(entry.series_interval_days)
        self.start_date.setText(entry.series_start_date)
        self.address.setText(state.patient_address)
        self.phone.setText(state.patient_phone)
        if self.pharmacy_notes.toPlainText() != entry.pharmacy_notes:
            self.pharmacy_notes.setPlainText(entry.pharmacy_notes)
        self.show_schedule(state)

    def show_schedule(self, state: ComposerState) -> None:
        """Each infusion's date, once the series can be read."""
        series = (state.dispensing.to_wire() or {}).get("series")
        dates = series_schedule(series) if isinstance(series, dict) else ()
        if dates:
            listed = ", ".join(day.isoformat() for day in dates)
            self.schedule.setText(self.tr("Infusions on %1").replace("%1", listed))
        else:
            self.schedule.setText("")

    def schedule_label(self) -> QLabel:
        return self.schedule
