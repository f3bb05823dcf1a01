"""The sign-in window against a real server: success, and each failure in its own words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from portal_client.core.demo_server import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal_client.core.settings import Settings
from portal_client.gui.sign_in import SignInWindow
from tests.helpers.live_server import LiveServer


def window(qtbot: QtBot, url: str, demo: bool = False) -> SignInWindow:
    widget = SignInWindow(
        Settings(server_url=url),
        demo_accounts=DEMO_ACCOUNTS if demo else (),
        demo_password=DEMO_PASSWORD if demo else "",
    )
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_enter_in_the_password_field_signs_in(qtbot: QtBot, server: LiveServer) -> None:
    widget = window(qtbot, server.url)
    assert "Sign in" in widget.windowTitle()
    widget.username.setText("prescriber1")
    widget.password.setText(DEMO_PASSWORD)
    with qtbot.waitSignal(widget.signed_in, timeout=20_000) as blocker:
        qtbot.keyClick(widget.password, Qt.Key.Key_Return)
    client, user = blocker.args
    assert user.username == "prescriber1" and client.signed_in
    assert widget.password.text() == ""  # the password is not kept around
    client.logout()


def test_wrong_password_says_so_and_keeps_the_user_name(qtbot: QtBot, server: LiveServer) -> None:
    widget = window(qtbot, server.url)
    widget.username.setText("prescriber1")
    widget.password.setText("wrong")
    widget.submit.click()
    qtbot.waitUntil(widget.error_banner.isVisible, timeout=20_000)
    assert "Wrong user name or password" in widget.error_banner.label.text()
    assert widget.username.text() == "prescriber1"
    assert widget.submit.text() == "Sign in" and widget.username.isEnabled()


def test_unreachable_server_is_named(qtbot: QtBot, closed_port_url: str) -> None:
    widget = window(qtbot, closed_port_url)
    widget.username.setText("prescriber1")
    widget.password.setText(DEMO_PASSWORD)
    widget.submit.click()
    qtbot.waitUntil(widget.error_banner.isVisible, timeout=20_000)
    text = widget.error_banner.label.text()
    assert "Cannot reach the pharmacy server" in text and closed_port_url in text


def test_submit_waits_for_both_fields(qtbot: QtBot, server: LiveServer) -> None:
    widget = window(qtbot, server.url)
    assert not widget.submit.isEnabled()
    widget.username.setText("prescriber1")
    assert not widget.submit.isEnabled()
    widget.password.insert(DEMO_PASSWORD)  # pasting is allowed
    assert widget.submit.isEnabled()


def test_changing_the_server(qtbot: QtBot, server: LiveServer, closed_port_url: str) -> None:
    widget = window(qtbot, closed_port_url)
    widget.change_server.click()
    assert widget.server_edit.isVisible()
    widget.server_edit.setText("ftp://nope")
    widget.server_save.click()
    assert widget.server_error.isVisible()
    assert widget.settings.server_url == closed_port_url
    widget.server_edit.setText(closed_port_url.removeprefix("http://") + "/")  # nothing there
    widget.server_save.click()
    assert not widget.server_save.isEnabled()  # checking, in the background
    qtbot.waitUntil(widget.server_save.isEnabled, timeout=20_000)
    assert "Nothing answers" in widget.server_error.text()
    assert widget.server_edit.text() == closed_port_url.removeprefix("http://") + "/"
    widget.server_edit.setText(server.url.removeprefix("http://"))
    with qtbot.waitSignal(widget.server_changed, timeout=20_000) as blocker:
        widget.server_save.click()
    assert blocker.args == [server.url]
    assert server.url in widget.server_label.text()
    assert not widget.server_edit.isVisible()


def test_demo_panel_lists_accounts_and_fills_the_form(qtbot: QtBot, server: LiveServer) -> None:
    widget = window(qtbot, server.url, demo=True)
    assert set(widget.demo_buttons) == {a.username for a in DEMO_ACCOUNTS}
    widget.set_server_ready(False, "Starting the local demo pharmacy server…")
    widget.demo_buttons["pharmacist1"].click()
    assert widget.username.text() == "pharmacist1"
    assert widget.password.text() == DEMO_PASSWORD
    assert not widget.submit.isEnabled()  # the demo server is not up yet
    widget.set_server_ready(True, f"Demo server running at {server.url}.")
    assert widget.submit.isEnabled()
    with qtbot.waitSignal(widget.signed_in, timeout=20_000) as blocker:
        widget.submit.click()
    assert blocker.args[1].role == "pharmacist"
    blocker.args[0].logout()
