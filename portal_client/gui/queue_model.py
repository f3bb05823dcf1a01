"""The pharmacist's queue as a lazily filled Qt table: a thin adapter over
``core.queue_pages.QueuePages`` (where the list stands) and the rows held so far.

The view calls ``canFetchMore``/``fetchMore`` as the last row comes into sight; the model
only says which page it wants (``more_wanted``) and the window fetches it off the GUI
thread, then hands it to ``add_page``. Rows arrive in the server's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal

from portal_client.core.api_client import Page
from portal_client.core.queue_pages import QueuePages, QueueQuery
from portal_client.gui.models import REVIEW_COLUMNS, PrescriptionTableModel

_Index = QModelIndex | QPersistentModelIndex


class QueueTableModel(PrescriptionTableModel):
    """Signals:
    more_wanted(QueueQuery, str): fetch the page at this cursor, then ``add_page``.
    """

    more_wanted = Signal(object, str)

    def __init__(
        self,
        columns: Sequence[str] = REVIEW_COLUMNS,
        parent: Any = None,
        *,
        viewer_role: str | None = None,
    ) -> None:
        super().__init__(columns, parent, viewer_role=viewer_role, keep_order=True)
        self.pages = QueuePages()

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self.pages.can_fetch_more()

    def fetchMore(self, parent: _Index) -> None:
        if parent.isValid():
            return
        wanted = self.pages.begin_more()
        if wanted is not None:
            self.more_wanted.emit(*wanted)

    def show_first(self, query: QueueQuery, page: Page) -> None:
        """The first page of ``query``: the rows held before are let go."""
        self.pages.start(query, page)
        self.replace(page.items, page.total)

    def add_page(self, query: QueueQuery, cursor: str, page: Page) -> bool:
        """Append a page asked for by ``more_wanted``; False if the list moved on."""
        if not self.pages.more_arrived(query, cursor, page):
            return False
        new = [item for item in page.items if self.state.index_of(item.id) is None]
        if new:
            start = len(self.state.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self.state.append(new)
            self.endInsertRows()
        return True
