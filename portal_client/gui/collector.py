"""Python's cyclic garbage collection, on the GUI thread only.

Left automatic, the collector runs on whichever thread happens to allocate when a
threshold is crossed: often a worker parsing a server answer. A reference cycle
holding a Qt object (a widget and a lambda connected to its signal) is then destroyed
on that worker thread, and Qt objects must die on the thread they live on; the result
was a segmentation fault "Garbage-collecting" on a ``portal-op`` thread, or a corrupted
reference count reported later as ``Fatal Python error: bool_dealloc``. So automatic
collection is switched off and a timer on the GUI thread collects instead, with the
same generation thresholds (the approach of Anki and calibre).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks whether a collection is due; reference counting
#: frees everything outside cycles at once, so cycles may wait this long.
CHECK_INTERVAL_MS = 1000


def collect_due() -> int:
    """Collect the generations whose thresholds were crossed (as the automatic collector
    would); return how many objects were freed. Call on the GUI thread only."""
    threshold0, threshold1, threshold2 = gc.get_threshold()
    count0, count1, count2 = gc.get_count()
    if count0 <= threshold0:
        return 0
    generation = 0
    if count1 > threshold1:
        generation = 1
        if count2 > threshold2:
            generation = 2
    return gc.collect(generation)


class GuiThreadCollector(QObject):
    """While started, cycles are collected by a timer of the thread that owns it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(collect_due)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect everything now, on this thread; automatic collection stays off, because
        worker threads may still be running (a final write) while Qt objects remain."""
        self._timer.stop()
        gc.collect()
