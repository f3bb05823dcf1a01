"""Sign-in with the TOTP step, requesting and activating an account, the remembered user
name (no keyring, and a real Secret Service), against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from portal_client.core.durable.keystore import KeyStore
from portal_client.core.settings import Settings
from portal_client.gui.account_request_dialog import AccountRequestDialog
from portal_client.gui.activation_dialog import ActivationDialog
from portal_client.gui.sign_in import NO_KEYRING_USERNAME_NOTICE, SignInWindow
from tests.helpers.live_server import LiveServer, start_live_server
from tests.helpers.secret_service import private_secret_service, require_binaries
from tests.helpers.totp_accounts import (
    STRONG_PASSWORD,
    Authenticator,
    approve,
    enrolled_account,
    request_account,
    valid_npi,
)

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """This module's server takes more than the usual five account requests per hour
    from one address: every test here requests an account of its own."""
    with start_live_server(
        tmp_path_factory.mktemp("server"), extra_env={"PHARMACY_ACCOUNT_REQUESTS_PER_HOUR": "50"}
    ) as live:
        yield live


def sign_in_window(qtbot: QtBot, url: str, **options: Any) -> SignInWindow:
    widget = SignInWindow(Settings(server_url=url), **options)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_password_then_code(qtbot: QtBot, server: LiveServer) -> None:
    account = enrolled_account(server)
    widget = sign_in_window(qtbot, server.url)
    widget.username.setText(account.username)
    widget.password.setText(account.password)
    widget.submit.click()
    qtbot.waitUntil(lambda: widget.on_code_step, timeout=TIMEOUT_MS)
    assert widget.code is not None and widget.code.isVisible()
    assert account.username in widget.code_prompt.text()
    assert widget.password.text() == ""  # not kept while the code is typed

    # A wrong code says so and stays on the code step.
    wrong = "000000" if account.authenticator.next_code() != "000000" else "111111"
    widget.code.setText(wrong)  # six digits submit by themselves
    qtbot.waitUntil(widget.error_banner.isVisible, timeout=TIMEOUT_MS)
    assert "that code is not right" in widget.error_banner.label.text().lower()
    assert widget.on_code_step

    with qtbot.waitSignal(widget.signed_in, timeout=TIMEOUT_MS) as blocker:
        widget.code.setText(account.authenticator.next_code())
    client, user = blocker.args
    assert user.username == account.username and client.signed_in
    assert not widget.on_code_step and widget.steps.currentIndex() == 0
    client.logout()


def test_a_used_code_says_each_code_works_once(qtbot: QtBot, server: LiveServer) -> None:
    account = enrolled_account(server)
    widget = sign_in_window(qtbot, server.url)
    widget.username.setText(account.username)
    widget.password.setText(account.password)
    widget.submit.click()
    qtbot.waitUntil(lambda: widget.on_code_step, timeout=TIMEOUT_MS)
    assert widget.code is not None
    widget.code.setText(account.authenticator.used_code())  # the one activation used
    qtbot.waitUntil(widget.error_banner.isVisible, timeout=TIMEOUT_MS)
    assert "each code works once" in widget.error_banner.label.text()
    assert widget.on_code_step  # the same challenge takes the next code
    with qtbot.waitSignal(widget.signed_in, timeout=TIMEOUT_MS) as blocker:
        widget.code.setText(account.authenticator.next_code())
    blocker.args[0].logout()


def test_back_from_the_code_step(qtbot: QtBot, server: LiveServer) -> None:
    account = enrolled_account(server)
    widget = sign_in_window(qtbot, server.url)
    widget.username.setText(account.username)
    widget.password.setText(account.password)
    widget.submit.click()
    qtbot.waitUntil(lambda: widget.on_code_step, timeout=TIMEOUT_MS)
    widget.back_button.click()
    assert not widget.on_code_step and widget.username.text() == account.username
    assert widget.submit.text() == "Sign in"


def test_request_account_says_what_is_wrong_then_confirms(qtbot: QtBot, server: LiveServer) -> None:
    dialog = AccountRequestDialog(server.url, _client_factory)
    qtbot.addWidget(dialog)
    dialog.show()
    # The NPI's check digit is checked as soon as ten digits are typed.
    qtbot.keyClicks(dialog.npi.edit, "1234567890")
    assert dialog.npi.message.isVisible()
    assert "check digit" in dialog.npi.message.text()
    dialog.npi.edit.setText(valid_npi())
    assert dialog.npi.message.text() == "✓ Valid NPI"
    dialog.dea.edit.setText("AB1234560")
    dialog.dea.edit.editingFinished.emit()
    assert "check digit" in dialog.dea.message.text()

    dialog.send_button.click()  # nothing else filled in
    assert "correct the highlighted fields" in dialog.banner.label.text()
    assert dialog.display_name.message.text() == "Enter your full name."
    assert "e-mail" in dialog.email.message.text()
    assert dialog.licence_state.property("invalid")

    dialog.display_name.edit.setText("Dr Maya Chen")
    dialog.username.edit.setText("mchen-gui")
    dialog.email.edit.setText("maya.chen@clinic.example")
    dialog.clinic.edit.setText("Riverside Integrative Health")
    dialog.licence_number.edit.setText("A123456")
    dialog.licence_state.setCurrentText("CA")
    dialog.dea.edit.setText("AB1234563")
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=TIMEOUT_MS)
    text = dialog.done_text.text()
    assert "waiting for the pharmacy's approval" in text and "maya.chen@clinic.example" in text


def test_clinic_staff_need_no_licence(qtbot: QtBot, server: LiveServer) -> None:
    dialog = AccountRequestDialog(server.url, _client_factory)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.role.setCurrentIndex(1)
    assert not dialog.credentials.isVisible()
    dialog.display_name.edit.setText("Sam Staff")
    dialog.username.edit.setText("sstaff-gui")
    dialog.email.edit.setText("sam@clinic.example")
    dialog.clinic.edit.setText("Riverside Integrative Health")
    assert dialog.problems() == []
    assert dialog.to_request().npi is None


def test_activation_shows_the_qr_code_and_signs_in(qtbot: QtBot, server: LiveServer) -> None:
    request = request_account(server)
    code = approve(server, request.username)
    dialog = ActivationDialog(server.url, _client_factory, username=request.username)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.code.setText(code)
    dialog.password_fields.new.setText("short")
    assert not dialog.next_button.isEnabled()
    assert "at least 12" in dialog.password_fields.problem.text()
    dialog.password_fields.new.insert(" but now long enough")  # paste works
    dialog.password_fields.confirm.setText("something else")
    assert "differ" in dialog.password_fields.problem.text()
    dialog.password_fields.new.setText(STRONG_PASSWORD)
    dialog.password_fields.confirm.setText(STRONG_PASSWORD)
    assert dialog.next_button.isEnabled()
    dialog.next_button.click()
    qtbot.waitUntil(lambda: dialog.on_enrollment, timeout=TIMEOUT_MS)

    assert dialog.qr.isVisible() and len(dialog.qr.matrix) >= 21  # a real QR symbol
    secret = dialog.secret_label.text().replace(" ", "")
    assert len(secret) >= 32
    # The key can be read and typed, never selected or copied.
    assert dialog.secret_label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction
    assert dialog.secret_label.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    assert secret not in QApplication.clipboard().text()

    phone = Authenticator(secret)
    with qtbot.waitSignal(dialog.activated, timeout=TIMEOUT_MS) as blocker:
        dialog.first_code.setText(phone.next_code())
        dialog.next_button.click()
    client, user = blocker.args
    assert user.username == request.username and client.signed_in
    client.logout()


def test_activation_with_a_wrong_code_says_so(qtbot: QtBot, server: LiveServer) -> None:
    request = request_account(server)
    approve(server, request.username)
    dialog = ActivationDialog(server.url, _client_factory, username=request.username)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.code.setText("AAAA-BBBB-CCCC-DDDD")
    dialog.password_fields.new.setText(STRONG_PASSWORD)
    dialog.password_fields.confirm.setText(STRONG_PASSWORD)
    dialog.next_button.click()
    qtbot.waitUntil(dialog.banner.isVisible, timeout=TIMEOUT_MS)
    assert "activation code is not valid" in dialog.banner.label.text()
    assert not dialog.on_enrollment


def test_without_a_keyring_the_window_says_the_name_is_not_remembered(
    qtbot: QtBot, server: LiveServer
) -> None:
    # tests/conftest.py sets the fail backend: no keyring at all.
    widget = sign_in_window(qtbot, server.url)
    widget.load_remembered_username()
    qtbot.waitUntil(widget.keyring_notice.isVisible, timeout=TIMEOUT_MS)
    assert widget.keyring_notice.text() == NO_KEYRING_USERNAME_NOTICE
    assert not widget.remember.isEnabled()
    assert widget.username.text() == ""


@pytest.fixture
def secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    require_binaries()
    with private_secret_service() as session:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.bus_address)
        yield session


def secret_service_store(url: str) -> KeyStore:
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring

    return KeyStore(url, backend=SecretServiceKeyring(), timeout=10)


def test_user_name_remembered_in_a_real_secret_service(
    qtbot: QtBot, server: LiveServer, secret_service: Any
) -> None:
    from tests.helpers.live_server import DEMO_PASSWORD

    first = sign_in_window(qtbot, server.url, keystore_factory=secret_service_store)
    first.username.setText("prescriber1")
    first.password.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(first.signed_in, timeout=TIMEOUT_MS) as blocker:
        first.submit.click()
    blocker.args[0].logout()
    qtbot.waitUntil(lambda: secret_service_store(server.url).remembered_username() is not None)

    # A new window (as after a restart) fills in the name, and says nothing about keyrings.
    second = sign_in_window(qtbot, server.url, keystore_factory=secret_service_store)
    second.load_remembered_username()
    qtbot.waitUntil(lambda: second.username.text() == "prescriber1", timeout=TIMEOUT_MS)
    assert not second.keyring_notice.isVisible()
    assert second.remember.isEnabled()

    # Unticking "remember" forgets it at the next sign-in.
    second.remember.setChecked(False)
    second.password.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(second.signed_in, timeout=TIMEOUT_MS) as blocker:
        second.submit.click()
    blocker.args[0].logout()
    qtbot.waitUntil(lambda: secret_service_store(server.url).remembered_username() is None)


def _client_factory(url: str) -> Any:
    from portal_client.core.api_client import ApiClient

    return ApiClient(url)
