"""The pharmacist's lazily filled queue: the Qt model under ``QAbstractItemModelTester``,
and the real window against a real server holding more rows than one page: the first
page, the next as the last row scrolls into view, the filters sent to the server, the
line that says rows remain, and a quiet refresh that redraws nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import load_template_catalog
from pharmacy_server.bulk_seed import seed_bulk
from pharmacy_server.db import Database
from portal_client.core.api_client import ApiClient, Page
from portal_client.core.queue_pages import PAGE_SIZE, QueueQuery
from portal_client.gui.pharmacist_window import PharmacistWindow
from portal_client.gui.queue_model import QueueTableModel
from tests.gui.conftest import sign_in
from tests.helpers.live_server import LiveServer, start_live_server

TIMEOUT_MS = 20_000
SEEDED = 250


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own, holding more prescriptions than a page."""
    with start_live_server(tmp_path_factory.mktemp("queue")) as live:
        database = Database.from_url(live.database_url)
        try:
            seed_bulk(database, SEEDED, load_template_catalog(), load_formulary(), load_rules())
        finally:
            database.dispose()
        yield live


@pytest.fixture
def pharmacist(busy_server: LiveServer) -> Iterator[ApiClient]:
    client = sign_in(busy_server, "pharmacist1")
    yield client
    client.logout()


def test_the_model_pages_in_under_the_model_tester(qtbot: QtBot, pharmacist: ApiClient) -> None:
    model = QueueTableModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    query = QueueQuery(status=None, sort="newest")
    first = pharmacist.list_prescriptions(limit=40)
    model.show_first(query, first)
    assert model.rowCount() == 40 and model.canFetchMore(QModelIndex())

    asked: list[tuple[QueueQuery, str]] = []
    model.more_wanted.connect(lambda q, cursor: asked.append((q, cursor)))
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # once on its way, not asked twice
    assert asked == [(query, first.next_cursor)]
    assert not model.canFetchMore(QModelIndex())
    second = pharmacist.list_prescriptions(cursor=first.next_cursor, limit=40)
    assert model.add_page(query, asked[0][1], second)
    assert model.rowCount() == 80
    ids = [row.id for row in model.state.rows]
    assert ids == [item.id for item in (*first.items, *second.items)]  # the server's order

    # A page for a list already replaced is dropped, whatever it holds.
    model.show_first(QueueQuery(status="submitted"), Page())
    assert not model.add_page(query, asked[0][1], second)
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def test_the_window_fetches_rows_as_they_come_into_view(
    qtbot: QtBot, pharmacist: ApiClient
) -> None:
    window = PharmacistWindow(pharmacist, pharmacist.user, status_filter="all")  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    model = window.queue_model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert model.rowCount() == PAGE_SIZE  # one page, not the whole list
    assert window.more_label.isVisible()
    assert f"{PAGE_SIZE}" in window.more_label.text() and f"{SEEDED}" in window.more_label.text()
    dates = [row.needed_by or "9999" for row in model.state.rows]
    assert dates == sorted(dates)  # the soonest needed first, as the server sorted

    window.browser.table.scrollToBottom()  # the view asks for more at its last row
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE_SIZE, timeout=TIMEOUT_MS)
    window.browser.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == SEEDED, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.more_label.isVisible(), timeout=TIMEOUT_MS)

    # A quiet refresh: the rows held stay as they are (no reset to the first page).
    resets: list[None] = []
    model.modelReset.connect(lambda: resets.append(None))
    window.refresh()
    assert window._refreshing
    qtbot.waitUntil(lambda: not window._refreshing, timeout=TIMEOUT_MS)
    assert model.rowCount() == SEEDED and resets == []

    # The filters go to the server: only answered orders, each one answered.
    window.answered_only.setChecked(True)
    qtbot.waitUntil(
        lambda: 0 < model.rowCount() < PAGE_SIZE and not window.more_label.isVisible(),
        timeout=TIMEOUT_MS,
    )
    answered = {row.id for row in model.state.rows}
    everything = pharmacist.list_prescriptions(answered=True, limit=100)
    assert answered == {item.id for item in everything.items}
    window.close()
