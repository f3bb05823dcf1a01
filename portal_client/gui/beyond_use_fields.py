"""The beyond-use date and storage a pharmacist states on marking an order ready: shown
back to the prescriber, required by the server (``pharmacy_domain.status``)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QFormLayout, QWidget

from pharmacy_domain.status import MAX_BEYOND_USE_DAYS, STORAGE_CONDITIONS, BeyondUse
from portal_client.core.domain_text import storage_text
from portal_client.gui.wheel_guard import guard_wheel


class BeyondUseFields(QWidget):
    """A date (today to the longest beyond-use date allowed) and a storage condition,
    chosen on purpose: no storage is preselected."""

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.date = guard_wheel(QDateEdit())
        self.date.setObjectName("BeyondUseDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        first = QDate(today.year, today.month, today.day)
        self.date.setDateRange(first, first.addDays(MAX_BEYOND_USE_DAYS))
        self.date.setDate(first)
        self.date.setAccessibleName(self.tr("Beyond-use date"))
        self.storage = guard_wheel(QComboBox())
        self.storage.setObjectName("BeyondUseStorage")
        self.storage.setAccessibleName(self.tr("Storage"))
        self.storage.setPlaceholderText(self.tr("Choose how it is kept…"))
        for code in STORAGE_CONDITIONS:
            self.storage.addItem(storage_text(code), code)
        self.storage.setCurrentIndex(-1)
        layout.addRow(self.tr("Beyond-use date"), self.date)
        layout.addRow(self.tr("Storage"), self.storage)

    def inputs(self) -> list[QWidget]:
        """In Tab order."""
        return [self.date, self.storage]

    def value(self) -> BeyondUse:
        picked = self.date.date()
        code = self.storage.currentData()
        return BeyondUse(
            dt.date(picked.year(), picked.month(), picked.day()),
            code if isinstance(code, str) else None,
        )

    def problem(self) -> str | None:
        """Why it cannot be sent yet (shown under the dialog), or None."""
        if self.value().storage is None:
            return self.tr("Choose how the bag is stored until it is given.")
        return None
