"""The Patients page of the prescriber's window: search as you type, the record read
only, New patient, Edit, Add a result, and New prescription from a patient.

The decisions are ``core.patients``'s (``PatientSearch`` drops answers the user typed
past); every request runs through ``gui/ops.py``. Typing waits ``SEARCH_DEBOUNCE_MS``
before it searches. The search text is a patient's name or birth date: never logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.patient_wire import PatientPage, PatientRecord
from portal_client.core.patients import (
    SEARCH_DEBOUNCE_MS,
    SEARCH_PAGE_SIZE,
    PatientSearch,
    age_years,
    allergies_text,
    lab_rows,
    measure_text,
    sex_word,
    summary_line,
)
from portal_client.gui import resources
from portal_client.gui.ops import Op
from portal_client.gui.patient_dialog import PatientDialog, ResultDialog
from portal_client.gui.widgets import Banner, muted, read_only_table, section_title

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class PatientsPage(QWidget):
    """Signals:
    searched(): a search answer (or its failure) is shown (tests wait on it).
    record_shown(PatientRecord): the record view shows this record.
    prescribe_requested(PatientRecord): "New prescription" for this patient.
    """

    searched = Signal()
    record_shown = Signal(object)
    prescribe_requested = Signal(object)

    def __init__(
        self,
        client: ApiClient,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.client, self._today = client, today
        self.search = PatientSearch()
        self.record: PatientRecord | None = None
        self._record_ticket = 0
        self.dialog: PatientDialog | ResultDialog | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("PatientsSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_search())
        splitter.addWidget(self._build_record())
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.banner = Banner()
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self._show_record(None)

    # ---------------------------------------------------------------- parts

    def _build_search(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 8, 0)
        row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("Search by name or date of birth (YYYY-MM-DD)"))
        self.query.setAccessibleName(self.tr("Search patients"))
        self.query.setClearButtonEnabled(True)
        self.query.textEdited.connect(self._typed)
        self.query.returnPressed.connect(self.search_now)
        self.query.installEventFilter(self)
        self.new_patient_button = QPushButton(self.tr(" New patient…"))
        self.new_patient_button.setIcon(resources.icon("plus"))
        self.new_patient_button.clicked.connect(self.open_new_patient)
        row.addWidget(self.query, 1)
        row.addWidget(self.new_patient_button)
        column.addLayout(row)
        self.status = muted("")
        self.status.setAccessibleName(self.tr("Search status"))
        column.addWidget(self.status)
        self.results = QListWidget()
        self.results.setAccessibleName(self.tr("Patients found"))
        self.results.currentRowChanged.connect(self._row_chosen)
        self.results.itemActivated.connect(lambda _item: self.prescribe_current())
        self.results.installEventFilter(self)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._context_menu)
        column.addWidget(self.results, 1)
        self.more_button = QPushButton(self.tr("Show more patients"))
        self.more_button.setObjectName("Link")
        self.more_button.clicked.connect(self.fetch_more)
        self.more_button.hide()
        column.addWidget(self.more_button)
        # The buttons beside the record, offered on a row too (the actions belong to the
        # page: they have no key and are not menu bar entries).
        self.context_menu = QMenu(self.results)
        for text, slot in (
            (self.tr("New prescription"), self.prescribe_current),
            (self.tr("Edit…"), self.open_edit),
            (self.tr("Add a result…"), self.open_add_result),
        ):
            action = QAction(text, self)
            action.triggered.connect(lambda _checked=False, run=slot: run())
            self.context_menu.addAction(action)
        return box

    def _build_record(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(8, 0, 0, 0)
        self.record_title = section_title("")
        self.record_details = QLabel()
        self.record_details.setWordWrap(True)
        self.record_details.setTextFormat(Qt.TextFormat.PlainText)
        self.record_details.setAccessibleName(self.tr("Patient details"))
        column.addWidget(self.record_title)
        column.addWidget(self.record_details)
        actions = QHBoxLayout()
        self.prescribe_button = QPushButton(self.tr(" New prescription"))
        self.prescribe_button.setObjectName("Primary")
        self.prescribe_button.setIcon(resources.icon("plus"))
        self.prescribe_button.setToolTip(
            self.tr("A new prescription filled from this record (Enter in the list)")
        )
        self.prescribe_button.clicked.connect(self.prescribe_current)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.clicked.connect(self.open_edit)
        self.add_result_button = QPushButton(self.tr("Add a result…"))
        self.add_result_button.clicked.connect(self.open_add_result)
        for button in (self.prescribe_button, self.edit_button, self.add_result_button):
            button.setMinimumHeight(34)
            actions.addWidget(button)
        actions.addStretch(1)
        column.addLayout(actions)
        column.addWidget(QLabel(self.tr("Lab results")))
        self.labs_table = read_only_table(
            ["Lab", "Date", "Value", "Interpretation"], single_selection=True
        )
        self.labs_table.setHorizontalHeaderLabels(
            [self.tr("Lab"), self.tr("Date"), self.tr("Value"), self.tr("Interpretation")]
        )
        self.labs_table.setAccessibleName(self.tr("Lab results"))
        column.addWidget(self.labs_table, 1)
        column.addWidget(QLabel(self.tr("Documents")))
        self.documents = QListWidget()
        self.documents.setAccessibleName(self.tr("Documents"))
        self.documents.setMaximumHeight(90)
        column.addWidget(self.documents)
        return box

    def inputs(self) -> list[QWidget]:
        """The page's Tab order."""
        return [
            self.query,
            self.new_patient_button,
            self.results,
            self.more_button,
            self.prescribe_button,
            self.edit_button,
            self.add_result_button,
            self.labs_table,
            self.documents,
        ]

    # --------------------------------------------------------------- search

    def _typed(self, text: str) -> None:
        if self.search.wants_search(text):
            self._debounce.start()  # restarts: one search when typing pauses

    def start(self) -> None:
        """The first time the page shows: the clinic's patients, newest first."""
        if self.search.shown_query is None and not self.search.loading:
            self.search_now()

    def search_now(self) -> None:
        self._debounce.stop()
        ticket, query = self.search.begin(self.query.text())
        client = self.client
        self._show_status()
        Op(self, lambda: client.search_patients(query, limit=SEARCH_PAGE_SIZE)).success(
            lambda page: self._answered(ticket, page, more=False)
        ).failure(lambda error: self._failed(ticket, error)).run()

    def fetch_more(self) -> None:
        asked = self.search.begin_more()
        if asked is None:
            return
        ticket, query, cursor = asked
        client = self.client
        self._show_status()
        Op(
            self, lambda: client.search_patients(query, cursor=cursor, limit=SEARCH_PAGE_SIZE)
        ).success(lambda page: self._answered(ticket, page, more=True)).failure(
            lambda error: self._failed(ticket, error)
        ).run()

    def _answered(self, ticket: int, page: PatientPage, *, more: bool) -> None:
        if not self.search.accept(ticket, page, more=more):
            return  # the user typed on: a newer search is on its way
        today = self._today()
        kept = self.results.currentRow()
        self.results.blockSignals(True)
        if not more:
            self.results.clear()
        for row in page.items:
            item = QListWidgetItem(summary_line(row, today))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.results.addItem(item)
        self.results.blockSignals(False)
        if more and kept >= 0:
            self.results.setCurrentRow(kept)
        self._show_status()
        self.searched.emit()

    def _failed(self, ticket: int, error: Exception) -> None:
        if self.search.fail(ticket, str(error)):
            self._show_status()
            self.searched.emit()

    def _show_status(self) -> None:
        self.status.setText(self.search.status_text())
        self.status.setObjectName("FieldError" if self.search.error else "")
        self.more_button.setVisible(self.search.has_more)
        self.more_button.setEnabled(not self.search.loading)

    # --------------------------------------------------------------- record

    def _row_chosen(self, row: int) -> None:
        item = self.results.item(row) if row >= 0 else None
        if item is not None:
            self.open_record(str(item.data(Qt.ItemDataRole.UserRole)))

    def open_record(self, patient_id: str) -> None:
        self._record_ticket += 1
        ticket, client = self._record_ticket, self.client

        def shown(record: PatientRecord) -> None:
            if ticket == self._record_ticket:
                self._show_record(record)

        def failed(error: Exception) -> None:
            if ticket == self._record_ticket:
                self.banner.show_message(str(error), "error")

        Op(self, lambda: client.get_patient(patient_id)).success(shown).failure(failed).run()

    def _show_record(self, record: PatientRecord | None) -> None:
        self.record = record
        for button in (self.prescribe_button, self.edit_button, self.add_result_button):
            button.setEnabled(record is not None)
        self.labs_table.setRowCount(0)
        self.documents.clear()
        if record is None:
            self.record_title.setText(self.tr("No patient chosen"))
            self.record_details.setText(self.tr("Search, then choose a patient to see the record."))
            return
        self.banner.clear()
        self.record_title.setText(f"{record.family_name}, {record.given_name}")
        lines = [
            self.tr("Date of birth: {date} (age {age})").format(
                date=record.birth_date.isoformat(), age=age_years(record.birth_date, self._today())
            ),
            self.tr("Sex: {sex}").format(sex=sex_word(record.sex)),
            self.tr("Allergies: {allergies}").format(allergies=allergies_text(record)),
            self.tr("Weight: {weight}").format(weight=measure_text(record.weight, "kg")),
            self.tr("Height: {height}").format(height=measure_text(record.height, "cm")),
        ]
        self.record_details.setText("\n".join(lines))
        for row, cells in enumerate(lab_rows(record)):
            self.labs_table.insertRow(row)
            for column, text in enumerate(cells):
                self.labs_table.setItem(row, column, QTableWidgetItem(text))
        for document in record.documents:
            self.documents.addItem(
                self.tr("{name} ({kind}, uploaded {date})").format(
                    name=document.filename,
                    kind=document.content_type,
                    date=document.uploaded_at.date().isoformat(),
                )
            )
        if not record.documents:
            self.documents.addItem(self.tr("No documents attached"))
        self.record_shown.emit(record)

    def record_saved(self, record: PatientRecord) -> None:
        """A dialog saved ``record``: show it, and its row's new words."""
        self._show_record(record)
        summary = record.summary()
        for index in range(self.results.count()):
            item = self.results.item(index)
            if item.data(Qt.ItemDataRole.UserRole) == record.id:
                item.setText(summary_line(summary, self._today()))
                return
        item = QListWidgetItem(summary_line(summary, self._today()))
        item.setData(Qt.ItemDataRole.UserRole, record.id)
        self.results.blockSignals(True)
        self.results.insertItem(0, item)
        self.results.setCurrentRow(0)
        self.results.blockSignals(False)

    # -------------------------------------------------------------- actions

    def prescribe_current(self) -> None:
        record = self.record
        item = self.results.currentItem()
        if record is None or item is None or item.data(Qt.ItemDataRole.UserRole) != record.id:
            return  # its record is still on its way
        self.prescribe_requested.emit(record)

    def open_new_patient(self) -> None:
        self._open(PatientDialog(self.client, None, self, today=self._today))

    def open_edit(self) -> None:
        if self.record is not None:
            self._open(PatientDialog(self.client, self.record, self, today=self._today))

    def open_add_result(self, code: str = "") -> None:
        if self.record is not None:
            self._open(ResultDialog(self.client, self.record, self, code=code, today=self._today))

    def _open(self, dialog: PatientDialog | ResultDialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(self.record_saved)
        dialog.finished.connect(lambda _code: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _context_menu(self, position: QPoint) -> None:
        item = self.results.itemAt(position)
        if item is None:
            return
        self.results.setCurrentItem(item)
        self.context_menu.popup(self.results.viewport().mapToGlobal(position))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        # Enter on the list is "New prescription" (itemActivated is platform-dependent).
        if watched is self.results and event.key() in _ENTER:
            self.prescribe_current()
            return True
        # Down from the search goes into the results, on the first row.
        if watched is self.query and event.key() == Qt.Key.Key_Down and self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(max(0, self.results.currentRow()))
            return True
        return super().eventFilter(watched, event)
