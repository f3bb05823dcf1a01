"""The background-operation helper: results come back on the GUI thread, or not at all."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from portal_client.gui import ops
from portal_client.gui.ops import Op


def test_success_is_delivered_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    seen: list[tuple[object, bool]] = []
    worker_threads: list[threading.Thread] = []

    def work() -> int:
        worker_threads.append(threading.current_thread())
        return 42

    def got(value: int) -> None:
        seen.append((value, threading.current_thread() is threading.main_thread()))

    Op(owner, work).success(got).run()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(42, True)]
    assert worker_threads[0] is not threading.main_thread()


def test_failure_goes_to_the_failure_callback_then_finally(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    events: list[str] = []

    def boom() -> None:
        raise ValueError("no good")

    Op(owner, boom).success(lambda _v: events.append("success")).failure(
        lambda error: events.append(f"failure:{error}")
    ).finally_(lambda: events.append("finally")).run()
    qtbot.waitUntil(lambda: "finally" in events)
    assert events == ["failure:no good", "finally"]


def test_results_for_a_destroyed_widget_are_dropped(qtbot: QtBot) -> None:
    owner = QWidget()
    release = threading.Event()
    delivered: list[object] = []

    def slow() -> str:
        release.wait(10)
        return "late"

    Op(owner, slow).success(delivered.append).failure(delivered.append).run()
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    release.set()
    qtbot.waitUntil(lambda: ops.in_flight() == 0)
    assert delivered == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_without_failure_callback_the_error_is_shown(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.show()

    def boom() -> None:
        raise RuntimeError("The pharmacy is closed")

    Op(owner, boom).run()

    def message_box() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        return boxes[0] if boxes and boxes[0].isVisible() else None

    qtbot.waitUntil(lambda: message_box() is not None)
    box = message_box()
    assert box is not None and box.text() == "The pharmacy is closed"
    box.close()
