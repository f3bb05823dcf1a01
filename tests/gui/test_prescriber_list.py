"""The prescriber's "Sent to the pharmacy" list, lazy and incremental like the queue: the
Qt model under ``QAbstractItemModelTester`` (pages, changes in place, new orders on top),
and the real window against a real server holding more of the prescriber's orders than a
page: one page first, the next as the last row comes into view, a refresh that fits in
only what changed (no reset, the rows scrolled in stay), and a question on an order not
scrolled into view still counted and announced."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.templates import Template, load_template_catalog
from pharmacy_server.bulk_seed import seed_bulk
from pharmacy_server.db import Database
from portal_client.core.api_client import ApiClient
from portal_client.core.prescriber_pages import PRESCRIBER_QUERY, plan_changes
from portal_client.core.queue_pages import PAGE_SIZE
from portal_client.gui.models import PRESCRIBER_COLUMNS
from portal_client.gui.prescriber_list_model import PrescriberListModel
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.gui.conftest import sign_in
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer, start_live_server

TIMEOUT_MS = 30_000
#: Spread over the demo prescribers: prescriber1 gets well over two pages.
SEEDED = 700


@pytest.fixture(scope="module")
def many_orders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_live_server(tmp_path_factory.mktemp("prescriber-list")) as live:
        database = Database.from_url(live.database_url)
        try:
            seed_bulk(database, SEEDED, load_template_catalog(), load_formulary(), load_rules())
        finally:
            database.dispose()
        yield live


@pytest.fixture
def prescriber(many_orders: LiveServer) -> Iterator[ApiClient]:
    client = sign_in(many_orders, "prescriber1")
    yield client
    client.logout()


def test_the_model_pages_and_fits_changes_under_the_model_tester(
    qtbot: QtBot, prescriber: ApiClient
) -> None:
    model = PrescriberListModel(PRESCRIBER_COLUMNS, viewer_role="prescriber")
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    first = prescriber.list_prescriptions(limit=30)
    model.show_first(PRESCRIBER_QUERY, first)
    assert model.rowCount() == 30 and model.canFetchMore(QModelIndex())
    asked: list[str] = []
    model.more_wanted.connect(lambda _query, cursor: asked.append(cursor))
    model.fetchMore(QModelIndex())
    second = prescriber.list_prescriptions(limit=30, cursor=asked[0])
    assert model.add_page(PRESCRIBER_QUERY, asked[0], second)
    assert model.rowCount() == 60

    held = [row.wire for row in model.state.rows]
    moved = dataclasses.replace(held[5], status=PrescriptionStatus.CANCELLED)
    newer = dataclasses.replace(held[0], id="new-order", created_at="2999-01-01T00:00:00Z")
    beyond = dataclasses.replace(held[-1], id="far-down", created_at="2000-01-01T00:00:00Z")
    plan = plan_changes(held, [moved, beyond, newer])
    assert plan.on_top == (newer,) and plan.updates == ((5, moved),)
    assert model.apply_changes([moved, beyond, newer]) == 1
    assert model.rowCount() == 61
    assert model.state.rows[0].id == "new-order"  # on top
    assert model.state.rows[6].status == "cancelled"  # in place, one lower
    assert model.row_for("far-down") is None  # read fresh when it scrolls into view


def test_the_window_pages_in_and_refreshes_only_what_changed(
    qtbot: QtBot, prescriber: ApiClient, many_orders: LiveServer, templates: list[Template]
) -> None:
    own_total = prescriber.list_prescriptions(limit=1).total
    assert own_total > 2 * PAGE_SIZE
    window = PrescriberWindow(prescriber, prescriber.user)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    model = window.list_model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert model.rowCount() == PAGE_SIZE  # one page, not every order
    assert f"{own_total:,} sent" in window.count_label.text()

    window.browser.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE_SIZE, timeout=TIMEOUT_MS)
    held = model.rowCount()

    # A pharmacist's question on the oldest order, far below the rows held.
    desk = sign_in(many_orders, "pharmacist1")
    far = prescriber.all_prescriptions(status="submitted").items[-1]  # the oldest waiting
    assert model.row_for(far.id) is None
    desk.act(far.id, "request_clarification", "Which dosing weight?")
    created = submit_one(prescriber, templates, "Topofthelist")

    resets: list[None] = []
    model.modelReset.connect(lambda: resets.append(None))
    window.refresh()
    qtbot.waitUntil(lambda: model.row_for(str(created.id)) == 0, timeout=TIMEOUT_MS)
    assert resets == [] and model.rowCount() == held + 1  # fitted in, nothing reloaded
    assert model.row_for(far.id) is None
    qtbot.waitUntil(
        lambda: far.reference in window.question_banner.label.text(), timeout=TIMEOUT_MS
    )
    questions = len(prescriber.all_prescriptions(status="needs_clarification").items)
    assert f"· {questions} waiting for your answer" in window.count_label.text()

    # A quiet refresh: nothing redrawn, nothing reloaded.
    window.refresh()
    assert window._refreshing
    qtbot.waitUntil(lambda: not window._refreshing, timeout=TIMEOUT_MS)
    assert resets == [] and model.rowCount() == held + 1
    desk.logout()
