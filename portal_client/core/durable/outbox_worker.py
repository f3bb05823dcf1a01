"""The thread that sends the outbox's rows as they fall due."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal_client.core.durable.outbox import Outbox

log = logging.getLogger("portal_client.core.durable.outbox")


class OutboxWorker:
    """A daemon thread that reconciles at start, then sends rows as they fall due.

    ``poke()`` after signing, after sign-in (``outbox.resume``) or when the network
    comes back; ``stop()`` on sign-out or quit (returns once the thread ended, or
    after ``timeout`` if a request is still in flight — the row then stays
    ``sending`` and is reconciled at the next start).
    """

    def __init__(self, outbox: Outbox, *, max_idle: float = 60.0) -> None:
        self._outbox = outbox
        self._max_idle = max_idle
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)
        self.rounds = 0  # completed send rounds, for tests and diagnostics

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        first = True
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if first:
                    self._outbox.reconcile()
                    first = False
                else:
                    self._outbox.process_due()
            except Exception:
                # Local store trouble (disk full, locked): try again on the next wake-up.
                log.exception("Outbox round failed")
            self.rounds += 1
            due = self._outbox.next_wakeup()
            idle = self._max_idle
            if due is not None:
                idle = min(idle, max(0.0, due - self._outbox.now()))
            self._wake.wait(idle)
