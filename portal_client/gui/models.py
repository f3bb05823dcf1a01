"""Qt table model over ``core.prescription_list.PrescriptionList`` (a thin adapter)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from portal_client.core.prescription_list import (
    PrescriptionList,
    PrescriptionRow,
    format_timestamp,
)
from portal_client.core.presentation import status_label, status_short_label
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.badges import ID_ROLE, STATUS_ROLE

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    text: Callable[[PrescriptionRow], str]


COLUMNS: dict[str, Column] = {
    column.key: column
    for column in (
        Column("reference", "Reference", lambda r: r.reference),
        Column("patient", "Patient", lambda r: r.patient),
        Column("template", "Template", lambda r: r.template_name),
        Column("prescriber", "Prescriber", lambda r: r.prescriber),
        Column("status", "Status", lambda r: status_short_label(r.status)),
        Column("submitted", "Submitted", lambda r: format_timestamp(r.created_at)),
        Column("updated", "Updated", lambda r: format_timestamp(r.updated_at)),
    )
}

PRESCRIBER_COLUMNS = ("reference", "patient", "template", "status", "submitted", "updated")
REVIEW_COLUMNS = ("reference", "patient", "template", "prescriber", "status", "submitted")


class PrescriptionTableModel(QAbstractTableModel):
    """Rows of a ``PrescriptionList``; ``STATUS_ROLE`` and ``ID_ROLE`` give the raw values.

    ``viewer_role`` words the status for who reads it ("Question for you")."""

    def __init__(
        self,
        columns: Sequence[str] = PRESCRIBER_COLUMNS,
        parent: Any = None,
        *,
        viewer_role: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = PrescriptionList()
        self.columns = [COLUMNS[key] for key in columns]
        self.viewer_role = viewer_role

    def column_of(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    # Qt model interface ---------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.state.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.state.rows):
            return None
        row = self.state.rows[index.row()]
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, column, tooltip=role == Qt.ItemDataRole.ToolTipRole)
        return {STATUS_ROLE: row.status, ID_ROLE: row.id}.get(role)

    def _text(self, row: PrescriptionRow, column: Column, *, tooltip: bool) -> str:
        """Stretched columns may elide: the tooltip always has the whole text (and the
        status in full words rather than the badge's short ones)."""
        if column.key != "status":
            return column.text(row)
        if tooltip:
            return status_label(row.status)
        return status_short_label(row.status, self.viewer_role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    # updates --------------------------------------------------------------

    def replace(self, items: Sequence[PrescriptionWire], total: int | None = None) -> None:
        """Show a fresh list; an unchanged list only repaints the rows that changed."""
        if not self.state.loaded or self._would_reset(items):
            self.beginResetModel()
            self.state.replace(items, total)
            self.endResetModel()
            return
        change = self.state.replace(items, total)
        for row in change.changed_rows:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _would_reset(self, items: Sequence[PrescriptionWire]) -> bool:
        probe = PrescriptionList()
        probe.replace(items)
        return [r.id for r in probe.rows] != [r.id for r in self.state.rows]

    def upsert(self, item: PrescriptionWire) -> None:
        existing = self.state.index_of(item.id)
        if existing is None:
            self.replace([*(r.wire for r in self.state.rows), item], self.state.total + 1)
        else:
            self.state.upsert(item)
            self.dataChanged.emit(
                self.index(existing, 0), self.index(existing, self.columnCount() - 1)
            )

    def row_for(self, prescription_id: str) -> int | None:
        return self.state.index_of(prescription_id)
