"""Building a large widget tree in steps the event loop runs between other events.

A window with hundreds of widgets takes far longer than a frame (16 ms) to build and
style in one go, and the GUI thread answers nothing meanwhile. A builder here is a
generator: each ``yield`` ends one step (a card, a tab, a menu), and a zero-time timer
runs the next step after whatever input and paints queued up meanwhile::

    def _build_steps(self) -> BuildSteps:
        self.header = Header(self)
        yield
        self.table = Table(self)
        yield from self.table_part.build_steps()

    SteppedBuild(self._build_steps(), self).start()   # or .finish_now() for at once

Steps that polish what they made (``ensure_polished``), or paint it once into a pixmap
(``paint_ahead``), pay the style sheet's and the first paint's costs there, instead of
all of them at the first ``show()``. What is built in steps must not be used
until ``finished``: the window shows itself only then.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from PySide6.QtCore import QObject, QSize, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

#: A builder: each ``yield`` ends a step (its value is ignored).
BuildSteps = Iterator[None]

#: A step over this is logged (debug): the target is a frame, with room for the rest.
STEP_BUDGET_MS = 8.0


def ensure_polished(*widgets: QWidget) -> None:
    """Style ``widgets`` and their children now (else the first ``show()`` does)."""
    for widget in widgets:
        widget.ensurePolished()


def paint_ahead(*widgets: QWidget) -> None:
    """Style, lay out and paint ``widgets`` into a throw-away pixmap at their preferred
    size. A widget's first paint in the process pays once for its fonts, glyphs and the
    style's pixmaps (a composer card: 2-120 ms); paid here, one part per build step,
    the page's first show costs a few milliseconds. Their layout sets the real size."""
    for widget in widgets:
        size = widget.sizeHint().expandedTo(widget.minimumSizeHint()).expandedTo(QSize(1, 1))
        widget.resize(size)
        widget.render(QPixmap(size))


class SteppedBuild(QObject):
    """Runs a builder one step per event-loop turn (``start``) or all at once (``finish_now``).

    Signals:
        finished(): the last step ran (at once from ``finish_now``, queued from ``start``).
    """

    finished = Signal()

    def __init__(self, steps: BuildSteps, parent: QObject, *, name: str = "") -> None:
        super().__init__(parent)
        self._steps: BuildSteps | None = steps
        self._name = name or type(parent).__name__
        # A timer object, not QTimer.singleShot(0, ...): that one is a posted event, and
        # events posted while posted events are delivered can run in the same pass, so
        # several steps ran back to back. A zero-interval timer fires at most once a pass.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)
        #: How many steps ran (tests check a build takes more than one turn).
        self.steps_run = 0

    @property
    def done(self) -> bool:
        return self._steps is None

    def start(self) -> None:
        """Run the steps one per event-loop turn, starting on the next turn."""
        self._timer.start()

    def finish_now(self) -> None:
        """Run every remaining step now (a caller that needs the whole tree at once)."""
        while self.step():
            pass

    def _next(self) -> None:
        if self.step():
            # Input, paints and other timers due meanwhile run before the next step.
            self._timer.start()

    def step(self) -> bool:
        """Run one step now; False once there are no more (``finished`` was emitted)."""
        steps = self._steps
        if steps is None:
            return False
        started = time.perf_counter()
        try:
            next(steps)
        except StopIteration:
            self._steps = None
            self.finished.emit()
            return False
        self.steps_run += 1
        took_ms = (time.perf_counter() - started) * 1000
        if took_ms > STEP_BUDGET_MS:
            log.debug("%s: build step %d took %.1f ms", self._name, self.steps_run, took_ms)
        return True
