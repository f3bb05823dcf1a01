"""Progress in place: a busy bar while a list loads, and Cancel drops the load."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient, SignedInUser
from portal_client.gui.main_window import PortalMainWindow
from tests.gui.test_composer import composer

USER = SignedInUser("u1", "pharmacist1", "pharmacist", "Sam Reviewer")
TIMEOUT_MS = 10_000


class PausedListWindow(PortalMainWindow):
    """A window whose list load waits at a gate the test opens."""

    def __init__(self, client: ApiClient, gate: threading.Event) -> None:
        super().__init__(client, USER)
        self.gate = gate
        self.started = threading.Event()
        self.shown: list[object] = []

    def fetch(self) -> str:
        self.started.set()
        self.gate.wait(TIMEOUT_MS / 1000)
        return "rows"

    def show_fetched(self, result: object) -> None:
        self.shown.append(result)


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    gate = threading.Event()
    yield gate
    gate.set()  # never leave a worker waiting past its test


@pytest.fixture
def window(qtbot: QtBot, closed_port_url: str, gate: threading.Event) -> PausedListWindow:
    window = PausedListWindow(ApiClient(closed_port_url), gate)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.refresh_timer.stop()
    return window


def test_the_busy_bar_shows_while_the_list_loads(
    qtbot: QtBot, window: PausedListWindow, gate: threading.Event
) -> None:
    window.refresh()
    qtbot.waitUntil(window.started.is_set, timeout=TIMEOUT_MS)
    assert window.busy.isVisible() and window.busy.bar.isVisible()
    assert (window.busy.bar.minimum(), window.busy.bar.maximum()) == (0, 0)  # busy mode
    assert window.busy.cancel_button.isVisible()  # a read may be abandoned
    gate.set()
    qtbot.waitUntil(lambda: window.shown == ["rows"], timeout=TIMEOUT_MS)
    assert not window.busy.isVisible()


def test_cancel_stops_the_load_and_drops_its_answer(
    qtbot: QtBot, window: PausedListWindow, gate: threading.Event
) -> None:
    window.refresh()
    qtbot.waitUntil(window.started.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.busy.cancelled, timeout=TIMEOUT_MS):
        window.busy.cancel_button.click()
    assert not window.busy.isVisible()
    assert "stopped" in window.statusBar().currentMessage()
    gate.set()
    qtbot.waitUntil(lambda: not window._refreshing, timeout=TIMEOUT_MS)
    assert window.shown == []  # the cancelled answer never reached the list

    window.started.clear()
    window.refresh()  # the next load runs as usual
    qtbot.waitUntil(lambda: window.shown == ["rows"], timeout=TIMEOUT_MS)


def test_signing_shows_a_busy_bar_and_offers_no_cancel(
    qtbot: QtBot, closed_port_url: str, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_client.core.errors import ServerUnreachable
    from portal_client.gui.sign_dialog import SignDialog

    client = ApiClient(closed_port_url)
    asked = threading.Event()

    def paused_step_up(*_args: object, **_kwargs: object) -> None:
        asked.set()
        gate.wait(TIMEOUT_MS / 1000)
        raise ServerUnreachable("The pharmacy server cannot be reached.")

    monkeypatch.setattr(client, "step_up", paused_step_up)
    dialog = SignDialog(client, {"template_id": "myers-infusion"}, "")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.busy_bar.isVisible()
    qtbot.keyClicks(dialog.credential, "demo-password")
    dialog.sign_button.click()
    qtbot.waitUntil(asked.is_set, timeout=TIMEOUT_MS)
    assert dialog.busy_bar.isVisible() and dialog.busy_bar.maximum() == 0
    assert not dialog.cancel_button.isEnabled()  # a signature in flight is never abandoned
    gate.set()
    qtbot.waitUntil(dialog.error.isVisible, timeout=TIMEOUT_MS)
    assert not dialog.busy_bar.isVisible() and dialog.cancel_button.isEnabled()


def test_signing_in_shows_a_busy_bar_until_the_answer(
    qtbot: QtBot, closed_port_url: str, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_client.core import accounts
    from portal_client.core.errors import ServerUnreachable
    from portal_client.core.settings import Settings
    from portal_client.gui.sign_in import SignInWindow

    asked = threading.Event()

    def paused_sign_in(*_args: object) -> None:
        asked.set()
        gate.wait(TIMEOUT_MS / 1000)
        raise ServerUnreachable("The pharmacy server cannot be reached.")

    monkeypatch.setattr(accounts, "begin_sign_in", paused_sign_in)
    window = SignInWindow(Settings(server_url=closed_port_url))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.busy_bar is None  # made on first use, after the first paint
    window.username.setText("prescriber1")
    window.password.setText("demo-password")
    window.submit.click()
    qtbot.waitUntil(asked.is_set, timeout=TIMEOUT_MS)
    bar = window.busy_bar
    assert bar is not None and bar.isVisible() and bar.maximum() == 0
    gate.set()
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=TIMEOUT_MS)
    assert window.error_banner.isVisible()


def test_the_audit_load_shows_progress_and_cancel_keeps_the_page(
    qtbot: QtBot, closed_port_url: str, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_client.core import account_admin
    from portal_client.core.wire import AuditPage
    from portal_client.gui.audit_view import AuditView
    from portal_client.gui.ops import Op

    asked = threading.Event()

    def paused_audit(*_args: object, **_kwargs: object) -> AuditPage:
        asked.set()
        gate.wait(TIMEOUT_MS / 1000)
        return AuditPage(items=(), total=99, next_cursor=None)

    def run(fn: object, success: object, failure: object, finished: object) -> None:
        Op(view, fn).success(success).failure(failure).finally_(finished).run()  # type: ignore[arg-type]

    monkeypatch.setattr(account_admin, "audit_page", paused_audit)
    view = AuditView(ApiClient(closed_port_url), run)
    qtbot.addWidget(view)
    view.show()
    view.load_first()
    qtbot.waitUntil(asked.is_set, timeout=TIMEOUT_MS)
    assert view.busy.isVisible() and view.busy.cancel_button.isVisible()
    view.busy.cancel_button.click()
    assert not view.busy.isVisible()
    gate.set()
    from portal_client.gui import ops

    qtbot.waitUntil(lambda: ops.in_flight() == 0, timeout=TIMEOUT_MS)
    assert view.total == 0  # the cancelled answer was dropped
    assert view.page_label.text() == "No events."


def test_the_composer_shows_a_busy_bar_while_signing_and_storing(
    qtbot: QtBot, closed_port_url: str, templates: list[Template]
) -> None:
    page = composer(qtbot, ApiClient(closed_port_url), templates)
    qtbot.waitExposed(page)
    bar = page.sign_bar.busy_bar
    assert not bar.isVisible()
    page._set_busy(True)  # what signing and storing in the outbox do
    assert bar.isVisible() and bar.maximum() == 0
    assert "Signing" in page.sign_bar.submit.text() and not page.sign_bar.discard.isEnabled()
    page._set_busy(False)
    assert not bar.isVisible()
