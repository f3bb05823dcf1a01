"""The composer's link to the patient record it was filled from.

After each check of the form, a lab older than the template allows is flagged in the
labs card, beside the results, with "Add a result" in place: a fresh row of that lab,
dated today, its value focused. "Save to patient record" sends the results typed here
that the record lacks: only when pressed, never on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from portal_client.core.patient_calls import StalePatientEdit
from portal_client.core.patient_wire import PatientChanges, PatientRecord
from portal_client.core.patients import (
    StaleResult,
    composer_state_from_record,
    labs_to_save,
    new_result_entry,
    stale_results,
)
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient
    from portal_client.gui.composer.page import ComposerPage


class RecordLink(QObject):
    """Signals: saved_back(PatientRecord): results typed here are on the record now."""

    saved_back = Signal(object)

    def __init__(
        self,
        page: ComposerPage,
        client: ApiClient,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(page)
        self.page, self.client, self._today = page, client, today
        self.record: PatientRecord | None = None
        self._shown: list[StaleResult] = []
        labs = page.labs
        self.stale_box = QWidget()
        self.stale_rows = QVBoxLayout(self.stale_box)
        self.stale_rows.setContentsMargins(0, 0, 0, 0)
        self.stale_box.hide()
        self.stale_buttons: list[QPushButton] = []
        self.save_button = QPushButton(self.tr("Save to patient record"))
        self.save_button.setObjectName("Link")
        self.save_button.setToolTip(
            self.tr("Add the results typed here to the patient's record (nothing else changes)")
        )
        self.save_button.clicked.connect(self.save_back)
        self.save_button.hide()
        self.message = Banner()
        layout = labs.layout()
        assert isinstance(layout, QVBoxLayout)
        at = layout.indexOf(labs.table) + 1
        layout.insertWidget(at, self.stale_box)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)
        labs.extra_inputs = [self.save_button]
        page.reviewed.connect(self._reviewed)

    def open(self, record: PatientRecord, template: Template | None = None) -> None:
        """A new prescription for this record's patient, linked to it."""
        self.record = record
        self.message.clear()
        self.page.open_state(composer_state_from_record(record, template))
        self.page.status_banner.show_message(
            self.tr(
                "Filled from the patient's record. Check each field before you sign; "
                "a result too old for the template is flagged under Lab results."
            ),
            "info",
        )

    @property
    def linked(self) -> bool:
        record = self.record
        return record is not None and self.page.state.patient_id == record.id

    def _reviewed(self) -> None:
        linked = self.linked
        self.save_button.setVisible(linked)
        stale = stale_results(self.page.state, self.page.review.result.evaluation)
        if stale == self._shown:
            return
        self._shown = stale
        self._show_stale(stale)

    def _show_stale(self, stale: list[StaleResult]) -> None:
        while self.stale_rows.count():
            item = self.stale_rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.stale_buttons = []
        for result in stale:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            text = QLabel(
                self.tr("Result {number} is too old: {message}").format(
                    number=result.index + 1, message=result.message
                )
            )
            text.setObjectName("FieldError")
            text.setWordWrap(True)
            button = QPushButton(self.tr("Add a result"))
            button.setObjectName("Link")
            button.setAccessibleName(self.tr("Add a new {lab} result").format(lab=result.name))
            button.clicked.connect(lambda _c=False, code=result.code: self.add_result(code))
            line.addWidget(text, 1)
            line.addWidget(button)
            self.stale_rows.addWidget(row)
            self.stale_buttons.append(button)
        self.stale_box.setVisible(bool(stale))
        self.page.labs.extra_inputs = [*self.stale_buttons, self.save_button]

    def add_result(self, code: str) -> None:
        """A new row of this lab dated today, its value ready to type."""
        row = self.page.add_lab(new_result_entry(code, self._today()))
        value = self.page.labs.table.cellWidget(row, 2)
        if value is not None:
            value.setFocus()

    def save_back(self) -> None:
        record = self.record
        if record is None or not self.linked:
            return
        fresh = labs_to_save(self.page.state, record, self._today())
        if not fresh:
            self.message.show_message(
                self.tr("The record already has every complete result typed here."), "info"
            )
            return
        client = self.client
        self.save_button.setEnabled(False)

        def send() -> PatientRecord:
            try:
                return client.update_patient(
                    record.id, record.version, PatientChanges(labs=(*record.labs, *fresh))
                )
            except StalePatientEdit as stale:
                # Someone else changed the record: add these to it as it is now, once.
                current = stale.current
                if current is None:
                    raise
                again = labs_to_save(self.page.state, current, self._today())
                return client.update_patient(
                    current.id, current.version, PatientChanges(labs=(*current.labs, *again))
                )

        def saved(updated: PatientRecord) -> None:
            self.record = updated
            self.message.show_message(
                self.tr("Saved {count} result(s) to the patient's record.").format(
                    count=len(fresh)
                ),
                "info",
            )
            self.saved_back.emit(updated)

        def failed(error: Exception) -> None:
            self.message.show_message(
                self.tr("Could not save to the patient's record: {error}").format(error=error),
                "error",
            )

        Op(self, send).success(saved).failure(failed).finally_(
            lambda: self.save_button.setEnabled(True)
        ).run()
