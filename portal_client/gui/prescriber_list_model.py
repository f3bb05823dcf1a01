"""The prescriber's "Sent to the pharmacy" list as a lazily filled Qt table: the queue's
model (pages as they come into view) plus what a refresh of only the changes does
(``core.prescriber_pages.plan_changes``): rows held updated in place, newer orders
inserted on top. No reset, so the selection and the scroll position stay."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex

from portal_client.core.prescriber_pages import plan_changes
from portal_client.core.prescription_list import PrescriptionRow
from portal_client.core.wire import PrescriptionWire
from portal_client.gui.queue_model import QueueTableModel


class PrescriberListModel(QueueTableModel):
    def apply_changes(self, changes: Sequence[PrescriptionWire]) -> int:
        """Fit the orders changed since the last refresh; returns how many went on top."""
        held = [row.wire for row in self.state.rows]
        plan = plan_changes(held, changes)
        for position, item in plan.updates:
            self.state.rows[position] = PrescriptionRow.from_wire(item)
            self.dataChanged.emit(
                self.index(position, 0), self.index(position, self.columnCount() - 1)
            )
        if plan.on_top:
            self.beginInsertRows(QModelIndex(), 0, len(plan.on_top) - 1)
            self.state.rows[:0] = [PrescriptionRow.from_wire(item) for item in plan.on_top]
            self.state.total += len(plan.on_top)
            self.pages.total += len(plan.on_top)
            self.pages.shown += len(plan.on_top)
            self.endInsertRows()
        return len(plan.on_top)

    def upsert(self, item: PrescriptionWire) -> None:
        """One order just submitted or moved, without a round trip: in place or on top."""
        self.apply_changes([item])
