"""The pharmacist's desk with two pharmacists on one real server: opening an order claims
it, the second sees who is reviewing it (in the detail and on the row) and may take it
over, the claim goes when the window closes; after an action the desk opens the next order
of the view, or says there is none; an answered question reads "Answered"; old successes
clear themselves while errors stay."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from pharmacy_server.db import Database
from pharmacy_server.security import Passwords
from pharmacy_server.seed import DEMO_PASSWORD, PHARMACY_NAME
from portal_client.core.api_client import ApiClient
from portal_client.core.claims import local_clock
from portal_client.core.prescription_list import parse_timestamp
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.widgets import Banner
from tests.gui.conftest import sign_in
from tests.gui.test_lifecycle import confirm_in_place, pharmacist_window
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer, start_live_server
from tests.server.support import add_user

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own (the views' contents are this module's), with two pharmacists."""
    with start_live_server(tmp_path_factory.mktemp("desk")) as live:
        database = Database.from_url(live.database_url)
        try:
            add_user(
                database,
                "pharmacist2",
                role="pharmacist",
                clinic=PHARMACY_NAME,
                password_hash=Passwords(max_concurrent=1).hash(DEMO_PASSWORD),
                display_name="Sam Ortiz, PharmD",
            )
        finally:
            database.dispose()
        yield live


@pytest.fixture
def signed_in(desk_server: LiveServer) -> Iterator[dict[str, ApiClient]]:
    clients = {
        name: sign_in(desk_server, name) for name in ("prescriber1", "pharmacist1", "pharmacist2")
    }
    yield clients
    for client in clients.values():
        client.logout()


def _reference_text(window: PharmacistWindow, prescription_id: str) -> str:
    model = window.queue_model
    row = model.row_for(prescription_id)
    if row is None:
        return ""
    return str(model.index(row, model.column_of("reference")).data())


def _status_text(window: PharmacistWindow, prescription_id: str) -> str:
    model = window.queue_model
    row = model.row_for(prescription_id)
    if row is None:
        return ""
    return str(model.index(row, model.column_of("status")).data())


def _open(qtbot: QtBot, window: PharmacistWindow, prescription_id: str) -> None:
    qtbot.waitUntil(
        lambda: window.queue_model.row_for(prescription_id) is not None, timeout=TIMEOUT_MS
    )
    assert window.browser.select(prescription_id)


def test_a_second_pharmacist_sees_the_claim_and_may_take_it_over(
    qtbot: QtBot, templates: list[Template], signed_in: dict[str, ApiClient]
) -> None:
    order = str(submit_one(signed_in["prescriber1"], templates, "Claimed").id)
    first = pharmacist_window(qtbot, signed_in["pharmacist1"], "submitted")
    second = pharmacist_window(qtbot, signed_in["pharmacist2"], "submitted")

    _open(qtbot, first, order)
    qtbot.waitUntil(lambda: first.claims.held == order, timeout=TIMEOUT_MS)
    assert not first.claim_strip.isVisible()
    assert first.approve_button.isEnabled()

    # The second desk's refresh marks the row; opening it names the holder and the time.
    second.refresh()
    qtbot.waitUntil(
        lambda: "Priya Nair, PharmD reviewing" in _reference_text(second, order),
        timeout=TIMEOUT_MS,
    )
    _open(qtbot, second, order)
    qtbot.waitUntil(second.claim_strip.isVisible, timeout=TIMEOUT_MS)
    claim = signed_in["pharmacist2"].get_prescription(order).claim
    assert claim is not None
    since = local_clock(parse_timestamp(claim.since))
    assert f"Priya Nair, PharmD is reviewing (since {since})" in second.claim_strip.label.text()
    assert second.approve_button.isVisible() and not second.approve_button.isEnabled()
    second.start_action("approve")
    assert second.confirming is None  # nothing to confirm until taken over

    # "Review anyway": the claim moves; the first desk hears of it at its next renewal.
    second.claim_strip.take_over_button.click()
    qtbot.waitUntil(lambda: second.claims.held == order, timeout=TIMEOUT_MS)
    assert not second.claim_strip.isVisible() and second.approve_button.isEnabled()
    first.claims.renew()
    qtbot.waitUntil(first.claim_strip.isVisible, timeout=TIMEOUT_MS)
    assert "Sam Ortiz, PharmD is reviewing" in first.claim_strip.label.text()
    assert "Sam Ortiz, PharmD took over" in first.banner.label.text()
    assert not first.approve_button.isEnabled()

    # Closing the window lets go of the claim.
    second.close()
    qtbot.waitUntil(
        lambda: signed_in["pharmacist1"].get_prescription(order).claim is None,
        timeout=TIMEOUT_MS,
    )
    first.claims.renew()
    qtbot.waitUntil(lambda: first.claims.held == order, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not first.claim_strip.isVisible(), timeout=TIMEOUT_MS)
    assert first.approve_button.isEnabled()


def _wait_for_open(qtbot: QtBot, window: PharmacistWindow, prescription_id: str) -> None:
    """``prescription_id`` is the open order, and this desk holds its claim."""
    qtbot.waitUntil(lambda: window.browser.current_id() == prescription_id, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.claims.held == prescription_id, timeout=TIMEOUT_MS)


def test_after_an_approval_the_desk_opens_the_next_order_then_says_none_remain(
    qtbot: QtBot, templates: list[Template], signed_in: dict[str, ApiClient]
) -> None:
    for name in ("Nextone", "Nexttwo"):
        submit_one(signed_in["prescriber1"], templates, name)
    window = pharmacist_window(qtbot, signed_in["pharmacist1"], "submitted")
    qtbot.waitUntil(lambda: window.queue_model.rowCount() >= 2, timeout=TIMEOUT_MS)
    ids = [row.id for row in window.queue_model.state.rows]
    window.browser.select(ids[0])
    for following in ids[1:]:
        approved = confirm_in_place(qtbot, window, "approve")
        _wait_for_open(qtbot, window, following)
        assert window.queue_model.row_for(approved.id) is None  # it left "To review"
    confirm_in_place(qtbot, window, "approve")
    qtbot.waitUntil(
        lambda: "No more orders in this view." in window.banner.label.text(), timeout=TIMEOUT_MS
    )
    assert window.browser.current() is None


def test_an_answered_question_reads_answered_in_the_queue(
    qtbot: QtBot, templates: list[Template], signed_in: dict[str, ApiClient]
) -> None:
    order = str(submit_one(signed_in["prescriber1"], templates, "Answered").id)
    signed_in["pharmacist1"].act(order, "request_clarification", "Which dosing weight?")
    signed_in["prescriber1"].act(order, "answer_clarification", "68.5 kg", seen_steps=2)
    window = pharmacist_window(qtbot, signed_in["pharmacist1"], "submitted")
    qtbot.waitUntil(lambda: _status_text(window, order) == "Answered", timeout=TIMEOUT_MS)
    fresh = str(submit_one(signed_in["prescriber1"], templates, "Unasked").id)
    window.refresh()
    qtbot.waitUntil(lambda: _status_text(window, fresh) == "Submitted", timeout=TIMEOUT_MS)


def test_a_success_banner_clears_itself_and_on_the_next_selection_errors_stay(
    qtbot: QtBot, templates: list[Template], signed_in: dict[str, ApiClient]
) -> None:
    banner = Banner(info_timeout_ms=50)
    qtbot.addWidget(banner)
    banner.show_message("Approved RX-1.", "info")
    assert banner.isVisible()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=TIMEOUT_MS)
    banner.show_message("The server could not be reached.", "error")
    banner.clear_info()
    assert banner.isVisible() and banner.kind == "error"

    for name in ("Bannerone", "Bannertwo"):
        submit_one(signed_in["prescriber1"], templates, name)
    window = pharmacist_window(qtbot, signed_in["pharmacist1"], "all")
    qtbot.waitUntil(lambda: window.queue_model.rowCount() >= 2, timeout=TIMEOUT_MS)
    ids = [row.id for row in window.queue_model.state.rows]
    window.browser.select(ids[0])
    window.banner.show_message("Approved RX-1.", "info")
    window.browser.select(ids[1])
    assert not window.banner.isVisible()
    window.banner.show_message("Could not approve RX-1.", "error")
    window.browser.select(ids[0])
    assert window.banner.isVisible()
