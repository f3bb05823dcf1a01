"""The queue's search box against a real server: typing the start of a patient's name
(or a reference) narrows the queue once typing pauses, an answer to an older text is
dropped, clearing the box brings the queue back, and the text is never logged."""

from __future__ import annotations

import logging

import pytest
from pytestqt.qtbot import QtBot

from pharmacy_domain.templates import Template
from portal_client.core.queue_pages import QueueFetch, QueueQuery
from tests.gui.conftest import sign_in
from tests.gui.test_lifecycle import pharmacist_window
from tests.gui.test_windows import submit_one
from tests.helpers.live_server import LiveServer

TIMEOUT_MS = 20_000


def test_the_search_box_narrows_the_queue_by_name_and_reference(
    qtbot: QtBot, server: LiveServer, templates: list[Template], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    prescriber = sign_in(server, "prescriber1")
    quillfeather = submit_one(prescriber, templates, "Quillfeather")
    quillon = submit_one(prescriber, templates, "Quillon")
    other = submit_one(prescriber, templates, "Brandtsen")
    window = pharmacist_window(qtbot, sign_in(server, "pharmacist1"), "all")
    model = window.queue_model
    qtbot.waitUntil(lambda: model.row_for(other.id) is not None, timeout=TIMEOUT_MS)

    qtbot.keyClicks(window.search_box, "quill")
    qtbot.waitUntil(
        lambda: {row.id for row in model.state.rows} == {quillfeather.id, quillon.id},
        timeout=TIMEOUT_MS,
    )
    assert window.queue_model.pages.query == window.query

    qtbot.keyClicks(window.search_box, "f")  # "quillf": one left
    qtbot.waitUntil(
        lambda: [row.id for row in model.state.rows] == [quillfeather.id], timeout=TIMEOUT_MS
    )

    window.search_box.setText(quillon.reference.lower())
    window.search_now()
    qtbot.waitUntil(
        lambda: [row.id for row in model.state.rows] == [quillon.id], timeout=TIMEOUT_MS
    )

    window.search_box.setText("zzqnobody")
    window.search_now()
    qtbot.waitUntil(lambda: model.rowCount() == 0 and window.browser._loaded, timeout=TIMEOUT_MS)
    assert "matches the search" in window.browser.empty_label.text()

    window.search_box.clear()
    window.search_now()
    qtbot.waitUntil(lambda: model.row_for(other.id) is not None, timeout=TIMEOUT_MS)

    logged = " ".join(
        record.getMessage() for record in caplog.records if record.name.startswith("portal")
    )
    for text in ("quill", "Quill", "zzqnobody", quillon.reference.lower()):
        assert text not in logged


def test_an_answer_to_an_older_search_is_dropped(
    qtbot: QtBot, server: LiveServer, templates: list[Template]
) -> None:
    prescriber = sign_in(server, "prescriber1")
    kept = submit_one(prescriber, templates, "Stalecheck")
    window = pharmacist_window(qtbot, sign_in(server, "pharmacist1"), "all")
    window.search_box.setText("stalecheck")
    window.search_now()
    model = window.queue_model
    qtbot.waitUntil(lambda: [row.id for row in model.state.rows] == [kept.id], timeout=TIMEOUT_MS)

    # The answer to "stal" arrives after "stalecheck" was shown: it changes nothing.
    older = QueueQuery(status=None, sort=window.query.sort, search="stal")
    page = window.client.list_prescriptions(search="stal", sort=older.sort)
    window.show_fetched(QueueFetch(older, page))
    assert [row.id for row in model.state.rows] == [kept.id]
    assert "stal" not in repr(older)  # a query's repr never carries the search
