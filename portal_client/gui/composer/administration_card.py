"""The administration card (access route, vehicle, volume, infusion time, and the lipid's
infusion time where the template runs lipid separately) and the notes card.

A route or vehicle changes only when the user picks it, and a vehicle's default volume
replaces the volume only until the user has typed one (``ComposerState.choose_vehicle``);
the new volume is put in its field, where the user sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QLineEdit, QPlainTextEdit, QWidget

from pharmacy_domain.infusion import lipid_infusion_spec
from portal_client.core.composer import format_number
from portal_client.core.presentation import ACCESS_TEXT, access_text
from portal_client.gui.composer.fields import CARD_MARGINS, FieldSlot, add_field, card_grid
from portal_client.gui.wheel_guard import guard_wheel
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
        grid.addWidget(section_title(self.tr("Administration")), 0, 0, 1, 3)
        self.access = guard_wheel(QComboBox())
        self.vehicle = guard_wheel(QComboBox())
        self.volume = QLineEdit()
        self.minutes = QLineEdit()
        self.lipid_hours = QLineEdit()
        self.slots: dict[str, FieldSlot] = {
            "access": add_field(grid, (1, 0), self.tr("Access route"), self.access),
            "vehicle.code": add_field(grid, (1, 1), self.tr("Vehicle"), self.vehicle),
            "vehicle.volume_ml": add_field(
                grid, (2, 1), self.tr("Volume"), self.volume, suffix="mL"
            ),
            "infusion_minutes": add_field(
                grid, (2, 0), self.tr("Infusion time"), self.minutes, suffix="min"
            ),
            "lipid_infusion_hours": add_field(
                grid, (3, 0), self.tr("Lipid infusion time"), self.lipid_hours, suffix="h"
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
        self.lipid_hours.textEdited.connect(
            lambda text: self.edited.emit("lipid_infusion_hours", "lipid_infusion_hours", text)
        )

    def inputs(self) -> list[QWidget]:
        """Every input, in reading order: row by row as the grid shows them."""
        return [self.access, self.vehicle, self.minutes, self.volume, self.lipid_hours]

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
                self.access.addItem(access_text(route) if route in ACCESS_TEXT else route, route)
            self.access.setCurrentIndex(max(0, self.access.findData(state.access)))
            for option in template.vehicles:
                self.vehicle.addItem(option.name, option.code)
            self.vehicle.setCurrentIndex(max(0, self.vehicle.findData(vehicle_code)))
            state.vehicle_code = vehicle_code or str(self.vehicle.currentData() or "")
            self.volume.setText(state.volume_ml)
            self.minutes.setText(state.infusion_minutes)
            self.lipid_hours.setText(state.lipid_infusion_hours)
            self.show_ranges(state)
        has_vehicle = bool(template and template.vehicles)
        self.vehicle.setEnabled(has_vehicle)
        self.volume.setEnabled(has_vehicle)
        # Only templates that run the lipid separately ask for its infusion time.
        self.lipid_hours.setEnabled(
            template is not None and lipid_infusion_spec(template) is not None
        )

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
        lipid = None if template is None else lipid_infusion_spec(template)
        self.lipid_hours.setPlaceholderText(
            f"{format_number(lipid.min_hours)}–{format_number(lipid.max_hours)}" if lipid else ""
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
        grid.addWidget(section_title(self.tr("Notes for the pharmacy")), 0, 0)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(
            self.tr("Optional: clinical context, timing, anything the pharmacist should know")
        )
        self.notes.setFixedHeight(80)
        self.notes.setTabChangesFocus(True)  # Tab moves on: the order is keyboard-only work
        self.slot = add_field(grid, (1, 0), self.tr("Notes"), self.notes)
        self.notes.textChanged.connect(lambda: self.edited.emit(self.notes.toPlainText()))
