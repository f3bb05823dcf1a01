"""The admin's Users view against a real server: disable and re-enable, the last
administrator refused in words, licence expiry, two-factor reset, sessions ended; and
the audit trail's filters and CSV export (the file read back)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from portal_client.core.errors import PortalError
from portal_client.gui.admin_window import AdministrationWindow
from portal_client.gui.audit_view import AuditView
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.users_view import SessionsDialog, UsersView
from tests.gui.conftest import sign_in
from tests.helpers.live_server import LiveServer
from tests.helpers.totp_accounts import enrolled_account

TIMEOUT_MS = 20_000


def admin_window(qtbot: QtBot, server: LiveServer, tab: str) -> AdministrationWindow:
    client = sign_in(server, "admin1")
    owner = PortalMainWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(owner)
    owner.open_administration(tab)
    window = owner._admin_window
    assert isinstance(window, AdministrationWindow)
    return window


def row_of(view: UsersView, username: str) -> list[str]:
    row = next(i for i, user in enumerate(view.users) if user.username == username)
    return [text_at(view.table, row, column) for column in range(view.table.columnCount())]


def text_at(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, f"no cell at row {row}, column {column}"
    return item.text()


def texts(table: QTableWidget, column: int) -> list[str]:
    return [text_at(table, row, column) for row in range(table.rowCount())]


def test_users_view_disables_refuses_the_last_admin_and_changes_a_licence(
    qtbot: QtBot, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def yes(_parent: object, title: str, _text: str) -> bool:
        asked.append(title)
        return True

    monkeypatch.setattr(UsersView, "confirm", staticmethod(yes))
    window = admin_window(qtbot, server, "users")
    view = window.users
    assert view is not None and window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: len(view.users) >= 4, timeout=TIMEOUT_MS)
    assert row_of(view, "prescriber2")[4] == "Active"
    assert not view.disable_button.isEnabled()  # nothing selected yet
    prescriber = sign_in(server, "prescriber2")
    view.select("prescriber2")
    assert view.disable_button.isEnabled() and not view.enable_button.isEnabled()
    view.disable_button.click()
    qtbot.waitUntil(lambda: row_of(view, "prescriber2")[4] == "Disabled", timeout=TIMEOUT_MS)
    assert asked == ["Disable account"]
    assert "disabled and signed out" in view.banner.label.text()
    with pytest.raises(PortalError):
        prescriber.me()  # its session ended at once
    view.select("prescriber2")
    assert view.enable_button.isEnabled()
    view.enable_button.click()
    qtbot.waitUntil(lambda: row_of(view, "prescriber2")[4] == "Active", timeout=TIMEOUT_MS)
    # The only administrator: the server's reason, in the banner.
    view.select("admin1")
    view.disable_button.click()
    qtbot.waitUntil(
        lambda: "last active administrator" in view.banner.label.text(), timeout=TIMEOUT_MS
    )
    assert row_of(view, "admin1")[4] == "Active"
    # A licence: the date asked for is sent and shown.
    new_date = dt.date.today() + dt.timedelta(days=500)
    monkeypatch.setattr(UsersView, "ask_licence_date", staticmethod(lambda _u, _p: new_date))
    view.select("prescriber2")
    assert view.licence_button.isEnabled()
    view.licence_button.click()
    qtbot.waitUntil(
        lambda: row_of(view, "prescriber2")[5] == new_date.isoformat(), timeout=TIMEOUT_MS
    )
    view.select("pharmacist1")
    assert not view.licence_button.isEnabled()  # no licence on file


def test_licence_dialog_says_what_is_wrong_and_keeps_the_date(
    qtbot: QtBot, server: LiveServer
) -> None:
    from PySide6.QtCore import QDate

    from portal_client.gui.users_view import LicenceDialog

    window = admin_window(qtbot, server, "users")
    view = window.users
    assert view is not None
    qtbot.waitUntil(lambda: len(view.users) >= 4, timeout=TIMEOUT_MS)
    user = next(u for u in view.users if u.username == "prescriber1")
    today = dt.date(2026, 12, 3)
    dialog = LicenceDialog(user, today, view)
    qtbot.addWidget(dialog)
    dialog.date.setDate(QDate(2040, 1, 1))
    dialog.ok.click()
    assert dialog.expires_on is None and "no later than 2036-12-03" in dialog.error.label.text()
    assert dialog.date.date() == QDate(2040, 1, 1)
    assert dialog.date.accessibleName() == "Licence expiry date"
    dialog.date.setDate(QDate(2028, 6, 30))
    dialog.ok.click()
    assert dialog.expires_on == dt.date(2028, 6, 30)


def test_reset_two_factor_and_end_sessions(
    qtbot: QtBot, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(UsersView, "confirm", staticmethod(lambda _p, _title, _t: True))
    monkeypatch.setattr(SessionsDialog, "confirm", staticmethod(lambda _p, _title, _t: True))
    account = enrolled_account(server)
    window = admin_window(qtbot, server, "users")
    view = window.users
    assert view is not None
    qtbot.waitUntil(
        lambda: any(u.username == account.username for u in view.users), timeout=TIMEOUT_MS
    )
    assert row_of(view, account.username)[6] == "Enrolled"
    view.select(account.username)
    view.reset_button.click()
    qtbot.waitUntil(lambda: row_of(view, account.username)[6] == "Not enrolled", timeout=TIMEOUT_MS)
    assert "e-mailed a code to enrol again" in view.banner.label.text()
    # Two sessions of prescriber1; the dialog lists them, ends one, then all.
    desk, laptop = sign_in(server, "prescriber1"), sign_in(server, "prescriber1")
    view.select("prescriber1")
    view.sessions_button.click()
    dialog = view.sessions_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: len(dialog.sessions) >= 2, timeout=TIMEOUT_MS)
    assert all(text != "—" for text in texts(dialog.table, 0))
    assert dialog.table.accessibleName() == "Sessions"
    assert not dialog.end_button.isEnabled()
    dialog.table.selectRow(0)  # most recently used: laptop's sign-in
    dialog.end_button.click()
    qtbot.waitUntil(lambda: "was ended" in dialog.banner.label.text(), timeout=TIMEOUT_MS)
    alive = []
    for client in (desk, laptop):
        try:
            client.me()
            alive.append(client)
        except PortalError:
            pass
    assert len(alive) == 1
    dialog.end_all_button.click()
    qtbot.waitUntil(
        lambda: dialog.sessions == () and "sessions were ended" in dialog.banner.label.text(),
        timeout=TIMEOUT_MS,
    )
    with pytest.raises(PortalError):
        alive[0].me()
    dialog.close()


def test_audit_filters_and_csv_export(
    qtbot: QtBot, server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window = admin_window(qtbot, server, "audit")
    view = window.audit
    assert view is not None
    qtbot.waitUntil(lambda: view.table.rowCount() > 0, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: view.user_filter.count() > 4, timeout=TIMEOUT_MS)
    # A bad date is named, nothing is sent, and what was typed stays.
    view.from_filter.setText("3/12/2026")
    view.apply_button.click()
    assert "From date" in view.banner.label.text() and view.from_filter.text() == "3/12/2026"
    view.from_filter.setText("")
    view.reference_filter.setText("Smith")
    view.apply_button.click()
    assert "RX-261126-0001" in view.banner.label.text()
    view.reference_filter.setText("")
    # One user, one action, today in local time.
    view.user_filter.setCurrentIndex(view.user_filter.findText("Alex Morgan (admin1)"))
    view.action_filter.setText("auth.login")
    today = dt.date.today().isoformat()
    view.from_filter.setText(today)
    view.to_filter.setText(today)
    view.apply_button.click()
    qtbot.waitUntil(
        lambda: (
            view.table.rowCount() > 0
            and set(texts(view.table, 2)) == {"auth.login"}
            and set(texts(view.table, 1)) == {"Alex Morgan (admin1)"}
        ),
        timeout=TIMEOUT_MS,
    )
    shown = view.table.rowCount()
    assert text_at(view.table, 0, 0).startswith(today)  # local time, no "T" or "Z"
    target = tmp_path / "audit.csv"
    monkeypatch.setattr(AuditView, "ask_path", staticmethod(lambda _parent: target))
    view.export_button.click()
    qtbot.waitUntil(lambda: view.exported == target, timeout=TIMEOUT_MS)
    assert "Exported" in view.banner.label.text()
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == view.total >= shown
    assert {row["action"] for row in rows} == {"auth.login"}
    assert {row["who"] for row in rows} == {"Alex Morgan (admin1)"}
    assert all(
        row["time_local"].startswith(today) and row["time_utc"].endswith("Z") for row in rows
    )
    assert [int(row["seq"]) for row in rows] == sorted(
        (int(row["seq"]) for row in rows), reverse=True
    )
    assert not list(tmp_path.glob(".*partial"))


def test_the_users_view_and_its_dialogs_are_named_and_tab_in_reading_order(
    qtbot: QtBot, server: LiveServer
) -> None:
    from portal_client.gui.users_view import LicenceDialog
    from tests.gui.test_accessible_names import unnamed_inputs
    from tests.gui.test_tab_order import name_of, reachable_inputs, tab_around

    window = admin_window(qtbot, server, "users")
    window.show()
    view = window.users
    assert view is not None
    qtbot.waitUntil(lambda: len(view.users) >= 4, timeout=TIMEOUT_MS)
    view.select("prescriber1")
    forwards = tab_around(qtbot, view.refresh_button)
    assert [name_of(widget) for widget in forwards] == [
        "Refresh",
        "Users",
        "Disable…",
        "Reset two-factor…",
        "Change licence expiry…",
        "Sessions…",
        "Administration sections",  # the tab bar, then round to Refresh
    ]  # Re-enable is disabled for an active account, so Tab passes over it
    assert set(forwards) <= reachable_inputs(window)
    user = next(u for u in view.users if u.username == "prescriber1")
    licence = LicenceDialog(user, dt.date.today(), view)
    qtbot.addWidget(licence)
    licence.show()
    assert [name_of(w) for w in tab_around(qtbot, licence.date)] == [
        "Licence expiry date",
        "Save expiry date",
        "Cancel",
    ]
    sessions = SessionsDialog(view.client, lambda *_args: None, user, view)
    qtbot.addWidget(sessions)
    audit = window.audit
    assert audit is not None
    missing = [name for root in (view, licence, sessions, audit) for name in unnamed_inputs(root)]
    assert missing == []
