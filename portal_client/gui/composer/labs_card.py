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

from pharmacy_domain.prescription import LAB_INTERPRETATIONS
from portal_client.core.composer import LabEntry
from portal_client.gui.composer.fields import FieldSlot, card_column, error_label
from portal_client.gui.widgets import muted, section_title

LAB_CODES = (
    "",
    "g6pd",
    "creatinine",
    "egfr",
    "potassium",
    "magnesium",
    "phosphate",
    "glucose",
    "triglycerides",
    "sodium",
    "calcium",
    "albumin",
)
LAB_ROW_HEIGHT = 46


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
        layout.addWidget(section_title("Lab results"))
        layout.addWidget(
            muted(
                "Dated results the pharmacy's checks need (e.g. G6PD before high-dose vitamin C, "
                "creatinine or eGFR for renal function).",
                hint=True,
            )
        )
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Lab", "Date", "Value", "Unit", "Interpretation", ""])
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setStyleSheet("QTableWidget { border: none; }")
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(5, 40)
        layout.addWidget(self.table)
        self.add_button = QPushButton("Add lab result")
        self.add_button.setObjectName("Link")
        self.add_button.clicked.connect(self.add_requested)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.error = error_label()
        layout.addWidget(self.error)
        self.slot = FieldSlot(self.table, self.error)
        self.fit_height()

    def add_row(self, lab: LabEntry) -> int:
        """Append a row showing ``lab``; its edits are written into ``lab``."""
        table = self.table
        index = table.rowCount()
        table.insertRow(index)
        code = QComboBox()
        code.setEditable(True)
        code.addItems(list(LAB_CODES))
        code.setCurrentText(lab.code)
        date = QLineEdit(lab.date)
        date.setPlaceholderText("YYYY-MM-DD")
        value = QLineEdit(lab.value)
        unit = QLineEdit(lab.unit)
        unit.setPlaceholderText("e.g. mg/dL")
        interpretation = QComboBox()
        interpretation.addItem("—", "")
        for option in LAB_INTERPRETATIONS:
            interpretation.addItem(option, option)
        interpretation.setCurrentIndex(max(0, interpretation.findData(lab.interpretation)))
        remove = QPushButton("✕")
        remove.setObjectName("Link")
        remove.setToolTip("Remove this result")
        for column, widget in enumerate((code, date, value, unit, interpretation, remove)):
            table.setCellWidget(index, column, widget)
        table.setRowHeight(index, LAB_ROW_HEIGHT)

        def changed() -> None:
            lab.code = code.currentText()
            lab.date, lab.value, lab.unit = date.text(), value.text(), unit.text()
            lab.interpretation = str(interpretation.currentData() or "")
            self.changed.emit()

        code.currentTextChanged.connect(lambda _t: changed())
        for edit in (date, value, unit):
            edit.textEdited.connect(lambda _t: changed())
        interpretation.currentIndexChanged.connect(lambda _i: changed())
        remove.clicked.connect(lambda: self.remove_requested.emit(lab))
        self.fit_height()
        return index

    def remove_row(self, index: int) -> None:
        self.table.removeRow(index)
        self.fit_height()

    def clear(self) -> None:
        self.table.setRowCount(0)

    def fit_height(self) -> None:
        table = self.table
        table.setVisible(table.rowCount() > 0)
        height = table.horizontalHeader().height() + sum(
            table.rowHeight(r) for r in range(table.rowCount())
        )
        table.setFixedHeight(height + 4)
