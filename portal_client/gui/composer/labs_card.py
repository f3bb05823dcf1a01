"""The lab results card: the dated results the pharmacy's prerequisites need."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from pharmacy_domain.patient_records import named_lab, named_labs
from pharmacy_domain.prescription import LAB_INTERPRETATIONS
from portal_client.core.composer import LabEntry
from portal_client.core.domain_text import interpretation_text, lab_text
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui.composer.fields import FieldSlot, card_column, error_label
from portal_client.gui.i18n import marked
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import muted, section_title

LAB_ROW_HEIGHT = 46
#: Date, value, unit, interpretation and remove columns (the test's name stretches).
LAB_COLUMN_WIDTHS = {1: 112, 2: 64, 3: 112, 4: 122, 5: 36}
#: Beside the date's hint: the editor's padding and frame, and the cell's margin.
DATE_HINT_ROOM = 34
#: The test list opens at least this wide, so no name is cut.
LAB_LIST_MIN_WIDTH = 280
#: What each of a row's editors holds, left to right (their accessible names).
LAB_ROW_PARTS = (
    QT_TRANSLATE_NOOP("Marked", "test"),
    QT_TRANSLATE_NOOP("Marked", "date"),
    QT_TRANSLATE_NOOP("Marked", "value"),
    QT_TRANSLATE_NOOP("Marked", "unit"),
    QT_TRANSLATE_NOOP("Marked", "interpretation"),
)


class LabsCard(QFrame):
    """One row per ``LabEntry``; a row's editors write into its entry.

    Signals:
        add_requested(): "Add lab result" was pressed.
        changed(): a row's text changed (its entry is already updated).
        remove_requested(object): the row of this ``LabEntry`` is to go.
    """

    add_requested = Signal()
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        layout = card_column(self)
        layout.addWidget(section_title(self.tr("Lab results")))
        layout.addWidget(
            muted(
                self.tr(
                    "Dated results the pharmacy's checks need (e.g. G6PD before high-dose "
                    "vitamin C, creatinine or eGFR for renal function)."
                ),
                hint=True,
            )
        )
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Lab"),
                self.tr("Date"),
                self.tr("Value"),
                self.tr("Unit"),
                self.tr("Interpretation"),
                "",
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setTabKeyNavigation(False)  # Tab goes from one row's editor to the next
        self.table.setAccessibleName(self.tr("Lab results"))
        self.table.setStyleSheet("QTableWidget { border: none; }")
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # The test's name takes the room ("History of oxalate kidney stones"); the date,
        # value, unit and interpretation are as wide as what they hold.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        widths = dict(LAB_COLUMN_WIDTHS)
        # The date's hint whole, in the language shown and the font in use (DejaVu Sans,
        # common on Linux, is wider than the widths above were set for).
        hint = self.fontMetrics().horizontalAdvance(self.tr("YYYY-MM-DD"))
        widths[1] = max(widths[1], hint + DATE_HINT_ROOM)
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table)
        self.add_button = QPushButton(self.tr("Add lab result"))
        self.add_button.setObjectName("Link")
        self.add_button.clicked.connect(self.add_requested)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = error_label()
        layout.addWidget(self.error)
        self.slot = FieldSlot(self.table, self.error)
        #: Inputs another part puts in the card (the patient record's "Add a result").
        self.extra_inputs: list[QWidget] = []
        self.fit_height()

    def add_row(self, lab: LabEntry) -> int:
        """Append a row showing ``lab``; its edits are written into ``lab``."""
        table = self.table
        index = table.rowCount()
        table.insertRow(index)
        code = guard_wheel(QComboBox())
        # Named, never raw codes: the list says "G6PD" and the order carries "g6pd".
        code.addItem("—", "")
        for named in named_labs():
            code.addItem(lab_text(named.code), named.code)
        if lab.code and code.findData(lab.code) < 0:  # an order from elsewhere: as sent
            code.addItem(lab.code, lab.code)
        code.setCurrentIndex(max(0, code.findData(lab.code)))
        code.view().setMinimumWidth(LAB_LIST_MIN_WIDTH)
        date = QLineEdit(lab.date)
        date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        value = QLineEdit(lab.value)
        unit = QLineEdit(lab.unit)
        unit.setPlaceholderText(self.tr("e.g. mg/dL"))
        interpretation = guard_wheel(QComboBox())
        interpretation.addItem("—", "")
        for option in LAB_INTERPRETATIONS:
            interpretation.addItem(interpretation_text(option), option)
        interpretation.setCurrentIndex(max(0, interpretation.findData(lab.interpretation)))
        remove = QPushButton("✕")
        remove.setObjectName("Link")
        remove.setToolTip(self.tr("Remove this result"))
        for column, widget in enumerate((code, date, value, unit, interpretation, remove)):
            table.setCellWidget(index, column, widget)
        table.setRowHeight(index, LAB_ROW_HEIGHT)
        self._name_rows()

        def chosen() -> None:
            # The usual unit as a hint only: a value is never typed for the prescriber.
            named = named_lab(str(code.currentData() or ""))
            usual = named.unit if named is not None and named.unit else ""
            unit.setPlaceholderText(usual or self.tr("e.g. mg/dL"))
            changed()

        def changed() -> None:
            lab.code = str(code.currentData() or "")
            lab.date, lab.value, lab.unit = date.text(), value.text(), unit.text()
            lab.interpretation = str(interpretation.currentData() or "")
            self.changed.emit()

        code.currentIndexChanged.connect(lambda _i: chosen())
        for edit in (date, value, unit):
            edit.textEdited.connect(lambda _t: changed())
        interpretation.currentIndexChanged.connect(lambda _i: changed())
        remove.clicked.connect(lambda: self.remove_requested.emit(lab))
        self.fit_height()
        return index

    def remove_row(self, index: int) -> None:
        self.table.removeRow(index)
        self._name_rows()
        self.fit_height()

    def _name_rows(self) -> None:
        """Each row's editors named by its number (rows below a removed one move up)."""
        for row in range(self.table.rowCount()):
            names = [
                self.tr("Lab result {number} {part}").format(number=row + 1, part=marked(what))
                for what in LAB_ROW_PARTS
            ]
            for column, name in enumerate(
                [*names, self.tr("Remove lab result {number}").format(number=row + 1)]
            ):
                cell = self.table.cellWidget(row, column)
                if cell is not None:
                    cell.setAccessibleName(name)

    def inputs(self) -> list[QWidget]:
        """Each row's editors left to right, row by row, then "Add lab result"."""
        table = self.table
        cells = (
            table.cellWidget(row, column)
            for row in range(table.rowCount())
            for column in range(table.columnCount())
        )
        return [*(cell for cell in cells if cell is not None), self.add_button, *self.extra_inputs]

    def clear(self) -> None:
        self.table.setRowCount(0)

    def fit_height(self) -> None:
        table = self.table
        table.setVisible(table.rowCount() > 0)
        height = table.horizontalHeader().height() + sum(
            table.rowHeight(r) for r in range(table.rowCount())
        )
        table.setFixedHeight(height + 4)
