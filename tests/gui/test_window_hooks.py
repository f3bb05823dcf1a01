"""The window base's hooks: one confirm-before-leaving hook behind every way out, and
the discard of a listed draft written once for the prescriber's and the staff's windows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QCloseEvent
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient, SignedInUser
from portal_client.core.composer import ComposerState
from portal_client.gui.composing_window import ComposingWindow
from portal_client.gui.main_window import PortalMainWindow
from portal_client.gui.prescriber_window import PrescriberWindow
from portal_client.gui.staff_window import StaffWindow
from tests.gui.conftest import sign_in
from tests.gui.local_keyring import MemoryKeyring, opener
from tests.helpers.live_server import LiveServer

USER = SignedInUser("u1", "prescriber1", "prescriber", "Dr. Maya Chen")
WORK = "1 signed prescription is not yet confirmed by the pharmacy."
TIMEOUT_MS = 20_000


class WindowWithWork(PortalMainWindow):
    """A role window whose unsent work the test sets; it records when it closes."""

    work = WORK
    closed = 0

    def unsent_work(self) -> str:
        return self.work

    def closing(self) -> None:
        self.closed += 1

    def fetch(self) -> None:
        return None

    def show_fetched(self, result: object) -> None:
        del result


def user_quits(window: PortalMainWindow) -> QCloseEvent:
    event = QCloseEvent()
    event.setAccepted(True)
    event.spontaneous = lambda: True  # type: ignore[method-assign]
    window.closeEvent(event)
    return event


def test_every_way_out_asks_about_unsent_work_through_one_hook(
    qtbot: QtBot, closed_port_url: str
) -> None:
    asked: list[str] = []

    def stay(_parent: object, sentence: str) -> bool:
        asked.append(sentence)
        return False

    window = WindowWithWork(ApiClient(closed_port_url), USER, confirm_leave=stay)
    qtbot.addWidget(window)
    with qtbot.assertNotEmitted(window.sign_out_requested):
        window.sign_out_button.click()
        window.sign_out_action.trigger()  # the account menu's own action, by reference
        window.lock_screen.switch_user.emit()
    assert asked == [f"{WORK}\n\nSign out anyway?"] * 3
    event = user_quits(window)
    assert not event.isAccepted() and window.closed == 0
    assert asked[-1] == f"{WORK}\n\nQuit anyway?"

    window.work = ""  # nothing unsent: nobody is asked
    with qtbot.waitSignal(window.sign_out_requested, timeout=1000):
        window.sign_out_action.trigger()
    assert user_quits(window).isAccepted() and window.closed == 1
    assert len(asked) == 4


def test_the_user_agreeing_to_leave_lets_the_window_close(
    qtbot: QtBot, closed_port_url: str
) -> None:
    window = WindowWithWork(ApiClient(closed_port_url), USER, confirm_leave=lambda _p, _s: True)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sign_out_requested, timeout=1000):
        window.sign_out_button.click()
    assert user_quits(window).isAccepted() and window.closed == 1


def discard_listed_draft(
    qtbot: QtBot, window: ComposingWindow, emit_discard: Callable[[str], object]
) -> None:
    """Save a draft, open it, discard it from the list: gone from the store and the form."""
    durable = window.durable
    assert durable is not None
    state = ComposerState(given_name="Ada", family_name="Lovelace")
    durable.drafts.save(state.draft_id, state.to_draft(), title=state.title())
    window.composer.open_draft(state.draft_id, state.to_draft())
    assert window.composer.given_name.text() == "Ada"
    asked: list[object] = []

    def agree(parent: object) -> bool:
        asked.append(parent)
        return True

    window.composer.confirm_discard = agree
    emit_discard(state.draft_id)
    qtbot.waitUntil(lambda: durable.drafts.load(state.draft_id) is None, timeout=TIMEOUT_MS)
    assert asked == [window]
    assert window.composer.state.draft_id != state.draft_id  # the form starts afresh
    assert window.composer.given_name.text() == ""


def test_prescribers_discard_a_listed_draft(
    qtbot: QtBot, closed_port_url: str, tmp_path: Path, templates: list[Template]
) -> None:
    client = ApiClient(closed_port_url, connect_timeout=0.5, read_timeout=1.0)
    client._token = "not-a-real-token"
    client.user = USER
    window = PrescriberWindow(
        client, USER, store_opener=opener(tmp_path, MemoryKeyring()), confirm_leave=lambda *_: True
    )
    qtbot.addWidget(window)
    window.templates = templates
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.local_work_changed, timeout=TIMEOUT_MS):
        discard_listed_draft(qtbot, window, window.drafts_view.discard_requested.emit)
    window.close()
    qtbot.waitUntil(window.local_closed.is_set, timeout=TIMEOUT_MS)


def test_clinic_staff_discard_a_listed_draft(
    qtbot: QtBot, server: LiveServer, tmp_path: Path
) -> None:
    client = sign_in(server, "staff1")
    assert client.user is not None
    window = StaffWindow(client, client.user, store_opener=opener(tmp_path, MemoryKeyring()))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=TIMEOUT_MS)
    discard_listed_draft(qtbot, window, window.local_view.discard_requested.emit)
    window.close()
    qtbot.waitUntil(window.local_closed.is_set, timeout=TIMEOUT_MS)
