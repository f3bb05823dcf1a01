"""The one way screens run slow work: a plain function on a worker thread.

Modelled on Anki's ``QueryOp``::

    Op(self, lambda: client.templates()).success(self._show).failure(self._oops).run()

``fn`` runs on a pool thread and must only take and return plain data: it must
never touch a widget. Its result (or exception) comes back on the GUI thread
through a queued signal and goes to ``success`` or ``failure``. If ``parent`` was
destroyed meanwhile, the result is dropped. Without a ``failure`` callback the
error is shown in a message box. The worker never keeps a reference to the
operation (see ``_work``), so no Qt object is ever released on a worker thread.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)

T = TypeVar("T")

#: At quit, how long the GUI thread waits for operations still running (a request
#: in flight, a settings write) before it lets the process end without them.
QUIT_WAIT_S = 5.0

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()

# What the worker threads share with the GUI thread. ``_pending`` maps an operation's
# token to the operation: only the GUI thread adds and removes entries, so the last
# reference to an operation (its parent, its callbacks, the closure ``fn`` and whatever
# widget that captures) is always dropped on the GUI thread. A worker gets the token
# alone, borrows ``fn`` from here while it runs, and lets go before it reports back.
_state = threading.Condition()
_pending: dict[int, Op[Any]] = {}
_tokens = itertools.count(1)
_running = 0  # workers inside ``fn``, or about to report
_closing = False  # set while ``shutdown`` drains: queued work no longer starts


def executor() -> ThreadPoolExecutor:
    """A small shared pool: network calls overlap, but a burst cannot spawn dozens of threads."""
    global _executor  # noqa: PLW0603 - one pool per process
    with _executor_lock:
        if _executor is None:
            from concurrent.futures import ThreadPoolExecutor

            _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="portal-op")
        return _executor


def shutdown(wait: bool = True, timeout_s: float = QUIT_WAIT_S) -> bool:
    """At quit, on the GUI thread, after the event loop: drain the operations.

    Work not started yet is cancelled; with ``wait``, work already running gets up to
    ``timeout_s`` to finish. Answers not delivered yet are dropped here, on the GUI
    thread, and so is the relay once no worker can report to it any more. Returns
    whether every worker finished. The next operation starts a fresh pool.
    """
    global _executor, _closing, _relay  # noqa: PLW0603
    with _executor_lock:
        pool, _executor = _executor, None
    with _state:
        _closing = True
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
    with _state:
        finished = _state.wait_for(lambda: _running == 0, timeout_s if wait else 0)
        abandoned = list(_pending.values())
        _pending.clear()
        _closing = False
    for op in abandoned:
        op.future.cancel()  # not started: whoever holds the future sees it cancelled
    del abandoned
    if finished and _relay is not None:
        # No worker can emit any more: the relay, and the answers queued for it, go now
        # (on the GUI thread) rather than in Qt's clean-up after Python has finalised.
        relay, _relay = _relay, None
        QCoreApplication.removePostedEvents(relay)
        relay.deleteLater()
        QCoreApplication.sendPostedEvents(relay, QEvent.Type.DeferredDelete)
    elif not finished:
        log.warning("%d background operations still running at quit", _running)
    return finished


def _work(token: int) -> None:
    """On a pool thread: run the operation's ``fn``; hold nothing of it when reporting."""
    global _running  # noqa: PLW0603
    with _state:
        op = _pending.get(token)
        if _closing or op is None:
            return
        fn, future = op.fn, op.future
        relay = _relay
        _running += 1
    del op
    try:
        if future.set_running_or_notify_cancel():
            try:
                value = fn()
            except BaseException as error:  # handed to the GUI thread, which decides
                future.set_exception(error)
            else:
                future.set_result(value)
                del value
        # The references this thread holds go before the GUI thread can take the
        # answer: whichever reference is dropped last must be dropped over there.
        del fn, future
        if relay is not None:
            relay.deliver.emit(token)
    finally:
        with _state:
            _running -= 1
            _state.notify_all()


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from a worker reaches it queued.

    The signal carries the token as a C++ int: an event still queued when the process
    ends holds no Python object that Qt would release after Python has finalised.
    """

    deliver = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        # Emitted from worker threads, so the automatic connection queues the call
        # onto this object's (the GUI) thread.
        self.deliver.connect(self._run)

    @Slot(int)
    def _run(self, token: int) -> None:
        with _state:
            op = _pending.pop(token, None)
        if op is not None:
            op.deliver()


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


def in_flight() -> int:
    """How many operations have not delivered yet (tests wait for zero)."""
    with _state:
        return len(_pending)


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
        self.fn = fn
        self.future: Future[T]  # set by ``run``
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
        """Start ``fn`` on the pool; the future completes there, callbacks run here later."""
        from concurrent.futures import Future

        _the_relay()
        self.future = Future()
        token = next(_tokens)
        with _state:
            _pending[token] = self
        executor().submit(_work, token)
        return self.future

    def deliver(self) -> None:
        """On the GUI thread, once the worker reported (or never, if it was cancelled)."""
        future = self.future
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
