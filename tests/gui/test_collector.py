"""Garbage holding Qt objects is collected on the GUI thread, never on a worker."""

from __future__ import annotations

import gc
import sys
import threading
import weakref

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from portal_client.gui import ops
from portal_client.gui.collector import GuiThreadCollector, collect_due
from portal_client.gui.ops import Op


class _Holder:
    """Half of a reference cycle with a Qt object in it (like a window and its lambdas)."""

    def __init__(self) -> None:
        self.qt_object = QObject()
        self.itself = self


def _garbage_cycle(released_on: list[threading.Thread]) -> None:
    holder = _Holder()
    weakref.finalize(holder, lambda: released_on.append(threading.current_thread()))


def _allocate_a_lot() -> int:
    """Enough allocations on a worker to cross every automatic collection threshold."""
    kept = [(index, [index]) for index in range(200_000)]
    return len(kept)


def test_a_cycle_with_a_qt_object_is_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    released_on: list[threading.Thread] = []
    _garbage_cycle(released_on)
    done: list[int] = []
    Op(owner, _allocate_a_lot).success(done.append).run()
    qtbot.waitUntil(lambda: bool(done) and ops.in_flight() == 0)
    gc.collect()  # the tests' collector would get there within a second
    assert released_on == [threading.main_thread()]


def test_collect_due_follows_the_generation_thresholds(qtbot: QtBot) -> None:
    assert not gc.isenabled()  # the fixture in tests/helpers/gui_threads.py switched it off
    threshold0 = gc.get_threshold()[0]
    collect_due()
    assert gc.get_count()[0] <= threshold0
    assert collect_due() == 0  # nothing due right after a collection
    kept = [[index] for index in range(threshold0 + 10)]
    released_on: list[threading.Thread] = []
    _garbage_cycle(released_on)
    collect_due()
    assert released_on == [threading.main_thread()]
    assert len(kept) == threshold0 + 10


def test_the_collector_collects_from_its_timer(qtbot: QtBot) -> None:
    collector = GuiThreadCollector()
    collector.start()
    try:
        kept = [[index] for index in range(gc.get_threshold()[0] + 10)]
        released_on: list[threading.Thread] = []
        _garbage_cycle(released_on)
        qtbot.waitUntil(lambda: bool(released_on), timeout=5_000)
        assert released_on == [threading.main_thread()]
        assert kept
    finally:
        collector.stop()


def _start_an_operation(owner: QWidget, released_on: list[threading.Thread]) -> None:
    """An operation whose ``fn`` holds the only reference to an object; the caller keeps
    nothing of it."""
    captured = _Captured()
    weakref.finalize(captured, lambda: released_on.append(threading.current_thread()))

    def work() -> bool:
        return captured.answer

    Op(owner, work).success(lambda _answer: None).run()


def test_the_last_reference_to_an_operation_is_dropped_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    released_on: list[threading.Thread] = []
    _start_an_operation(owner, released_on)
    qtbot.waitUntil(lambda: ops.in_flight() == 0)
    qtbot.waitUntil(lambda: bool(released_on))
    assert released_on == [threading.main_thread()]


class _Captured:
    answer = True


def test_true_and_false_survive_any_number_of_emits(qtbot: QtBot) -> None:
    """PySide6 6.12 takes a reference from ``True`` on every emit; the guard outlasts it."""
    from portal_client.gui.bool_refcount import emit_leaks_true, protect_bools

    protect_bools()
    leaks = emit_leaks_true()
    assert sys.getrefcount(True) > 1 << 39 or sys.version_info >= (3, 12)
    assert sys.getrefcount(False) > 1 << 39 or sys.version_info >= (3, 12)
    if not leaks:
        pytest.skip("this PySide6 emits without losing references: the guard is idle")
