"""The administration card (access route, vehicle, volume, infusion time) and the notes card.

A route or vehicle changes only when the user picks it, and a vehicle's default volume
replaces the volume only until the user has typed one (``ComposerState.choose_vehicle``);
the new volume is put in its field, where the user sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QLineEdit, QPlainTextEdit, QWidget

from portal_client.core.composer import format_number
from portal_client.core.presentation import ACCESS_TEXT
from portal_client.gui.composer.fields import CARD_MARGINS, FieldSlot, add_field, card_grid
from portal_client.gui.widgets import section_title

if TYPE_CHECKING:
    from portal_client.core.composer import ComposerState


class AdministrationCard(QFrame):
    """Signals:
    edited(str, str, str): form place, ``ComposerState`` attribute, the new value.
    vehicle_chosen(str): the vehicle combo now shows this vehicle code.
    """

    edited = Signal(str, str, str)
    vehicle_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        grid = card_grid(self)
        grid.addWidget(section_title("Administration"), 0, 0, 1, 3)
        self.access = QComboBox()
        self.vehicle = QComboBox()
        self.volume = QLineEdit()
        self.minutes = QLineEdit()
        self.slots: dict[str, FieldSlot] = {
            "access": add_field(grid, (1, 0), "Access route", self.access),
            "vehicle.code": add_field(grid, (1, 1), "Vehicle", self.vehicle),
            "vehicle.volume_ml": add_field(grid, (2, 1), "Volume", self.volume, suffix="mL"),
            "infusion_minutes": add_field(
                grid, (2, 0), "Infusion time", self.minutes, suffix="min"
            ),
        }
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.access.currentIndexChanged.connect(
            lambda _i: self.edited.emit("access", "access", self.access.currentData() or "")
        )
        self.vehicle.currentIndexChanged.connect(
            lambda _i: self.vehicle_chosen.emit(self.vehicle.currentData() or "")
        )
        self.volume.textEdited.connect(
            lambda text: self.edited.emit("vehicle.volume_ml", "volume_ml", text)
        )
        self.minutes.textEdited.connect(
            lambda text: self.edited.emit("infusion_minutes", "infusion_minutes", text)
        )

    def show_state(self, state: ComposerState) -> None:
        """Routes and vehicles of the state's template, with the state's choices selected.

        Filling the vehicle combo reports the vehicle it shows (``vehicle_chosen``); the
        page keeps the state's own choice while it fills the form.
        """
        template = state.template
        vehicle_code = state.vehicle_code
        self.access.clear()
        self.vehicle.clear()
        if template is not None:
            for route in template.access_routes:
                self.access.addItem(ACCESS_TEXT.get(route, route), route)
            self.access.setCurrentIndex(max(0, self.access.findData(state.access)))
            for option in template.vehicles:
                self.vehicle.addItem(option.name, option.code)
            self.vehicle.setCurrentIndex(max(0, self.vehicle.findData(vehicle_code)))
            state.vehicle_code = vehicle_code or str(self.vehicle.currentData() or "")
            self.volume.setText(state.volume_ml)
            self.minutes.setText(state.infusion_minutes)
            self.show_ranges(state)
        has_vehicle = bool(template and template.vehicles)
        self.vehicle.setEnabled(has_vehicle)
        self.volume.setEnabled(has_vehicle)

    def show_ranges(self, state: ComposerState) -> None:
        """The allowed volume and infusion time, as placeholders."""
        template = state.template
        option = template.vehicle(state.vehicle_code) if template else None
        self.volume.setPlaceholderText(
            f"{format_number(option.min_volume_ml)}–{format_number(option.max_volume_ml)}"
            if option
            else ""
        )
        if template and template.infusion_minutes_min is not None:
            self.minutes.setPlaceholderText(
                f"{template.infusion_minutes_min}–{template.infusion_minutes_max}"
            )


class NotesCard(QFrame):
    """Signals:
    edited(str): the notes as they now read.
    """

    edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        grid = QGridLayout(self)
        grid.setContentsMargins(*CARD_MARGINS)
        grid.addWidget(section_title("Notes for the pharmacy"), 0, 0)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(
            "Optional: clinical context, timing, anything the pharmacist should know"
        )
        self.notes.setFixedHeight(80)
        self.slot = add_field(grid, (1, 0), "Notes", self.notes)
        self.notes.textChanged.connect(lambda: self.edited.emit(self.notes.toPlainText()))
