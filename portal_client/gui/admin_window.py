"""Pharmacy administration: account requests to approve or reject, and (admins) the audit
trail. A window of the signed-in user's main window, so the idle lock hides it too."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME
from portal_client.core import accounts
from portal_client.gui import resources
from portal_client.gui.audit_view import AuditView, utc_text
from portal_client.gui.widgets import Banner, muted, read_only_table

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.wire import AccountRequestPage, AccountRequestWire

#: ``PortalMainWindow.run``: background work whose lost session leads to the lock screen.
Runner = Callable[..., None]

ROLE_TEXT = {"prescriber": "Prescriber", "clinic_staff": "Clinic staff"}
STATUS_CHOICES = (("Pending", "pending"), ("Approved", "approved"), ("Rejected", "rejected"))
REQUEST_COLUMNS = (
    "Requested (UTC)",
    "Name",
    "User name",
    "Role",
    "Clinic",
    "NPI",
    "Licence",
    "E-mail",
)


class RejectRequestDialog(QDialog):
    """Why the request is refused; the requester receives this text by e-mail."""

    def __init__(self, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reject account request")
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>Reject the account request of {_esc(who)}?</b>"))
        layout.addWidget(muted("The requester receives this reason by e-mail."))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("e.g. The licence number does not match the state board.")
        self.reason.setAccessibleName("Reason for rejecting")
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Reject request")
        self.ok.setObjectName("Danger")
        self.ok.setEnabled(False)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(
            lambda: self.ok.setEnabled(len(self.reason.toPlainText().strip()) >= 5)
        )

    @classmethod
    def ask(cls, who: str, parent: QWidget | None = None) -> str | None:
        dialog = cls(who, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.reason.toPlainText().strip()
        return None


def confirm_approval(parent: QWidget, request: AccountRequestWire) -> bool:
    """Approving creates the account and e-mails its activation code: ask once."""
    answer = QMessageBox.question(
        parent,
        "Approve account request",
        f"Approve an account for {request.display_name} "
        f"({ROLE_TEXT.get(request.role, request.role)})?\n\n"
        "Check the NPI and the state licence first. The activation code is e-mailed to "
        f"{request.email}.",
    )
    return answer == QMessageBox.StandardButton.Yes


class ApprovalsView(QWidget):
    """Pending (or decided) account requests, newest first, with approve and reject."""

    #: Replaced by tests: ask before approving, and why a request is rejected.
    confirm: Callable[[QWidget, AccountRequestWire], bool] = staticmethod(confirm_approval)
    ask_reason: Callable[[str, QWidget | None], str | None] = staticmethod(RejectRequestDialog.ask)

    def __init__(self, client: ApiClient, run: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._run = run
        self.requests: tuple[AccountRequestWire, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        header = QHBoxLayout()
        title = QLabel("Account requests")
        title.setObjectName("PageTitle")
        self.count_label = muted("")
        self.status_filter = QComboBox()
        for text, value in STATUS_CHOICES:
            self.status_filter.addItem(text, value)
        self.status_filter.addItem("All", None)
        self.status_filter.setAccessibleName("Show requests")
        self.refresh_button = QPushButton(" Refresh")
        self.refresh_button.setIcon(resources.icon("refresh"))
        header.addWidget(title)
        header.addSpacing(8)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.status_filter)
        header.addWidget(self.refresh_button)
        layout.addLayout(header)
        layout.addWidget(
            muted(
                "Check each prescriber's NPI and state licence with the licensing board "
                "before approving. Approval e-mails a single-use activation code.",
                hint=True,
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = read_only_table(REQUEST_COLUMNS, single_selection=True)
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.selection_label = muted("Select a request.", hint=True)
        self.reject_button = QPushButton("Reject…")
        self.reject_button.setObjectName("Danger")
        self.approve_button = QPushButton(" Approve")
        self.approve_button.setIcon(resources.icon("check"))
        self.approve_button.setObjectName("Primary")
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(self.reject_button)
        actions.addWidget(self.approve_button)
        layout.addLayout(actions)

        self.status_filter.currentIndexChanged.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.approve_button.clicked.connect(self.approve_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        self._selection_changed()

    def reload(self) -> None:
        client, status = self.client, self.status_filter.currentData()
        self.refresh_button.setEnabled(False)
        self._run(
            lambda: accounts.account_requests(client, status=status, limit=100),
            self._show,
            lambda error: self.banner.show_message(f"Could not load the requests: {error}"),
            lambda: self.refresh_button.setEnabled(True),
        )

    def _show(self, page: AccountRequestPage) -> None:
        self.requests = page.items
        self.table.setRowCount(len(page.items))
        for row, item in enumerate(page.items):
            licence = " ".join(
                str(part)
                for part in (
                    item.licence_state,
                    item.licence_number,
                    f"(exp. {item.licence_expires_on})" if item.licence_expires_on else "",
                )
                if part
            )
            values = (
                utc_text(item.created_at),
                item.display_name,
                item.username,
                ROLE_TEXT.get(item.role, item.role),
                item.clinic,
                item.npi or "—",
                licence or "—",
                item.email,
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(str(value))
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                self.table.setItem(row, column, cell)
        status = self.status_filter.currentText().lower()
        self.count_label.setText(
            f"{page.total} {status}" if self.status_filter.currentData() else f"{page.total} in all"
        )
        self._selection_changed()

    def selected(self) -> AccountRequestWire | None:
        rows = self.table.selectionModel().selectedRows()
        return self.requests[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        request = self.selected()
        pending = request is not None and request.status == "pending"
        self.approve_button.setEnabled(pending)
        self.reject_button.setEnabled(pending)
        if request is None:
            self.selection_label.setText("Select a request.")
        elif not pending:
            reason = request.decision_reason
            self.selection_label.setText(
                f"{request.status.capitalize()} on "
                f"{utc_text(request.decided_at)}" + (f": {reason}" if reason else "")
            )
        else:
            self.selection_label.setText(f"{request.display_name} · {request.email}")

    def approve_selected(self) -> None:
        request = self.selected()
        if request is None or not type(self).confirm(self, request):
            return
        client, request_id = self.client, request.id

        def approved(_answer: AccountRequestWire) -> None:
            self.banner.show_message(
                f"Approved. The activation code was e-mailed to {request.email}.", "info"
            )
            self.reload()

        self._run(
            lambda: accounts.approve_request(client, request_id),
            approved,
            lambda error: self.banner.show_message(str(error), "error"),
        )

    def reject_selected(self) -> None:
        request = self.selected()
        if request is None:
            return
        reason = type(self).ask_reason(str(request.display_name), self)
        if not reason:
            return
        client, request_id = self.client, request.id

        def rejected(_answer: AccountRequestWire) -> None:
            self.banner.show_message(
                f"Rejected. {request.display_name} is told why by e-mail.", "info"
            )
            self.reload()

        self._run(
            lambda: accounts.reject_request(client, request_id, reason),
            rejected,
            lambda error: self.banner.show_message(str(error), "error"),
        )


class AdministrationWindow(QMainWindow):
    def __init__(
        self, client: ApiClient, user: SignedInUser, run: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(f"{APP_NAME} — Pharmacy administration")
        self.setWindowIcon(resources.icon("app"))
        self.resize(1080, 640)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        canvas = QWidget()
        canvas.setObjectName("Canvas")
        layout = QVBoxLayout(canvas)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.tabs)
        self.setCentralWidget(canvas)
        self.approvals = ApprovalsView(client, run)
        self.tabs.addTab(self.approvals, "Account requests")
        self.audit: AuditView | None = None
        if user.role == "admin":
            self.audit = AuditView(client, run)
            self.tabs.addTab(self.audit, "Audit trail")
        self._loaded: set[str] = set()
        self.tabs.currentChanged.connect(lambda _index: self._load_current())

    def show_tab(self, name: str) -> None:
        if name == "audit" and self.audit is not None:
            self.tabs.setCurrentWidget(self.audit)
        else:
            self.tabs.setCurrentWidget(self.approvals)
        self._load_current()

    def _load_current(self) -> None:
        name = "audit" if self.tabs.currentWidget() is self.audit else "requests"
        if name in self._loaded:
            return
        self._loaded.add(name)
        if name == "audit" and self.audit is not None:
            self.audit.load_first()
        else:
            self.approvals.reload()


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
