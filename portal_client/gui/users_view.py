"""Administrators' Users view: every account with its status, licence and second
factor, and the actions on one: disable, re-enable, reset two-factor, change the licence
expiry, and its sessions (ended one by one or all at once).

Every call runs through the window's background runner (``gui/ops.py``); destructive
actions are confirmed first; a refusal from the server (the last administrator, a date
out of range) is shown in the banner as the server words it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portal_client.core import account_admin
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui import resources
from portal_client.gui.focus_chain import set_focus_chain
from portal_client.gui.i18n import marked
from portal_client.gui.wheel_guard import guard_wheel
from portal_client.gui.widgets import Banner, muted, read_only_table

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.wire import AdminUserPage, AdminUserWire, SessionPage, SessionWire

Runner = Callable[..., None]

USER_COLUMNS = (
    QT_TRANSLATE_NOOP("Marked", "Name"),
    QT_TRANSLATE_NOOP("Marked", "User name"),
    QT_TRANSLATE_NOOP("Marked", "Role"),
    QT_TRANSLATE_NOOP("Marked", "Clinic"),
    QT_TRANSLATE_NOOP("Marked", "Status"),
    QT_TRANSLATE_NOOP("Marked", "Licence expires"),
    QT_TRANSLATE_NOOP("Marked", "Two-factor"),
)
SESSION_COLUMNS = (
    QT_TRANSLATE_NOOP("Marked", "Signed in"),
    QT_TRANSLATE_NOOP("Marked", "Last used"),
    QT_TRANSLATE_NOOP("Marked", "Address"),
    QT_TRANSLATE_NOOP("Marked", "Client"),
)
ROLE_NAMES = {
    "prescriber": QT_TRANSLATE_NOOP("Marked", "Prescriber"),
    "clinic_staff": QT_TRANSLATE_NOOP("Marked", "Clinic staff"),
    "pharmacist": QT_TRANSLATE_NOOP("Marked", "Pharmacist"),
    "admin": QT_TRANSLATE_NOOP("Marked", "Administrator"),
}


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask before a destructive step; No is the default."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def status_text(user: AdminUserWire) -> str:
    if not user.is_active:
        return QCoreApplication.translate("UsersView", "Disabled")
    if user.locked_until:
        return QCoreApplication.translate("UsersView", "Locked until {when}").format(
            when=account_admin.local_time_text(user.locked_until)
        )
    return QCoreApplication.translate("UsersView", "Active")


class LicenceDialog(QDialog):
    """The new expiry date of a prescriber's licence, checked with the shared rule."""

    def __init__(self, user: AdminUserWire, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Change licence expiry"))
        self._today = today
        self.expires_on: dt.date | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr("Licence {licence} of {name}").format(
                    licence=" ".join(p for p in (user.licence_state, user.licence_number) if p),
                    name=user.display_name,
                )
            )
        )
        self.date = guard_wheel(QDateEdit())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        current = user.licence_expires_on or (today + dt.timedelta(days=365)).isoformat()
        self.date.setDate(QDate.fromString(current, "yyyy-MM-dd"))
        self.date.setAccessibleName(self.tr("Licence expiry date"))
        layout.addWidget(self.date)
        layout.addWidget(
            muted(self.tr("A past date stops the prescriber signing from that day."), hint=True)
        )
        self.error = Banner()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Save expiry date"))
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        set_focus_chain(
            [self.date, self.ok, self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
        )

    def _check(self) -> None:
        text = self.date.date().toString("yyyy-MM-dd")
        expires_on, problem = account_admin.licence_date_problem(text, self._today)
        if problem is not None:
            self.error.show_message(problem)  # the date stays as typed, to correct
            return
        self.expires_on = expires_on
        self.accept()

    @classmethod
    def ask(cls, user: AdminUserWire, parent: QWidget | None = None) -> dt.date | None:
        dialog = cls(user, dt.date.today(), parent)
        return dialog.expires_on if dialog.exec() == QDialog.DialogCode.Accepted else None


class SessionsDialog(QDialog):
    """One account's live sessions, with End (the selected one) and End all."""

    confirm: Callable[[QWidget, str, str], bool] = staticmethod(confirm)

    def __init__(
        self, client: ApiClient, run: Runner, user: AdminUserWire, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self._run = run
        self.user = user
        self.sessions: tuple[SessionWire, ...] = ()
        self.setWindowTitle(self.tr("Sessions of {username}").format(username=user.username))
        self.resize(720, 360)
        layout = QVBoxLayout(self)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = read_only_table(SESSION_COLUMNS, single_selection=True)
        self.table.setAccessibleName(self.tr("Sessions"))
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.count_label = muted("", hint=True)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.end_button = QPushButton(self.tr("End session"))
        self.end_button.setObjectName("Danger")
        self.end_all_button = QPushButton(self.tr("End all sessions"))
        self.end_all_button.setObjectName("Danger")
        self.close_button = QPushButton(self.tr("Close"))
        row.addWidget(self.count_label, 1)
        for button in (
            self.refresh_button,
            self.end_button,
            self.end_all_button,
            self.close_button,
        ):
            row.addWidget(button)
        layout.addLayout(row)
        set_focus_chain(
            [
                self.table,
                self.refresh_button,
                self.end_button,
                self.end_all_button,
                self.close_button,
            ]
        )
        self.refresh_button.clicked.connect(self.reload)
        self.end_button.clicked.connect(self.end_selected)
        self.end_all_button.clicked.connect(self.end_all)
        self.close_button.clicked.connect(self.accept)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def reload(self) -> None:
        client, user_id = self.client, self.user.id
        self.refresh_button.setEnabled(False)
        self._run(
            lambda: account_admin.sessions(client, user_id),
            self._show,
            lambda error: self.banner.show_message(
                self.tr("Could not load the sessions: {error}").format(error=error)
            ),
            lambda: self.refresh_button.setEnabled(True),
        )

    def _show(self, page: SessionPage) -> None:
        self.sessions = page.items
        self.table.setRowCount(len(page.items))
        for row, item in enumerate(page.items):
            values = (
                account_admin.local_time_text(item.created_at),
                account_admin.local_time_text(item.last_seen_at),
                item.client_address or "—",
                item.client or "—",
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                self.table.setItem(row, column, cell)
        self.count_label.setText(
            self.tr("{count} live sessions").format(count=page.total)
            if page.items
            else self.tr("No live sessions.")
        )
        self._update_buttons()

    def selected(self) -> SessionWire | None:
        rows = self.table.selectionModel().selectedRows()
        return self.sessions[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        self.end_button.setEnabled(self.selected() is not None)
        self.end_all_button.setEnabled(bool(self.sessions))

    def end_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if not type(self).confirm(
            self,
            self.tr("End session"),
            self.tr("End this session of {username}? That window signs out at once.").format(
                username=self.user.username
            ),
        ):
            return
        client, user_id, session_id = self.client, self.user.id, chosen.id
        self._run(
            lambda: account_admin.end_session(client, user_id, session_id),
            lambda _ended: self._ended(self.tr("The session was ended.")),
            lambda error: self.banner.show_message(str(error)),
        )

    def end_all(self) -> None:
        if not type(self).confirm(
            self,
            self.tr("End all sessions"),
            self.tr("End every session of {username}? Each of their windows signs out.").format(
                username=self.user.username
            ),
        ):
            return
        client, user_id = self.client, self.user.id
        self._run(
            lambda: account_admin.end_all_sessions(client, user_id),
            lambda ended: self._ended(
                self.tr("{count} sessions were ended.").format(count=ended.ended)
            ),
            lambda error: self.banner.show_message(str(error)),
        )

    def _ended(self, message: str) -> None:
        self.banner.show_message(message, "info")
        self.reload()


class UsersView(QWidget):
    """Every account, and what an administrator can do to one."""

    #: Replaced by tests: the confirmation, the date asked for, the sessions dialog.
    confirm: Callable[[QWidget, str, str], bool] = staticmethod(confirm)
    ask_licence_date: Callable[[AdminUserWire, QWidget | None], dt.date | None] = staticmethod(
        LicenceDialog.ask
    )

    def __init__(self, client: ApiClient, run: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._run = run
        self.users: tuple[AdminUserWire, ...] = ()
        self.sessions_dialog: SessionsDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        header = QHBoxLayout()
        title = QLabel(self.tr("Users"))
        title.setObjectName("PageTitle")
        self.count_label = muted("")
        self.refresh_button = QPushButton(self.tr(" Refresh"))
        self.refresh_button.setIcon(resources.icon("refresh"))
        header.addWidget(title)
        header.addSpacing(8)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.refresh_button)
        layout.addLayout(header)
        layout.addWidget(
            muted(
                self.tr(
                    "Disabling an account or resetting its two-factor sign-in ends its "
                    "sessions at once. A reset e-mails a code to enrol an authenticator again."
                ),
                hint=True,
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = read_only_table(USER_COLUMNS, single_selection=True)
        self.table.setAccessibleName(self.tr("Users"))
        layout.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.selection_label = muted(self.tr("Select a user."), hint=True)
        self.disable_button = QPushButton(self.tr("Disable…"))
        self.disable_button.setObjectName("Danger")
        self.enable_button = QPushButton(self.tr("Re-enable"))
        self.reset_button = QPushButton(self.tr("Reset two-factor…"))
        self.reset_button.setObjectName("Danger")
        self.licence_button = QPushButton(self.tr("Change licence expiry…"))
        self.sessions_button = QPushButton(self.tr("Sessions…"))
        actions.addWidget(self.selection_label, 1)
        self.action_buttons = (
            self.disable_button,
            self.enable_button,
            self.reset_button,
            self.licence_button,
            self.sessions_button,
        )
        for button in self.action_buttons:
            actions.addWidget(button)
        layout.addLayout(actions)
        set_focus_chain([self.refresh_button, self.table, *self.action_buttons])
        self.refresh_button.clicked.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.disable_button.clicked.connect(lambda: self.set_active(False))
        self.enable_button.clicked.connect(lambda: self.set_active(True))
        self.reset_button.clicked.connect(self.reset_two_factor)
        self.licence_button.clicked.connect(self.change_licence)
        self.sessions_button.clicked.connect(self.open_sessions)
        self._selection_changed()

    # ------------------------------------------------------------ loading

    def reload(self) -> None:
        client = self.client
        self.refresh_button.setEnabled(False)
        self._run(
            lambda: account_admin.users(client),
            self._show,
            lambda error: self.banner.show_message(
                self.tr("Could not load the users: {error}").format(error=error)
            ),
            lambda: self.refresh_button.setEnabled(True),
        )

    def _show(self, page: AdminUserPage) -> None:
        chosen = self.selected()
        self.users = page.items
        self.table.setRowCount(len(page.items))
        for row, user in enumerate(page.items):
            values = (
                user.display_name,
                user.username,
                marked(ROLE_NAMES.get(user.role, user.role)),
                user.clinic,
                status_text(user),
                user.licence_expires_on or "—",
                self.tr("Enrolled") if user.mfa_enrolled else self.tr("Not enrolled"),
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(Qt.ItemDataRole.UserRole, user.id)
                self.table.setItem(row, column, cell)
        self.count_label.setText(self.tr("{total} accounts").format(total=page.total))
        if chosen is not None:
            self.select(chosen.username)
        self._selection_changed()

    def select(self, username: str) -> None:
        for row, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(row)
                return

    def selected(self) -> AdminUserWire | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows and rows[0].row() < len(self.users) else None

    def _selection_changed(self) -> None:
        user = self.selected()
        for button in self.action_buttons:
            button.setEnabled(user is not None)
        if user is None:
            self.selection_label.setText(self.tr("Select a user."))
            return
        self.disable_button.setEnabled(user.is_active)
        self.enable_button.setEnabled(not user.is_active)
        self.reset_button.setEnabled(user.is_active)
        self.licence_button.setEnabled(user.licence_number is not None)
        self.selection_label.setText(
            self.tr("{name} · {status}").format(name=user.display_name, status=status_text(user))
        )

    # ------------------------------------------------------------ actions

    def _changed(self, message: str) -> Callable[[AdminUserWire], None]:
        def done(_user: AdminUserWire) -> None:
            self.banner.show_message(message, "info")
            self.reload()

        return done

    def _failed(self, error: Exception) -> None:
        self.banner.show_message(str(error))

    def set_active(self, active: bool) -> None:
        user = self.selected()
        if user is None:
            return
        if not active and not type(self).confirm(
            self,
            self.tr("Disable account"),
            self.tr(
                "Disable {name} ({username})? They are signed out everywhere at once and "
                "cannot sign in until re-enabled."
            ).format(name=user.display_name, username=user.username),
        ):
            return
        client, user_id = self.client, user.id
        message = (
            self.tr("{username} can sign in again.")
            if active
            else self.tr("{username} is disabled and signed out.")
        ).format(username=user.username)
        self._run(
            lambda: account_admin.set_active(client, user_id, active),
            self._changed(message),
            self._failed,
        )

    def reset_two_factor(self) -> None:
        user = self.selected()
        if user is None:
            return
        if not type(self).confirm(
            self,
            self.tr("Reset two-factor sign-in"),
            self.tr(
                "Reset the two-factor sign-in of {name} ({username})? Their authenticator "
                "stops working, they are signed out, and a code to enrol again is e-mailed "
                "to {email}."
            ).format(name=user.display_name, username=user.username, email=user.email or "—"),
        ):
            return
        client, user_id = self.client, user.id
        self._run(
            lambda: account_admin.reset_two_factor(client, user_id),
            self._changed(
                self.tr("Two-factor reset. {username} was e-mailed a code to enrol again.").format(
                    username=user.username
                )
            ),
            self._failed,
        )

    def change_licence(self) -> None:
        user = self.selected()
        if user is None:
            return
        expires_on = type(self).ask_licence_date(user, self)
        if expires_on is None:
            return
        client, user_id = self.client, user.id
        self._run(
            lambda: account_admin.set_licence_expiry(client, user_id, expires_on),
            self._changed(
                self.tr("The licence of {username} now expires on {date}.").format(
                    username=user.username, date=expires_on.isoformat()
                )
            ),
            self._failed,
        )

    def open_sessions(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = SessionsDialog(self.client, self._run, user, self)
        self.sessions_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "sessions_dialog", None))
        dialog.show()
        dialog.reload()
