"""The one way screens run slow work: a plain function on a worker thread.

Modelled on Anki's ``QueryOp``::

    Op(self, lambda: client.templates()).success(self._show).failure(self._oops).run()

``fn`` runs on a pool thread and must only take and return plain data: it must
never touch a widget. Its result (or exception) comes back on the GUI thread
through a queued signal and goes to ``success`` or ``failure``. If ``parent`` was
destroyed meanwhile, the result is dropped. Without a ``failure`` callback the
error is shown in a message box.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def executor() -> ThreadPoolExecutor:
    """A small shared pool: network calls overlap, but a burst cannot spawn dozens of threads."""
    global _executor  # noqa: PLW0603 - one pool per process
    with _executor_lock:
        if _executor is None:
            from concurrent.futures import ThreadPoolExecutor

            _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="portal-op")
        return _executor


def shutdown(wait: bool = False) -> None:
    """Stop accepting work (at exit); queued work is cancelled."""
    global _executor
    with _executor_lock:
        pool, _executor = _executor, None
    if pool is not None:
        pool.shutdown(wait=wait, cancel_futures=True)


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from a worker reaches it queued."""

    deliver = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        # Emitted from worker threads, so the automatic connection queues the call
        # onto this object's (the GUI) thread.
        self.deliver.connect(self._run)

    @Slot(object)
    def _run(self, closure: Callable[[], None]) -> None:
        closure()


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay  # noqa: PLW0603
    if _relay is None:
        from PySide6.QtCore import QThread  # not before the first paint: its enums cost

        app = QCoreApplication.instance()
        assert app is not None, "create the QApplication before running operations"
        assert QThread.currentThread() is app.thread(), "start operations from the GUI thread"
        _relay = _Relay()
    return _relay


_in_flight = 0


def in_flight() -> int:
    """How many operations have not delivered yet (tests wait for zero)."""
    return _in_flight


def show_error(
    parent: QWidget | None, error: BaseException, title: str = "Something went wrong"
) -> None:
    """The default failure handler: a non-blocking message box with the error's own words."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent.window() if parent is not None else None)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(str(error) or error.__class__.__name__)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


class Op(Generic[T]):
    """A background operation owned by ``parent`` (a widget or any QObject)."""

    def __init__(self, parent: QObject, fn: Callable[[], T]) -> None:
        self._parent = parent
        self._fn = fn
        self._on_success: Callable[[T], Any] | None = None
        self._on_failure: Callable[[Exception], Any] | None = None
        self._on_finished: Callable[[], Any] | None = None

    def success(self, callback: Callable[[T], Any]) -> Op[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[Exception], Any]) -> Op[T]:
        self._on_failure = callback
        return self

    def finally_(self, callback: Callable[[], Any]) -> Op[T]:
        """Runs after success or failure (e.g. to stop a spinner)."""
        self._on_finished = callback
        return self

    def run(self) -> Future[T]:
        global _in_flight  # noqa: PLW0603 - touched on the GUI thread only
        relay = _the_relay()
        _in_flight += 1
        future = executor().submit(self._fn)
        future.add_done_callback(lambda done: relay.deliver.emit(lambda: self._deliver(done)))
        return future

    def _deliver(self, future: Future[T]) -> None:
        global _in_flight  # noqa: PLW0603
        _in_flight -= 1
        if not shiboken6.isValid(self._parent):
            return  # the screen that asked was closed: nobody wants the answer
        try:
            if future.cancelled():
                return
            error = future.exception()
            if error is None:
                if self._on_success is not None:
                    self._on_success(future.result())
            elif not isinstance(error, Exception):
                raise error
            elif self._on_failure is not None:
                self._on_failure(error)
            else:
                log.info("Background operation failed: %s", error.__class__.__name__)
                show_error(self._parent if isinstance(self._parent, QWidget) else None, error)
        finally:
            if self._on_finished is not None and shiboken6.isValid(self._parent):
                self._on_finished()
