"""The audit trail for pharmacy admins: a paginated table, newest first, in local time,
with names and references beside the ids; filtered by user, action, dates and reference,
and exported to CSV.

Events hold ids, roles, codes and addresses, never patient data (the server keeps it
that way); this view only shows them. The export reads every filtered page and writes
the file on a worker thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portal_client.core import account_admin
from portal_client.core.account_admin import AuditFilter
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui import resources
from portal_client.gui.busy import BusyIndicator
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.theme import text_colour
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner, muted, read_only_table

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.wire import AdminUserPage, AuditEventWire, AuditPage

AUDIT_COLUMNS = (
    QT_TRANSLATE_NOOP("Marked", "Time"),
    QT_TRANSLATE_NOOP("Marked", "Who"),
    QT_TRANSLATE_NOOP("Marked", "Action"),
    QT_TRANSLATE_NOOP("Marked", "Outcome"),
    QT_TRANSLATE_NOOP("Marked", "From"),
    QT_TRANSLATE_NOOP("Marked", "Target"),
    QT_TRANSLATE_NOOP("Marked", "Details"),
)
PAGE_SIZE = 50
_FAILED_OUTCOMES = frozenset({"failure", "locked", "refused", "denied"})


def utc_text(stamp: Any) -> str:
    """``2026-11-26T15:09:01.123456Z`` → ``2026-11-26 15:09:01``."""
    if not stamp:
        return "—"
    text = str(stamp).replace("T", " ")
    return text[:19]


who_text = account_admin.who_text
target_text = account_admin.target_text
details_text = account_admin.details_text


def ask_export_path(parent: QWidget) -> Path | None:
    name, _filter = QFileDialog.getSaveFileName(
        parent,
        QCoreApplication.translate("AuditView", "Export the audit trail"),
        f"audit-{dt.date.today().isoformat()}.csv",
        QCoreApplication.translate("AuditView", "CSV files (*.csv)"),
    )
    return Path(name) if name else None


class AuditView(QWidget):
    #: Replaced by tests: where the CSV goes (None: the admin cancelled).
    ask_path: Callable[[QWidget], Path | None] = staticmethod(ask_export_path)

    def __init__(
        self, client: ApiClient, run: Callable[..., None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self._run = run
        self._cursors: list[str | None] = [None]  # the cursor of each page seen so far
        self._shown_cursors: list[str | None] = [None]  # as they were for the page shown
        self._next: str | None = None
        self.total = 0
        self.events: tuple[AuditEventWire, ...] = ()
        self._load_number = 0  # only the latest load's answer is shown; Cancel skips one
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        header = QHBoxLayout()
        title = QLabel(self.tr("Audit trail"))
        title.setObjectName("PageTitle")
        self.refresh_button = QPushButton(self.tr(" Refresh"))
        self.refresh_button.setIcon(resources.icon("refresh"))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.export_button)
        layout.addLayout(header)
        layout.addLayout(self._build_filters())
        layout.addWidget(
            muted(
                self.tr(
                    "Every sign-in, account change and prescription step, newest first. "
                    "Events are hash-chained; `pharmacy-server audit verify` proves none "
                    "was altered or removed."
                ),
                hint=True,
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = read_only_table(AUDIT_COLUMNS)
        self.table.setAccessibleName(self.tr("Audit trail"))
        layout.addWidget(self.table, 1)
        pager = QHBoxLayout()
        self.page_label = muted("", hint=True)
        self.newer_button = QPushButton(self.tr("‹ Newer"))
        self.older_button = QPushButton(self.tr("Older ›"))
        pager.addWidget(self.page_label, 1)
        self.busy = BusyIndicator()  # a read, a search: safe to stop
        self.busy.cancelled.connect(self._cancel_load)
        pager.addWidget(self.busy)
        pager.addWidget(self.newer_button)
        pager.addWidget(self.older_button)
        layout.addLayout(pager)
        self.refresh_button.clicked.connect(self.load_first)
        self.apply_button.clicked.connect(self.load_first)
        self.export_button.clicked.connect(self.export_csv)
        self.newer_button.clicked.connect(self.newer)
        self.older_button.clicked.connect(self.older)
        self._users_loaded = False
        self.exported: Path | None = None
        set_focus_chain(
            [
                self.refresh_button,
                self.export_button,
                self.user_filter,
                self.action_filter,
                self.from_filter,
                self.to_filter,
                self.reference_filter,
                self.apply_button,
                self.table,
                self.newer_button,
                self.older_button,
            ]
        )
        self._update_pager()

    # ------------------------------------------------------------ filters

    def current_filter(self) -> tuple[AuditFilter | None, str | None]:
        """The filter the fields describe, or what is wrong with them (and where)."""
        days: list[dt.date | None] = []
        for edit, what in (
            (self.from_filter, self.tr("From date")),
            (self.to_filter, self.tr("To date")),
        ):
            text = edit.text().strip()
            try:
                days.append(dt.date.fromisoformat(text) if text else None)
            except ValueError:
                return None, self.tr(
                    "{field}: enter the date as YYYY-MM-DD, e.g. 2026-12-01."
                ).format(field=what)
        reference = self.reference_filter.text().strip().upper() or None
        chosen = AuditFilter(
            actor_id=self.user_filter.currentData(),
            action=self.action_filter.text().strip() or None,
            from_day=days[0],
            to_day=days[1],
            reference=reference,
        )
        problem = chosen.problem()
        return (None, problem) if problem else (chosen, None)

    def _load_users(self) -> None:
        """The user filter's choices, once (names are not typed: an id goes to the server)."""
        if self._users_loaded:
            return
        self._users_loaded = True
        client = self.client

        def fill(page: AdminUserPage) -> None:
            for user in page.items:
                self.user_filter.addItem(f"{user.display_name} ({user.username})", user.id)

        def failed(_error: Exception) -> None:
            self._users_loaded = False  # try again on the next load

        self._run(lambda: account_admin.users(client), fill, failed, lambda: None)

    # ------------------------------------------------------------ export

    def export_csv(self) -> None:
        chosen, problem = self.current_filter()
        if chosen is None:
            self.banner.show_message(problem or "")
            return
        path = type(self).ask_path(self)
        if path is None:
            return
        client = self.client
        self.export_button.setEnabled(False)
        self.busy.start(self.tr("Exporting…"), cancellable=False)

        def done(count: int) -> None:
            self.exported = path
            self.banner.show_message(
                self.tr("Exported {count} events to {name}.").format(count=count, name=path.name),
                "info",
            )

        def failed(error: Exception) -> None:
            self.banner.show_message(
                self.tr("Could not export the audit trail: {error}").format(error=error)
            )

        def finished() -> None:
            self.busy.stop()
            self.export_button.setEnabled(True)

        self._run(
            lambda: account_admin.export_audit_csv(client, chosen, path), done, failed, finished
        )

    def _build_filters(self) -> QHBoxLayout:
        filters = QHBoxLayout()
        self.user_filter = guard_wheel(QComboBox())
        self.user_filter.addItem(self.tr("Any user"), None)
        self.user_filter.setAccessibleName(self.tr("Filter by user"))
        self.action_filter = QLineEdit()
        self.action_filter.setPlaceholderText(self.tr("Action, e.g. auth.login"))
        self.action_filter.setAccessibleName(self.tr("Filter by action"))
        self.from_filter = QLineEdit()
        self.from_filter.setPlaceholderText(self.tr("From YYYY-MM-DD"))
        self.from_filter.setAccessibleName(self.tr("From date (local)"))
        self.to_filter = QLineEdit()
        self.to_filter.setPlaceholderText(self.tr("To YYYY-MM-DD"))
        self.to_filter.setAccessibleName(self.tr("To date (local, included)"))
        self.reference_filter = QLineEdit()
        self.reference_filter.setPlaceholderText(self.tr("Reference, e.g. RX-261126-0001"))
        self.reference_filter.setAccessibleName(self.tr("Filter by prescription reference"))
        self.apply_button = QPushButton(self.tr("Apply filters"))
        for edit in (self.from_filter, self.to_filter):
            edit.setMinimumWidth(150)
        for edit in (self.action_filter, self.from_filter, self.to_filter, self.reference_filter):
            edit.setClearButtonEnabled(True)
            edit.returnPressed.connect(self.load_first)
        filters.addWidget(self.user_filter, 2)
        filters.addWidget(self.action_filter, 2)
        filters.addWidget(self.from_filter, 1)
        filters.addWidget(self.to_filter, 1)
        filters.addWidget(self.reference_filter, 2)
        filters.addWidget(self.apply_button)
        return filters

    @property
    def page_number(self) -> int:
        return len(self._cursors)

    def load_first(self) -> None:
        self._load_users()
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
        chosen, problem = self.current_filter()
        if chosen is None:
            # Nothing is sent; the fields keep what was typed, to correct.
            self.banner.show_message(problem or "")
            self._cursors = list(self._shown_cursors)
            self._update_pager()
            return
        self.newer_button.setEnabled(False)
        self.older_button.setEnabled(False)
        self._load_number += 1
        number = self._load_number
        self.busy.start(self.tr("Loading…"), cancellable=True)

        def fetch() -> AuditPage:
            return account_admin.audit_page(client, chosen, cursor=cursor, limit=PAGE_SIZE)

        def shown(page: AuditPage) -> None:
            if number == self._load_number:
                self._show(page)

        def failed(error: Exception) -> None:
            if number == self._load_number:
                self.banner.show_message(
                    self.tr("Could not load the audit trail: {error}").format(error=error)
                )

        def finished() -> None:
            if number == self._load_number:
                self.busy.stop()
                self._update_pager()

        self._run(fetch, shown, failed, finished)

    def _cancel_load(self) -> None:
        """The answer on its way is dropped; the page shown stays as it was."""
        self._load_number += 1
        self._cursors = list(self._shown_cursors)
        self._update_pager()

    def _show(self, page: AuditPage) -> None:
        self.banner.clear()
        self._shown_cursors = list(self._cursors)
        self.events = page.items
        self.total = page.total
        self._next = page.next_cursor
        self.table.setRowCount(len(page.items))
        failed = QColor(text_colour("error"))
        for row, event in enumerate(page.items):
            values = (
                account_admin.local_time_text(event.occurred_at),
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
                    cell.setToolTip(
                        self.tr("Event {seq} · {utc} UTC · hash {hash}…").format(
                            seq=event.seq, utc=utc_text(event.occurred_at), hash=event.hash[:16]
                        )
                    )
                if column == 5 and event.target_id:
                    cell.setToolTip(f"{event.target_type} {event.target_id}")
                if column == 1 and event.actor_id:
                    cell.setToolTip(
                        self.tr("Account id {actor_id}").format(actor_id=event.actor_id)
                    )
                self.table.setItem(row, column, cell)
        self._update_pager()

    def _update_pager(self) -> None:
        first = (self.page_number - 1) * PAGE_SIZE + 1
        last = first + len(self.events) - 1
        self.page_label.setText(
            self.tr("Events {first}–{last} of {total} · page {page_number}").format(
                first=first, last=last, total=self.total, page_number=self.page_number
            )
            if self.events
            else self.tr("No events.")
        )
        self.newer_button.setEnabled(self.page_number > 1)
        self.older_button.setEnabled(self._next is not None)
