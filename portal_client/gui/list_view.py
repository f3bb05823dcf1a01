"""A prescription table beside its detail pane: shared by both role windows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from portal_client.core.presentation import prescription_html
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.badges import ID_ROLE, StatusBadgeDelegate
from portal_client.gui.models import PrescriptionTableModel
from portal_client.gui.ops import Op
from portal_client.gui.theme import text_colour

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient

#: Asks where to save (parent, suggested file name) → path or None. Tests replace it.
SavePathChooser = Callable[[QWidget, str], "Path | None"]


def choose_save_path(parent: QWidget, suggested: str) -> Path | None:
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("ListView", "Save as FHIR"),
        suggested,
        QCoreApplication.translate("ListView", "FHIR JSON (*.json);;All files (*)"),
    )
    return Path(path) if path else None


def write_fhir_file(bundle: Mapping[str, Any], path: Path) -> Path:
    """Write the Bundle atomically (worker thread): a half-written export never remains."""
    import json
    import os
    import tempfile

    data = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    handle, temp = tempfile.mkstemp(prefix=".fhir-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def empty_detail() -> str:
    return (
        f"<p style='color:{text_colour('muted')};margin-top:40px' align='center'>"
        + QCoreApplication.translate("ListView", "Select a prescription to see it in full.")
        + "</p>"
    )


class PrescriptionBrowser(QSplitter):
    """Table on the left, the selected prescription in full on the right.

    Signals:
        current_changed(PrescriptionWire | None): the selected prescription or None.
        rendered(PrescriptionWire | None): the detail pane was redrawn: another selection, or the
            selected prescription changed (a refresh, an action); its actions follow it.
    """

    current_changed = Signal(object)
    rendered = Signal(object)

    def __init__(
        self,
        columns: Sequence[str],
        parent: QWidget | None = None,
        *,
        viewer_role: str | None = None,
        by_needed_by: bool = False,
        model: PrescriptionTableModel | None = None,
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self.names: Mapping[str, str] = {}
        self._quiet = False
        self._shown_id: str | None = None  # the prescription the detail pane shows
        self.model = model or PrescriptionTableModel(
            columns, self, viewer_role=viewer_role, by_needed_by=by_needed_by
        )
        self.table = self._build_table(columns)
        self._empty_text = ""
        self._loaded = False
        self.empty_label = self._build_empty_label()
        self.table.viewport().installEventFilter(self)  # keeps the label over the rows
        self.detail = QTextBrowser()
        self.detail.setAccessibleName(self.tr("Prescription details"))
        self.detail.setOpenLinks(False)
        self.detail.setHtml(empty_detail())
        self.detail.document().setDocumentMargin(16)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table)
        self.left_layout = left_layout
        self.right = QWidget()
        self.right_layout = QVBoxLayout(self.right)
        self.right_layout.setContentsMargins(0, 0, 0, 0)
        # Under the shown prescription: a row of its copies (FHIR, PDF, print), then a
        # row of the role's decisions, like a dialog's buttons. In one row, the two made
        # the pane so wide when an order opened that the list lost its last columns.
        self.export_actions = QHBoxLayout()
        self.export_actions.setContentsMargins(0, 4, 0, 0)
        self.export_actions.setSpacing(8)
        self.export_actions.addStretch(1)
        self.detail_actions = QHBoxLayout()
        self.detail_actions.setContentsMargins(0, 4, 0, 0)
        self.detail_actions.setSpacing(8)
        self.detail_actions.addStretch(1)  # the decisions sit on the right
        self.right_layout.addWidget(self.detail, 1)
        self.right_layout.addLayout(self.export_actions)
        self.right_layout.addLayout(self.detail_actions)
        self.fhir_button: QPushButton | None = None
        self._client: ApiClient | None = None
        self._choose_path: SavePathChooser = choose_save_path
        self.on_export_message: Callable[[str, str], object] = lambda _text, _kind: None
        self.addWidget(left)
        self.addWidget(self.right)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setSizes([700, 480])
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

    def _size_columns(self, table: QTableView, columns: Sequence[str]) -> None:
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Names and template titles share what is left; long ones are elided (full text
        # in the tooltip and the detail pane), so the table never scrolls sideways. The
        # template gets the larger share: its titles are the longest text in a row.
        for key in ("patient", "template"):
            if key in columns:
                header.setSectionResizeMode(
                    self.model.column_of(key), QHeaderView.ResizeMode.Stretch
                )
        header.setMinimumSectionSize(80)
        header.setStretchLastSection(False)

    def _build_table(self, columns: Sequence[str]) -> QTableView:
        table = QTableView()
        table.setAccessibleName(self.tr("Prescriptions"))
        table.setTabKeyNavigation(False)  # the arrows move between rows; Tab leaves the list
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(38)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setItemDelegateForColumn(self.model.column_of("status"), StatusBadgeDelegate(table))
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._size_columns(table, columns)
        return table

    def _build_empty_label(self) -> QLabel:
        """Said over an empty table once a list has arrived ("Nothing waiting for review")."""
        label = QLabel(self.table.viewport())
        label.setObjectName("Hint")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.hide()
        for changed in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            changed.connect(self._update_empty)
        return label

    def set_empty_text(self, text: str) -> None:
        """What an empty list says (shown only once a list has been loaded)."""
        self._empty_text = text
        self._update_empty()

    def _update_empty(self) -> None:
        empty = self._loaded and self.model.rowCount() == 0 and bool(self._empty_text)
        self.empty_label.setText(self._empty_text)
        self._place_empty_label()
        self.empty_label.setVisible(empty)

    def _place_empty_label(self) -> None:
        area = self.table.viewport().rect()
        self.empty_label.setGeometry(
            area.left() + 24, area.top() + 32, max(0, area.width() - 48), 60
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._place_empty_label()
        return super().eventFilter(watched, event)

    def detail_actions_visible(self, visible: bool) -> None:
        """Show or hide every widget of the rows under the detail (e.g. while confirming)."""
        for row in (self.export_actions, self.detail_actions):
            for index in range(row.count()):
                item = row.itemAt(index)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.setVisible(visible)

    def current(self) -> PrescriptionWire | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.state.rows[rows[0].row()].wire

    def current_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return str(rows[0].data(ID_ROLE)) if rows else None

    def show_items(self, items: Sequence[PrescriptionWire], total: int | None = None) -> None:
        """Replace the rows, keeping the selected prescription selected."""
        selected = self.current_id()
        self._loaded = True
        self.model.replace(items, total)
        if selected is not None:
            self.select(selected, notify=False)
        self._render_current()
        self._update_empty()

    def clear_while_loading(self) -> None:
        """Empty the table for another list on its way: no "nothing here" until it comes."""
        self.show_items([])
        self._loaded = False
        self._update_empty()

    def upsert(self, item: PrescriptionWire) -> None:
        selected = self.current_id()
        self.model.upsert(item)
        if selected is not None:
            self.select(selected, notify=False)
        self._render_current()

    def select(self, prescription_id: str, notify: bool = True) -> bool:
        row = self.model.row_for(prescription_id)
        if row is None:
            self.table.clearSelection()
            return False
        self._quiet = not notify
        try:
            self.table.selectRow(row)
        finally:
            self._quiet = False
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._render_current()
        if not self._quiet:
            self.current_changed.emit(self.current())

    def render_current(self) -> None:
        """Show the selected prescription again (its row changed in place)."""
        self._render_current()

    def _render_current(self) -> None:
        """Show the selected prescription; a refresh of the same one keeps the scroll
        position, another one starts at the top (where an open question is)."""
        item = self.current()
        shown = None if item is None else item.id
        scroll = self.detail.verticalScrollBar().value() if shown == self._shown_id else 0
        self._shown_id = shown
        self.detail.setHtml(
            empty_detail()
            if item is None
            else prescription_html(item, self.names, viewer_role=self.model.viewer_role)
        )
        if self.fhir_button is not None:
            self.fhir_button.setEnabled(item is not None)
        self.detail.verticalScrollBar().setValue(scroll)
        self.rendered.emit(item)

    # ------------------------------------------------------------ FHIR export

    def enable_fhir_export(
        self, client: ApiClient, choose_path: SavePathChooser | None = None
    ) -> None:
        """Add "Save as FHIR…" under the detail (GET …/fhir, file written in the background)."""
        self._client = client
        if choose_path is not None:
            self._choose_path = choose_path
        button = QPushButton(self.tr(" Save as FHIR…"))
        button.setObjectName("Link")
        button.setToolTip(
            self.tr("Save this prescription as a FHIR R4 Bundle (JSON) for another system")
        )
        button.setEnabled(False)
        button.clicked.connect(self.save_current_as_fhir)
        self.export_actions.insertWidget(0, button)
        self.fhir_button = button
        self.current_changed.connect(lambda item: button.setEnabled(item is not None))

    def save_current_as_fhir(self) -> None:
        item = self.current()
        client = self._client
        if item is None or client is None:
            return
        reference = item.reference or item.id or "prescription"
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in reference)
        path = self._choose_path(self, f"{safe}.fhir.json")
        if path is None:
            return
        prescription_id = item.id

        def export() -> Path:
            return write_fhir_file(client.prescription_fhir(prescription_id), path)

        Op(self, export).success(
            lambda saved: self.on_export_message(
                self.tr("Saved {reference} as FHIR to {saved}.").format(
                    reference=reference, saved=saved
                ),
                "info",
            )
        ).failure(
            lambda error: self.on_export_message(
                self.tr("Could not save as FHIR: {error}").format(error=error), "error"
            )
        ).run()

    def index_for(self, prescription_id: str) -> QModelIndex:
        row = self.model.row_for(prescription_id)
        return QModelIndex() if row is None else self.model.index(row, 0)
