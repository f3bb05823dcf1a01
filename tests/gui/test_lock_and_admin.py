"""The idle lock hides every trace of the patient and gives the same work back; a lost
session is recovered on the lock screen; the licence banner; approvals and the audit
trail; and a canary patient name that ends up in no settings, log or keyring."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
)
from pytestqt.qtbot import QtBot

from portal_client.core import accounts, logs, paths
from portal_client.core.api_client import ApiClient
from portal_client.gui import audit_view, ops
from portal_client.gui.admin_window import AdminHomeWindow, AdministrationWindow, ApprovalsView
from portal_client.gui.main_window import PortalMainWindow, locked_title
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.gui.conftest import sign_in
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer
from tests.helpers.totp_accounts import enrolled_account, request_account

TIMEOUT_MS = 20_000
CANARY = "Zzcanary-Patient-7731"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(PortalMainWindow, "idle_clock", staticmethod(fake))
    monkeypatch.setattr(PortalMainWindow, "idle_check_interval_ms", 10)
    return fake


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None, f"no cell at row {row}, column {column}"
    return item


def visible_texts() -> list[str]:
    """Every text a person could read on screen now: widgets, views and window titles."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        if widget.isWindow():
            texts.append(widget.windowTitle())
        for kind, read in (
            (QLabel, QLabel.text),
            (QLineEdit, QLineEdit.text),
            (QAbstractButton, QAbstractButton.text),
            (QPlainTextEdit, QPlainTextEdit.toPlainText),
            (QTextEdit, QTextEdit.toPlainText),
            (QComboBox, QComboBox.currentText),
        ):
            if isinstance(widget, kind):
                texts.append(read(widget))  # type: ignore[arg-type]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    texts.append(str(model.index(row, column).data() or ""))
        texts.append(widget.toolTip())
    return texts


def prescriber_window(qtbot: QtBot, client: ApiClient) -> PrescriberWindow:
    window = PrescriberWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    window.show_composer()
    window.composer.given_name.setText("Ada")
    window.composer.family_name.setText(CANARY)
    return window


def test_idle_lock_hides_patient_data_and_unlock_gives_the_same_work_back(
    qtbot: QtBot, server: LiveServer, clock: FakeClock
) -> None:
    client = sign_in(server, "prescriber1")
    window = prescriber_window(qtbot, client)
    title_before = window.windowTitle()
    assert any(CANARY in text for text in visible_texts())  # the canary is really on screen

    clock.now += 14 * 60
    window.idle_watcher.check()
    assert not window.is_locked  # 14 minutes: still open
    clock.now += 61
    with qtbot.waitSignal(window.locked, timeout=TIMEOUT_MS):
        pass  # the watcher's own timer notices the fifteen minutes
    assert window.is_locked and window.windowTitle() == locked_title()
    leaked = [text for text in visible_texts() if CANARY.lower() in text.lower()]
    assert leaked == []
    assert "Ada" not in window.windowTitle()

    # A wrong password keeps it locked and says so.
    window.lock_screen.password.setText("not my password")
    window.lock_screen.submit.click()
    qtbot.waitUntil(window.lock_screen.banner.isVisible, timeout=TIMEOUT_MS)
    assert window.is_locked and "not right" in window.lock_screen.banner.label.text().lower()

    window.lock_screen.password.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT_MS):
        window.lock_screen.submit.click()
    assert window.composer.family_name.text() == CANARY and window.composer.isVisible()
    assert window.windowTitle() == title_before
    assert client.signed_in
    window.close()
    client.logout()


def test_a_minimised_window_still_locks_when_idle(
    qtbot: QtBot, server: LiveServer, clock: FakeClock
) -> None:
    """Minimising hides the window from the window system's point of view; the idle lock
    must keep counting, or a minimised portal on a shared workstation never locks."""
    client = sign_in(server, "prescriber1")
    window = prescriber_window(qtbot, client)
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized, timeout=TIMEOUT_MS)
    # What the window system sends on minimising (the offscreen platform sends nothing).
    QApplication.sendEvent(window, QHideEvent())
    clock.now += 16 * 60
    with qtbot.waitSignal(window.locked, timeout=TIMEOUT_MS):
        pass  # the watcher's own timer, still running, notices
    assert window.is_locked
    window.close()
    client.logout()


def test_the_idle_watcher_filters_events_only_while_it_runs(
    qtbot: QtBot, server: LiveServer, clock: FakeClock
) -> None:
    """Its application-wide filter would otherwise see every event of building a window."""
    client = sign_in(server, "prescriber1")
    window = prescriber_window(qtbot, client)
    window.lock_action.trigger()
    assert window.is_locked
    clock.now += 60
    qtbot.keyClicks(window.lock_screen.password, "x")  # typing at the lock screen
    assert window.idle_watcher.idle_seconds() >= 60  # not counted: the watcher is off
    window.close()
    client.logout()


def test_input_keeps_the_window_open(qtbot: QtBot, server: LiveServer, clock: FakeClock) -> None:
    client = sign_in(server, "prescriber1")
    window = prescriber_window(qtbot, client)
    clock.now += 14 * 60
    qtbot.keyClicks(window.composer.given_name, "x")  # someone is typing
    clock.now += 2 * 60
    window.idle_watcher.check()
    assert not window.is_locked
    window.lock_action.trigger()  # "Lock now" from the account menu
    assert window.is_locked
    window.close()
    client.logout()


def test_a_late_refusal_keeps_what_is_typed_and_a_known_cause_names_itself(
    qtbot: QtBot, server: LiveServer
) -> None:
    # Requests in flight when the session ends are refused after the screen already asks
    # to sign in again: they must not wipe the password being typed, and the password
    # change's own words win whether its answer came first or last.
    client = sign_in(server, "prescriber1")
    window = prescriber_window(qtbot, client)
    window.require_sign_in("Not signed in, or the session has expired.")
    qtbot.keyClicks(window.lock_screen.password, "half typed")
    window.require_sign_in("Not signed in, or the session has expired.")
    assert window.lock_screen.password.text() == "half typed"
    window.require_sign_in("Your password was changed.", known_cause=True)
    assert "password was changed" in window.lock_screen.explanation.text()
    window.require_sign_in("Not signed in, or the session has expired.")
    assert "password was changed" in window.lock_screen.explanation.text()
    assert window.lock_screen.password.text() == "half typed"
    window.close()
    client.logout()


def test_password_change_then_sign_in_again_with_a_code_keeps_the_work(
    qtbot: QtBot, server: LiveServer
) -> None:
    account = enrolled_account(server)
    client = ApiClient(server.url)
    challenge = accounts.begin_sign_in(client, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    accounts.finish_sign_in(client, challenge, account.authenticator.next_code())
    window = prescriber_window(qtbot, client)

    from portal_client.gui.password_dialog import PasswordDialog

    dialog = PasswordDialog(client, client.user, window)  # type: ignore[arg-type]
    dialog.changed.connect(window._password_changed)
    dialog.current.setText(account.password)
    dialog.fields.new.setText("violet harbour seven lanterns")
    dialog.fields.confirm.setText("violet harbour seven lanterns")
    with qtbot.waitSignal(window.locked, timeout=TIMEOUT_MS):
        dialog.ok.click()
    assert window.lock_screen.session_ended
    assert "password was changed" in window.lock_screen.explanation.text()
    assert [t for t in visible_texts() if CANARY in t] == []

    window.lock_screen.password.setText("violet harbour seven lanterns")
    window.lock_screen.submit.click()
    qtbot.waitUntil(lambda: window.lock_screen.steps.currentIndex() == 1, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT_MS):
        window.lock_screen.code.setText(account.authenticator.next_code())
    assert window.composer.family_name.text() == CANARY
    assert client.me().username == account.username  # the new session works
    window.close()
    client.logout()


def test_unlock_keeps_the_session_and_asks_an_enrolled_user_for_the_password_only(
    qtbot: QtBot, server: LiveServer
) -> None:
    account = enrolled_account(server)
    client = ApiClient(server.url)
    challenge = accounts.begin_sign_in(client, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    accounts.finish_sign_in(client, challenge, account.authenticator.next_code())
    session_token = client._token
    window = prescriber_window(qtbot, client)
    window.lock_action.trigger()
    assert window.is_locked and not window.lock_screen.session_ended

    window.lock_screen.password.setText(account.password)
    with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT_MS):
        window.lock_screen.submit.click()
    assert window.lock_screen.steps.currentIndex() == 0  # no authenticator code asked
    assert client._token == session_token  # the same session: no new sign-in
    assert window.composer.family_name.text() == CANARY
    assert client.me().username == account.username

    admin = ApiClient(server.url)
    admin.login("admin1", DEMO_PASSWORD)
    unlocks = accounts.audit_events(admin, action="auth.reauthenticate", limit=1).items
    assert [(e.actor_username, e.outcome) for e in unlocks] == [(account.username, "success")]
    admin.logout()
    window.close()
    client.logout()


def test_expired_session_goes_to_the_lock_screen_not_away(qtbot: QtBot, server: LiveServer) -> None:
    client = sign_in(server, "prescriber1")
    window = prescriber_window(qtbot, client)
    other = ApiClient(server.url)
    other._token = client._token  # the same session, ended from elsewhere
    other.logout()
    window.run(client.me, lambda _user: None)  # any call now meets a 401
    qtbot.waitUntil(lambda: window.is_locked, timeout=TIMEOUT_MS)
    assert window.lock_screen.session_ended and window.lock_screen.submit.text() == "Sign in"
    window.lock_screen.password.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT_MS):
        window.lock_screen.submit.click()
    assert window.composer.family_name.text() == CANARY
    window.close()
    client.logout()


@pytest.mark.parametrize(
    ("days", "kind", "words"),
    [(10, "warn", "expires in 10 days"), (-3, "error", "cannot sign"), (90, "", "")],
)
def test_licence_banner(qtbot: QtBot, server: LiveServer, days: int, kind: str, words: str) -> None:
    client = sign_in(server, "prescriber1")
    expiry = (dt.date.today() + dt.timedelta(days=days)).isoformat()
    assert client.user is not None
    user = dataclasses.replace(client.user, licence_expires_on=expiry)
    window = PortalMainWindow(client, user)
    qtbot.addWidget(window)
    banner = window.licence_banner
    assert banner.kind == kind if kind else banner.isHidden()
    assert words in banner.label.text()
    client.logout()


# ---------------------------------------------------------------- pharmacy administration


def admin_window(qtbot: QtBot, server: LiveServer) -> tuple[AdministrationWindow, ApiClient]:
    client = sign_in(server, "admin1")
    owner = PortalMainWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(owner)
    owner.open_administration("requests")
    window = owner._admin_window
    assert isinstance(window, AdministrationWindow)
    return window, client


def test_approve_and_reject_requests(
    qtbot: QtBot, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_approve = request_account(server, display_name="Dr Approve Me")
    to_reject = request_account(server, display_name="Dr Reject Me")
    window, client = admin_window(qtbot, server)
    view = window.approvals
    qtbot.waitUntil(lambda: len(view.requests) >= 2, timeout=TIMEOUT_MS)
    assert "pending" in view.count_label.text()

    def select(username: str) -> None:
        row = next(i for i, r in enumerate(view.requests) if r.username == username)
        view.table.selectRow(row)

    monkeypatch.setattr(ApprovalsView, "confirm", staticmethod(lambda _parent, _request: True))
    select(to_approve.username)
    assert view.approve_button.isEnabled()
    view.approve_button.click()
    qtbot.waitUntil(lambda: "Approved" in view.banner.label.text(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: all(r.username != to_approve.username for r in view.requests),
        timeout=TIMEOUT_MS,
    )

    monkeypatch.setattr(
        ApprovalsView, "ask_reason", staticmethod(lambda _who, _parent: "Licence not found")
    )
    select(to_reject.username)
    view.reject_button.click()
    qtbot.waitUntil(lambda: "Rejected" in view.banner.label.text(), timeout=TIMEOUT_MS)
    view.status_filter.setCurrentIndex(2)  # rejected
    qtbot.waitUntil(
        lambda: any(
            r.username == to_reject.username and r.status == "rejected" for r in view.requests
        ),
        timeout=TIMEOUT_MS,
    )
    select(to_reject.username)
    assert "Licence not found" in view.selection_label.text()
    assert not view.approve_button.isEnabled()
    client.logout()


def test_audit_trail_pages(
    qtbot: QtBot, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_view, "PAGE_SIZE", 4)
    window, client = admin_window(qtbot, server)
    window.show_tab("audit")
    view = window.audit
    assert view is not None
    qtbot.waitUntil(lambda: view.table.rowCount() == 4, timeout=TIMEOUT_MS)
    first_page = [cell(view.table, r, 0).toolTip() for r in range(4)]
    assert view.older_button.isEnabled() and not view.newer_button.isEnabled()
    assert view.page_label.text().startswith("Events 1–4 of ")
    assert cell(view.table, 0, 2).text()  # an action
    view.older_button.click()
    qtbot.waitUntil(lambda: view.page_number == 2 and view.newer_button.isEnabled())
    qtbot.waitUntil(lambda: cell(view.table, 0, 0).toolTip() not in first_page)
    view.newer_button.click()
    qtbot.waitUntil(lambda: cell(view.table, 0, 0).toolTip() == first_page[0])
    view.action_filter.setText("auth.login")
    view.refresh_button.click()
    qtbot.waitUntil(
        lambda: all(
            cell(view.table, r, 2).text() == "auth.login" for r in range(view.table.rowCount())
        )
    )
    # Who: the account's name and username, the id in the tooltip.
    who = [cell(view.table, r, 1) for r in range(view.table.rowCount())]
    admin_rows = [cell for cell in who if cell.text() == "Alex Morgan (admin1)"]
    assert admin_rows and admin_rows[0].toolTip().startswith("Account id ")
    client.logout()


def test_prescribers_have_no_administration(qtbot: QtBot, server: LiveServer) -> None:
    client = sign_in(server, "prescriber1")
    window = PortalMainWindow(client, client.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    texts = [action.text() for action in window.account_button.menu().actions()]
    assert "Change password…" in texts and "Account requests…" not in texts
    client.logout()


def test_an_admin_signs_in_to_administration_not_a_prescription_list(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    """Admins never read prescriptions (the server answers them 403): their main window
    is account requests and the audit trail, and nothing in it asks for prescriptions."""
    from portal_client.core.settings import Settings
    from portal_client.gui.app import PortalApp
    from portal_client.gui.list_view import PrescriptionBrowser

    paths.set_base_dir(tmp_path / "client")
    try:
        portal = PortalApp(Settings(server_url=server.url), save_settings=False)
        portal.start(on_first_paint=lambda: None)
        portal.sign_in.username.setText("admin1")
        portal.sign_in.password.setText(DEMO_PASSWORD)
        portal.sign_in.submit.click()
        qtbot.waitUntil(lambda: portal.main_window is not None, timeout=TIMEOUT_MS)
        window = portal.main_window
        assert isinstance(window, AdminHomeWindow)  # closed by the portal below
        assert window.findChildren(PrescriptionBrowser) == []
        assert "Pharmacy administration" in window.windowTitle()
        approvals = window.approvals
        qtbot.waitUntil(lambda: "pending" in approvals.count_label.text(), timeout=TIMEOUT_MS)
        window.open_administration("audit")  # the account menu's entry: this window's tab
        audit = window.audit
        assert audit is not None and window.tabs.currentWidget() is audit
        qtbot.waitUntil(lambda: audit.table.rowCount() > 0, timeout=TIMEOUT_MS)
        window.refresh()  # what the refresh timer and F5 do
        qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
        assert window.statusBar().currentMessage() == ""
        assert approvals.banner.isHidden() and audit.banner.isHidden()
        portal._close_main_window()
        portal.shutdown()
    finally:
        paths.set_base_dir(None)


# ---------------------------------------------------------------- the canary


@pytest.fixture
def real_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from tests.helpers.secret_service import private_secret_service, require_binaries

    require_binaries()
    import keyring
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring

    with private_secret_service() as session:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.bus_address)
        previous = keyring.get_keyring()
        keyring.set_keyring(SecretServiceKeyring())
        try:
            yield session
        finally:
            keyring.set_keyring(previous)


def keyring_contents() -> str:
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        parts: list[str] = []
        for item in secretstorage.get_default_collection(connection).get_all_items():
            parts.append(item.get_label())
            parts.append(repr(item.get_attributes()))
            parts.append(item.get_secret().decode("utf-8", "replace"))
        return "\n".join(parts)
    finally:
        connection.close()


def test_the_canary_reaches_no_settings_log_or_keyring(
    qtbot: QtBot, server: LiveServer, tmp_path: Path, real_keyring: Any, clock: FakeClock
) -> None:
    from portal_client.core.settings import Settings, settings_path
    from portal_client.gui.app import PortalApp

    paths.set_base_dir(tmp_path / "client")
    root_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)  # every record the flow makes, in the file
    log_file = logs.start_file_log(level=logging.DEBUG)
    try:
        portal = PortalApp(Settings(server_url=server.url), save_settings=True)
        portal.start(on_first_paint=lambda: None)
        portal.sign_in.username.setText("prescriber1")
        portal.sign_in.password.setText(DEMO_PASSWORD)
        portal.sign_in.submit.click()
        qtbot.waitUntil(lambda: portal.main_window is not None, timeout=TIMEOUT_MS)
        window = portal.main_window
        assert isinstance(window, PrescriberWindow)
        # Not handed to qtbot: the portal closes and deletes its own window below.
        window.show_composer()
        window.composer.family_name.setText(CANARY)
        clock.now += 16 * 60
        qtbot.waitUntil(lambda: window.is_locked, timeout=TIMEOUT_MS)
        window.lock_screen.password.setText(DEMO_PASSWORD)
        with qtbot.waitSignal(window.unlocked, timeout=TIMEOUT_MS):
            window.lock_screen.submit.click()
        portal.save_settings()
        window.composer.family_name.setText(CANARY + " again")
        portal._close_main_window()
        qtbot.waitUntil(lambda: settings_path().exists(), timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
        portal.shutdown()

        assert "prescriber1" in keyring_contents()  # the remembered user name is there...
        assert CANARY not in keyring_contents()  # ...and no patient
        files = [p for p in (tmp_path / "client").rglob("*") if p.is_file()]
        assert any(p.name == "settings.json" for p in files)
        for path in files:
            data = path.read_bytes()
            assert CANARY.encode() not in data, path
            assert CANARY.encode("utf-16-le") not in data, path
        assert CANARY not in server.log_text()
        assert log_file is not None and log_file in files  # the client's log was searched
        assert logs.recent_lines(200, log_file)
    finally:
        logs.stop_file_log()
        logging.getLogger().setLevel(root_level)
        paths.set_base_dir(None)
