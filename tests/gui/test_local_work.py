"""Drafts and the outbox in the prescriber's window: autosave, reopen after a restart,
statuses shown, the quit warning. The server address is a closed port: everything here
must work offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.api_client import ApiClient, SignedInUser
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.gui.connectivity import OFFLINE
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.gui.local_keyring import MemoryKeyring, opener

USER = SignedInUser("u1", "prescriber1", "prescriber", "Dr. Maya Chen")


def offline_client(url: str) -> ApiClient:
    client = ApiClient(url, connect_timeout=0.5, read_timeout=1.0)
    client._token = "not-a-real-token"  # signed in, as far as the window knows
    client.user = USER
    return client


def open_window(
    qtbot: QtBot,
    url: str,
    data_dir: Path,
    keyring: MemoryKeyring,
    templates: list[Template],
    answers: list[str] | None = None,
) -> PrescriberWindow:
    asked = answers if answers is not None else []

    def confirm(_parent: object, sentence: str) -> bool:
        asked.append(sentence)
        return False  # "Stay"

    window = PrescriberWindow(
        offline_client(url),
        USER,
        store_opener=opener(data_dir, keyring),
        confirm_leave=confirm,
    )
    qtbot.addWidget(window)
    window.templates = templates
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=10_000)
    return window


def close_window(qtbot: QtBot, window: PrescriberWindow) -> None:
    window.close()
    qtbot.waitUntil(window.local_closed.is_set, timeout=10_000)


def test_a_draft_is_autosaved_and_found_after_a_restart(
    qtbot: QtBot, closed_port_url: str, tmp_path: Path, templates: list[Template]
) -> None:
    keyring = MemoryKeyring()
    window = open_window(qtbot, closed_port_url, tmp_path, keyring, templates)
    assert window.durable is not None and window.durable.persistent
    assert not window.store_banner.isVisible()  # a keyring: nothing to warn about
    window.show_composer()
    page = window.composer
    page.select_template("myers-infusion")
    qtbot.keyClicks(page.given_name, "Ada")
    qtbot.keyClicks(page.family_name, "Lovelace")
    qtbot.keyClicks(page.weight_edit, "6")  # half-typed: kept as typed
    with qtbot.waitSignal(page.draft_saved, timeout=3_000):
        pass  # within a second of the last edit
    assert page.save_state.text() == "Draft saved"
    qtbot.keyClicks(page.notes, "Call before delivery")
    close_window(qtbot, window)  # quit mid-edit: the last edit is flushed on the way out

    again = open_window(qtbot, closed_port_url, tmp_path, keyring, templates)
    qtbot.waitUntil(lambda: len(again.drafts) == 1, timeout=5_000)
    assert "waiting where you left" in again.banner.label.text()
    assert again.drafts_view.table.rowCount() == 1
    assert again.tabs.tabText(1) == "Drafts (1)"
    again.drafts_view.open_requested.emit(again.drafts[0].id)
    qtbot.waitUntil(lambda: again.pages.currentWidget() is again.composer, timeout=5_000)
    page = again.composer
    assert (page.given_name.text(), page.family_name.text()) == ("Ada", "Lovelace")
    assert page.weight_edit.text() == "6" and page.notes.toPlainText() == "Call before delivery"
    assert page.state.template is not None and page.state.template.id == "myers-infusion"
    close_window(qtbot, again)


def test_without_a_keyring_the_window_says_drafts_will_not_survive(
    qtbot: QtBot, closed_port_url: str, tmp_path: Path, templates: list[Template]
) -> None:
    from portal_client.core.durable import open_user_store

    window = PrescriberWindow(
        offline_client(closed_port_url),
        USER,
        store_opener=lambda client, user: open_user_store(
            tmp_path, client.base_url, user.username, None
        ),  # the tests' fail keyring backend
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.durable is not None, timeout=10_000)
    assert window.store_banner.isVisible()
    assert "will not survive a restart" in window.store_banner.label.text()
    close_window(qtbot, window)


def signed_body(templates: list[Template]) -> dict[str, object]:
    state = ComposerState()
    state.select_template(next(t for t in templates if t.id == "myers-infusion"))
    state.given_name, state.family_name, state.birth_date = "Grace", "Hopper", "1975-12-09"
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    return state.signable_body()


def test_an_unsent_prescription_shows_why_and_quitting_says_so(
    qtbot: QtBot, closed_port_url: str, tmp_path: Path, templates: list[Template]
) -> None:
    answers: list[str] = []
    window = open_window(qtbot, closed_port_url, tmp_path, MemoryKeyring(), templates, answers)
    durable = window.durable
    assert durable is not None
    durable.outbox.sign(signed_body(templates), title="HOPPER, Grace", signing_token="t")
    assert window.worker is not None
    window.worker.poke()

    def shows_offline() -> bool:
        rows = window.outbox_view.row_texts()
        return bool(rows) and rows[0][1] == "Queued" and "cannot be reached" in rows[0][2]

    qtbot.waitUntil(shows_offline, timeout=10_000)
    assert window.connectivity.state == OFFLINE
    assert "1 waiting" in window.tabs.tabText(2)

    # The user closes the window: asked, says "Stay", nothing closes.
    event = QCloseEvent()
    event.setAccepted(True)
    event.spontaneous = lambda: True  # type: ignore[method-assign]
    window.closeEvent(event)
    assert not event.isAccepted() and window.durable is durable
    assert answers and "1 signed prescription is not yet confirmed" in answers[0]
    assert "stay safely on this computer" in answers[0]

    # Sign-out asks the same; "Stay" keeps the window.
    with qtbot.assertNotEmitted(window.sign_out_requested):
        window.request_sign_out()
    assert len(answers) == 2
    close_window(qtbot, window)  # a programmatic close (sign-out confirmed) never asks
    assert len(answers) == 2


@pytest.mark.parametrize(
    ("state_value", "label", "action"),
    [("rejected", "Rejected", "Reopen"), ("needs_signature", "Sign again", "Sign again…")],
)
def test_refused_rows_offer_their_way_back(
    qtbot: QtBot,
    closed_port_url: str,
    tmp_path: Path,
    templates: list[Template],
    state_value: str,
    label: str,
    action: str,
) -> None:
    from portal_client.core.durable import State, Why
    from portal_client.gui.drafts_view import OutboxView

    view = OutboxView()
    qtbot.addWidget(view)
    window = open_window(qtbot, closed_port_url, tmp_path, MemoryKeyring(), templates)
    assert window.durable is not None
    item = window.durable.outbox.sign(signed_body(templates), title="HOPPER, Grace")
    refused = item.__class__(
        **{
            **item.__dict__,
            "state": State(state_value),
            "why": Why.INVALID,
            "detail": "The prescription is not valid.",
        }
    )
    view.show_items([refused])
    title, status, detail = view.row_texts()[0]
    assert (title, status) == ("HOPPER, Grace", label)
    assert "nothing is lost" in detail or "Reopen it as a draft" in detail
    actions = view.table.cellWidget(0, 4)
    assert actions is not None
    assert action in [b.text() for b in actions.findChildren(QPushButton)]
    close_window(qtbot, window)
