"""The audit trail for pharmacy admins: a paginated table, newest first.

Events hold ids, roles, codes and addresses, never patient data (the server keeps it
that way); this view only shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portal_client.core import accounts
from portal_client.gui import resources
from portal_client.gui.widgets import Banner, muted, read_only_table

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.wire import AuditEventWire, AuditPage

AUDIT_COLUMNS = ("Time (UTC)", "Who", "Action", "Outcome", "From", "Target", "Details")
PAGE_SIZE = 50
_FAILED_OUTCOMES = frozenset({"failure", "locked", "refused", "denied"})


def utc_text(stamp: Any) -> str:
    """``2026-11-26T15:09:01.123456Z`` → ``2026-11-26 15:09:01``."""
    if not stamp:
        return "—"
    text = str(stamp).replace("T", " ")
    return text[:19]


def who_text(event: AuditEventWire) -> str:
    """``admin1 (admin)`` from the event's ``actor_username``; events written before the
    server recorded usernames (and anonymous callers) fall back to role and id."""
    name = event.actor_username
    role = event.actor_role
    actor = event.actor_id
    if name:
        return f"{name} ({role})" if role else str(name)
    if actor:
        return f"{role or 'user'} {str(actor)[:8]}"
    return "anonymous"


def target_text(event: AuditEventWire) -> str:
    kind, ident = event.target_type, event.target_id
    if not kind:
        return ""
    return f"{kind} {str(ident)[:8]}" if ident else str(kind)


def details_text(event: AuditEventWire) -> str:
    details = event.details
    return ", ".join(f"{key}: {value}" for key, value in sorted(details.items()))


class AuditView(QWidget):
    def __init__(
        self, client: ApiClient, run: Callable[..., None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self._run = run
        self._cursors: list[str | None] = [None]  # the cursor of each page seen so far
        self._next: str | None = None
        self.total = 0
        self.events: tuple[AuditEventWire, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        header = QHBoxLayout()
        title = QLabel("Audit trail")
        title.setObjectName("PageTitle")
        self.action_filter = QLineEdit()
        self.action_filter.setPlaceholderText("Action, e.g. auth.login")
        self.action_filter.setAccessibleName("Filter by action")
        self.action_filter.setClearButtonEnabled(True)
        self.action_filter.setFixedWidth(220)
        self.refresh_button = QPushButton(" Refresh")
        self.refresh_button.setIcon(resources.icon("refresh"))
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.action_filter)
        header.addWidget(self.refresh_button)
        layout.addLayout(header)
        layout.addWidget(
            muted(
                "Every sign-in, account change and prescription step, newest first. "
                "Events are hash-chained; `pharmacy-server audit verify` proves none "
                "was altered or removed.",
                hint=True,
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = read_only_table(AUDIT_COLUMNS)
        layout.addWidget(self.table, 1)
        pager = QHBoxLayout()
        self.page_label = muted("", hint=True)
        self.newer_button = QPushButton("‹ Newer")
        self.older_button = QPushButton("Older ›")
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.newer_button)
        pager.addWidget(self.older_button)
        layout.addLayout(pager)
        self.refresh_button.clicked.connect(self.load_first)
        self.action_filter.returnPressed.connect(self.load_first)
        self.newer_button.clicked.connect(self.newer)
        self.older_button.clicked.connect(self.older)
        self._update_pager()

    @property
    def page_number(self) -> int:
        return len(self._cursors)

    def load_first(self) -> None:
        self._cursors = [None]
        self._load(None)

    def older(self) -> None:
        if self._next is None:
            return
        self._cursors.append(self._next)
        self._load(self._next)

    def newer(self) -> None:
        if len(self._cursors) <= 1:
            return
        self._cursors.pop()
        self._load(self._cursors[-1])

    def _load(self, cursor: str | None) -> None:
        client = self.client
        action = self.action_filter.text().strip() or None
        self.newer_button.setEnabled(False)
        self.older_button.setEnabled(False)

        def fetch() -> AuditPage:
            return accounts.audit_events(client, cursor=cursor, limit=PAGE_SIZE, action=action)

        self._run(
            fetch,
            self._show,
            lambda error: self.banner.show_message(f"Could not load the audit trail: {error}"),
            self._update_pager,
        )

    def _show(self, page: AuditPage) -> None:
        self.banner.clear()
        self.events = page.items
        self.total = page.total
        self._next = page.next_cursor
        self.table.setRowCount(len(page.items))
        failed = QColor("#A3261D")
        for row, event in enumerate(page.items):
            values = (
                utc_text(event.occurred_at),
                who_text(event),
                event.action,
                event.outcome,
                event.client_address or "—",
                target_text(event),
                details_text(event),
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if column == 3 and value in _FAILED_OUTCOMES:
                    cell.setForeground(failed)
                if column == 0:
                    cell.setToolTip(f"Event {event.seq} · hash {event.hash[:16]}…")
                if column == 1 and event.actor_id:
                    cell.setToolTip(f"Account id {event.actor_id}")
                self.table.setItem(row, column, cell)
        self._update_pager()

    def _update_pager(self) -> None:
        first = (self.page_number - 1) * PAGE_SIZE + 1
        last = first + len(self.events) - 1
        self.page_label.setText(
            f"Events {first}–{last} of {self.total} · page {self.page_number}"
            if self.events
            else "No events."
        )
        self.newer_button.setEnabled(self.page_number > 1)
        self.older_button.setEnabled(self._next is not None)
