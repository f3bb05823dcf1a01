"""Qt table model over ``core.prescription_list.PrescriptionList`` (a thin adapter)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from portal_client.core.claims import other_holder, reviewing_text
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.core.messages import with_unread_mark
from portal_client.core.prescription_list import (
    PrescriptionList,
    PrescriptionRow,
    format_timestamp,
)
from portal_client.core.presentation import queue_status_label, status_label, status_short_label
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.badges import ID_ROLE, STATUS_ROLE
from portal_client.gui.i18n import marked

_Index = QModelIndex | QPersistentModelIndex


#: The roles ``data`` answers: the text, its tooltip, and the badge's and selection's own.
_ANSWERED_ROLES = frozenset(
    int(role)
    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, STATUS_ROLE, ID_ROLE)
)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    text: Callable[[PrescriptionRow], str]


COLUMNS: dict[str, Column] = {
    column.key: column
    for column in (
        Column("reference", QT_TRANSLATE_NOOP("Marked", "Reference"), lambda r: r.reference),
        Column("patient", QT_TRANSLATE_NOOP("Marked", "Patient"), lambda r: r.patient),
        Column("template", QT_TRANSLATE_NOOP("Marked", "Template"), lambda r: r.template_name),
        Column("prescriber", QT_TRANSLATE_NOOP("Marked", "Prescriber"), lambda r: r.prescriber),
        Column(
            "status", QT_TRANSLATE_NOOP("Marked", "Status"), lambda r: status_short_label(r.status)
        ),
        Column(
            "submitted",
            QT_TRANSLATE_NOOP("Marked", "Submitted"),
            lambda r: format_timestamp(r.created_at),
        ),
        Column(
            "updated",
            QT_TRANSLATE_NOOP("Marked", "Updated"),
            lambda r: format_timestamp(r.updated_at),
        ),
        Column(
            "needed_by",
            QT_TRANSLATE_NOOP("Marked", "Needed by"),
            lambda r: r.needed_by or "—",
        ),
    )
}

#: The reference of an order another pharmacist is reviewing (the queue's marker).
_REVIEWING_MARK = QT_TRANSLATE_NOOP("Marked", "{reference} · {name} reviewing")

PRESCRIBER_COLUMNS = ("reference", "patient", "template", "status", "submitted", "updated")
REVIEW_COLUMNS = (
    "reference",
    "patient",
    "template",
    "prescriber",
    "status",
    "needed_by",
    "submitted",
)


class PrescriptionTableModel(QAbstractTableModel):
    """Rows of a ``PrescriptionList``; ``STATUS_ROLE`` and ``ID_ROLE`` give the raw values.

    ``viewer_role`` words the status for who reads it ("Question for you")."""

    def __init__(
        self,
        columns: Sequence[str] = PRESCRIBER_COLUMNS,
        parent: Any = None,
        *,
        viewer_role: str | None = None,
        by_needed_by: bool = False,
        keep_order: bool = False,
    ) -> None:
        super().__init__(parent)
        self.state = PrescriptionList(by_needed_by=by_needed_by, keep_order=keep_order)
        self.columns = [COLUMNS[key] for key in columns]
        self.viewer_role = viewer_role
        #: The signed-in user: another pharmacist's claim is marked on the row.
        self.viewer_id: str | None = None

    def column_of(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    # Qt model interface ---------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.state.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks a dozen roles of every cell each time it sizes the columns (all
        # rows held, on each layout): the roles with no answer return before any lookup.
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row_number = index.row()
        if not 0 <= row_number < len(self.state.rows):
            return None
        row = self.state.rows[row_number]
        if role == STATUS_ROLE:
            return row.status
        if role == ID_ROLE:
            return row.id
        column = self.columns[index.column()]
        return self._text(row, column, tooltip=role == Qt.ItemDataRole.ToolTipRole)

    def _text(self, row: PrescriptionRow, column: Column, *, tooltip: bool) -> str:
        """The reference carries the unread messages' badge: a column of its own would be
        the first the detail pane hides."""
        text = self._column_text(row, column, tooltip=tooltip)
        if column.key == "reference":
            return with_unread_mark(text, row.wire.unread_messages, tooltip=tooltip)
        return text

    def _column_text(self, row: PrescriptionRow, column: Column, *, tooltip: bool) -> str:
        """Stretched columns may elide: the tooltip always has the whole text (and the
        status in full words rather than the badge's short ones)."""
        if column.key == "reference" and self.viewer_id is not None:
            holder = other_holder(row.wire, self.viewer_id)
            if holder is not None:  # the marker: someone else is reviewing this one
                if tooltip:
                    return reviewing_text(holder)
                return marked(_REVIEWING_MARK).format(reference=row.reference, name=holder.name)
        if column.key != "status":
            return column.text(row)
        if tooltip:
            return status_label(row.status)
        return queue_status_label(row.status, row.answered, self.viewer_role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return marked(self.columns[section].title)
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
        probe = PrescriptionList(
            by_needed_by=self.state.by_needed_by, keep_order=self.state.keep_order
        )
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
