"""Pharmacy administration: account requests to approve or reject, and (admins) the audit
trail. For a pharmacist, a window of their main window (so the idle lock hides it too);
for an admin, the main window itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
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
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui import resources
from portal_client.gui.audit_view import AuditView, utc_text
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.i18n import marked
from portal_client.gui.main_window import PortalMainWindow, window_title
from portal_client.gui.template_editor import CatalogEditorView
from portal_client.gui.users_view import UsersView
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner, muted, read_only_table

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.wire import AccountRequestPage, AccountRequestWire

#: ``PortalMainWindow.run``: background work whose lost session leads to the lock screen.
Runner = Callable[..., None]

ROLE_TEXT = {
    "prescriber": QT_TRANSLATE_NOOP("Marked", "Prescriber"),
    "clinic_staff": QT_TRANSLATE_NOOP("Marked", "Clinic staff"),
}
STATUS_CHOICES = (
    (QT_TRANSLATE_NOOP("Marked", "Pending"), "pending"),
    (QT_TRANSLATE_NOOP("Marked", "Approved"), "approved"),
    (QT_TRANSLATE_NOOP("Marked", "Rejected"), "rejected"),
)
REQUEST_COLUMNS = (
    QT_TRANSLATE_NOOP("Marked", "Requested (UTC)"),
    QT_TRANSLATE_NOOP("Marked", "Name"),
    QT_TRANSLATE_NOOP("Marked", "User name"),
    QT_TRANSLATE_NOOP("Marked", "Role"),
    QT_TRANSLATE_NOOP("Marked", "Clinic"),
    "NPI",
    QT_TRANSLATE_NOOP("Marked", "Licence"),
    QT_TRANSLATE_NOOP("Marked", "E-mail"),
)


class RejectRequestDialog(QDialog):
    """Why the request is refused; the requester receives this text by e-mail."""

    def __init__(self, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reject account request"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("<b>Reject the account request of {who}?</b>").format(who=_esc(who)))
        )
        layout.addWidget(muted(self.tr("The requester receives this reason by e-mail.")))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(
            self.tr("e.g. The licence number does not match the state board.")
        )
        self.reason.setAccessibleName(self.tr("Reason for rejecting"))
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Reject request"))
        self.ok.setObjectName("Danger")
        self.ok.setEnabled(False)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        set_focus_chain([self.reason, self.ok, cancel])  # Tab leaves the reason
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
        QCoreApplication.translate("AdminWindow", "Approve account request"),
        QCoreApplication.translate(
            "AdminWindow",
            "Approve an account for {display_name} ({role})?\n\nCheck the NPI and the state "
            "licence first. The activation code is e-mailed to {email}.",
        ).format(
            display_name=request.display_name,
            role=marked(ROLE_TEXT.get(request.role, request.role)),
            email=request.email,
        ),
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
        title = QLabel(self.tr("Account requests"))
        title.setObjectName("PageTitle")
        self.count_label = muted("")
        self.status_filter = guard_wheel(QComboBox())
        for text, value in STATUS_CHOICES:
            self.status_filter.addItem(marked(text), value)
        self.status_filter.addItem(self.tr("All"), None)
        self.status_filter.setAccessibleName(self.tr("Show requests"))
        self.refresh_button = QPushButton(self.tr(" Refresh"))
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
                self.tr(
                    "Check each prescriber's NPI and state licence with the licensing "
                    "board before approving. Approval e-mails a single-use activation code."
                ),
                hint=True,
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = read_only_table(REQUEST_COLUMNS, single_selection=True)
        self.table.setAccessibleName(self.tr("Account requests"))
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.selection_label = muted(self.tr("Select a request."), hint=True)
        self.reject_button = QPushButton(self.tr("Reject…"))
        self.reject_button.setObjectName("Danger")
        self.approve_button = QPushButton(self.tr(" Approve"))
        self.approve_button.setIcon(resources.icon("check"))
        self.approve_button.setObjectName("Primary")
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(self.reject_button)
        actions.addWidget(self.approve_button)
        layout.addLayout(actions)

        self._loads = 0  # numbers each reload; older answers are dropped
        self.status_filter.currentIndexChanged.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.approve_button.clicked.connect(self.approve_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        self._selection_changed()

    def reload(self) -> None:
        client, status = self.client, self.status_filter.currentData()
        self.refresh_button.setEnabled(False)
        self._loads += 1
        load = self._loads
        self._run(
            lambda: accounts.account_requests(client, status=status, limit=100),
            # Only the newest answer shows: after "Reject" then another filter, the
            # slower first answer must not replace the list the filter asked for.
            lambda page: self._show(page) if load == self._loads else None,
            lambda error: self.banner.show_message(
                self.tr("Could not load the requests: {error}").format(error=error)
            ),
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
                marked(ROLE_TEXT.get(item.role, item.role)),
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
            f"{page.total} {status}"
            if self.status_filter.currentData()
            else self.tr("{total} in all").format(total=page.total)
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
            self.selection_label.setText(self.tr("Select a request."))
        elif not pending:
            reason = request.decision_reason
            self.selection_label.setText(
                self.tr("{action} on {when}").format(
                    action=marked(dict((v, t) for t, v in STATUS_CHOICES).get(request.status, ""))
                    or request.status.capitalize(),
                    when=utc_text(request.decided_at),
                )
                + (f": {reason}" if reason else "")
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
                self.tr("Approved. The activation code was e-mailed to {email}.").format(
                    email=request.email
                ),
                "info",
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
                self.tr("Rejected. {display_name} is told why by e-mail.").format(
                    display_name=request.display_name
                ),
                "info",
            )
            self.reload()

        self._run(
            lambda: accounts.reject_request(client, request_id, reason),
            rejected,
            lambda error: self.banner.show_message(str(error), "error"),
        )


class AdministrationTabs(QTabWidget):
    """Account requests and (admins) the users and the audit trail; each tab loads the
    first time it is shown, then on its own Refresh button."""

    def __init__(
        self, client: ApiClient, user: SignedInUser, run: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self.tabBar().setAccessibleName(self.tr("Administration sections"))
        self.approvals = ApprovalsView(client, run)
        self.addTab(self.approvals, self.tr("Account requests"))
        self.users: UsersView | None = None
        self.audit: AuditView | None = None
        # Pharmacists and admins alike draft and publish (issue 12).
        self.templates = CatalogEditorView(client, run, "template")
        self.addTab(self.templates, self.tr("Templates"))
        self.formulary = CatalogEditorView(client, run, "formulary")
        self.addTab(self.formulary, self.tr("Formulary"))
        if user.role == "admin":
            self.users = UsersView(client, run)
            self.addTab(self.users, self.tr("Users"))
            self.audit = AuditView(client, run)
            self.addTab(self.audit, self.tr("Audit trail"))
        self._loaded: set[str] = set()
        self.currentChanged.connect(lambda _index: self.load_current())

    def show_tab(self, name: str) -> None:
        if name in ("templates", "formulary"):
            self.setCurrentWidget(self.templates if name == "templates" else self.formulary)
        elif name == "audit" and self.audit is not None:
            self.setCurrentWidget(self.audit)
        elif name == "users" and self.users is not None:
            self.setCurrentWidget(self.users)
        else:
            self.setCurrentWidget(self.approvals)
        self.load_current()

    def load_current(self) -> None:
        current = self.currentWidget()
        name = (
            "audit" if current is self.audit else "users" if current is self.users else "requests"
        )
        if isinstance(current, CatalogEditorView):
            name = current.kind
        if name in self._loaded:
            return
        self._loaded.add(name)
        if isinstance(current, CatalogEditorView):
            current.reload()
        elif name == "audit" and self.audit is not None:
            self.audit.load_first()
        elif name == "users" and self.users is not None:
            self.users.reload()
        else:
            self.approvals.reload()


class AdministrationWindow(QMainWindow):
    """The administration tabs in a window of their own, beside a pharmacist's queue."""

    def __init__(
        self, client: ApiClient, user: SignedInUser, run: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(self.tr("{app} — Pharmacy administration").format(app=APP_NAME))
        self.setWindowIcon(resources.icon("app"))
        self.resize(1080, 640)
        self.tabs = AdministrationTabs(client, user, run)
        canvas = QWidget()
        canvas.setObjectName("Canvas")
        layout = QVBoxLayout(canvas)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.tabs)
        self.setCentralWidget(canvas)
        self.approvals = self.tabs.approvals
        self.users = self.tabs.users
        self.audit = self.tabs.audit

    def show_tab(self, name: str) -> None:
        self.tabs.show_tab(name)


class AdminHomeWindow(PortalMainWindow):
    """An admin's main window: account requests and the audit trail, and no prescription
    list (admins never read prescriptions; the server answers them 403)."""

    def __init__(
        self, client: ApiClient, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(client, user, parent)
        self.setWindowTitle(window_title(user, self.tr("Pharmacy administration")))
        self.tabs = AdministrationTabs(client, user, self.run)
        self.root_layout.addWidget(self.tabs, 1)
        self.approvals = self.tabs.approvals
        self.users = self.tabs.users
        self.audit = self.tabs.audit
        self.refresh()

    def open_administration(self, tab: str = "requests") -> None:
        """The account menu's entries: here they are this window's own tabs."""
        self.tabs.show_tab(tab)

    def refresh(self) -> None:
        # No periodic reload: it would drop the admin's selection or audit page. Each
        # tab loads when first shown and then on its Refresh button.
        if not self.is_locked:
            self.tabs.load_current()


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
