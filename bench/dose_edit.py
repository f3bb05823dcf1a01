"""A dose typed into the composer → the checks panel painted with the new findings, for a
25-ingredient parenteral-nutrition order (the one ``bench/evaluate.py`` checks).

Measured from the key press to the checks panel's next paint, in one offscreen client
process; the baseline is the same key press into a bare line edit whose handler sets a
label's text, measured to that label's paint. Samples alternate between the two; each
types over the last digit of the sodium chloride dose (70 → 71 → 70 mEq/day): the
figures and the findings' numbers change, as with most keystrokes in a dose.
Target: within 1.2x the bare edit.

    python -m bench.dose_edit [--samples N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from bench.evaluate import build_order
from bench.harness import Benchmark, table
from pharmacy_domain.formulary import load_formulary

BARE = "bare line edit → label painted"
COMPOSER = "dose edit → checks panel painted (25 ingredients)"
PAINT_TIMEOUT_MS = 5_000
BUDGET_RATIO = 1.2
CHILD_TIMEOUT_S = 600


class PaintClock(QObject):
    """When the watched widget, or any widget inside it, has painted after ``arm``: a
    changed label repaints itself, not the frame around it."""

    def __init__(self, watched: QWidget) -> None:
        super().__init__(watched)
        self._watched = watched
        self.painted_at: float | None = None
        self._loop: QEventLoop | None = None
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def eventFilter(self, target: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and self._loop is not None
            and isinstance(target, QWidget)
            and (target is self._watched or self._watched.isAncestorOf(target))
        ):
            if self.painted_at is None:
                # The rest of this frame's paints come before a zero-time timer.
                QTimer.singleShot(0, self._loop.quit)
            self.painted_at = time.perf_counter()
        return False

    def time_to_paint(self, action: Callable[[], object]) -> float:
        """Milliseconds from the start of ``action`` to the last paint it caused."""
        self.painted_at = None
        loop = self._loop = QEventLoop()
        began = time.perf_counter()
        action()
        QTimer.singleShot(PAINT_TIMEOUT_MS, loop.quit)
        loop.exec()
        self._loop = None
        painted_at: float | None = self.painted_at  # set by eventFilter meanwhile
        if painted_at is None:
            raise TimeoutError("the widget never painted")
        return (painted_at - began) * 1000


def _settle(ms: int = 30) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _bare_window() -> tuple[QWidget, QLineEdit, PaintClock]:
    window = QWidget()
    layout = QVBoxLayout(window)
    edit = QLineEdit("70")
    label = QLabel("70")
    layout.addWidget(edit)
    layout.addWidget(label)
    edit.textEdited.connect(lambda text: label.setText(f"Amount: {text}"))
    window.resize(400, 200)
    window.show()
    return window, edit, PaintClock(label)


def _composer_window() -> tuple[QWidget, QLineEdit, PaintClock]:
    from pharmacy_domain.rules import load_rules
    from portal_client.core import reference_data
    from portal_client.core.api_client import ApiClient
    from portal_client.gui.composer.page import ComposerPage

    # No server to fetch them from: check with what a fresh server publishes (the seed
    # files), as a signed-in composer would (core/reference_data).
    reference_data.set_active(reference_data.ReferenceData(load_formulary(), load_rules()))
    catalog, body = build_order(load_formulary())
    template = catalog.latest()[0]
    # No server: the composer's own checks are what is measured (its server check
    # waits for a pause in typing, and fails quietly here).
    page = ComposerPage(ApiClient("http://127.0.0.1:9"))
    page.load_templates([template])
    page.resize(1400, 900)
    page.show()
    page._set_template(template, by_user=True)
    patient = body["patient"]
    for editor, text in (
        (page.given_name, patient["given_name"]),
        (page.family_name, patient["family_name"]),
        (page.birth_date, patient["birth_date"]),
        (page.weight_edit, str(patient["weight_kg"])),
        (page.height_edit, str(patient["height_cm"])),
    ):
        QTest.keyClicks(editor, text)
    page.sex.setCurrentIndex(page.sex.findData(patient["sex"]))
    page.access.setCurrentIndex(page.access.findData("central"))
    # Sodium chloride: its dose moves osmolarity, sodium and several findings' figures.
    editor, _check = page._ingredient_slots["sodium-chloride-4"]
    return page, editor, PaintClock(page.checks)


def measure(samples: int) -> dict[str, list[float]]:
    """In this process (a fresh one: ``run`` starts it), both edits, alternating."""
    from portal_client.gui.app import create_application

    create_application([])
    windows = {BARE: _bare_window(), COMPOSER: _composer_window()}
    for _window, editor, _clock in windows.values():
        editor.setFocus()
        QTest.keyClick(editor, Qt.Key.Key_End)
    _settle(200)
    times: dict[str, list[float]] = {name: [] for name in windows}
    for number in range(samples + 2):
        for name, (window, editor, clock) in windows.items():
            window.activateWindow()
            editor.setFocus()
            # Select the last digit (not timed), then type over it: 70 → 71 → 70 …
            QTest.keyClick(editor, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
            _settle(5)
            digit = "1" if number % 2 == 0 else "0"

            def type_digit(e: QLineEdit = editor, d: str = digit) -> None:
                QTest.keyClick(e, d)  # type: ignore[call-overload]

            took = clock.time_to_paint(type_digit)
            if number >= 2:  # the first two warm the paths up
                times[name].append(took)
            _settle(5)
    return times


def run(smoke: bool = False, samples: int | None = None) -> Benchmark:
    samples = 6 if smoke else max(40, samples or 200)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "bench.dose_edit", "--child", "--samples", str(samples)],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed: {done.stderr[-2000:]}")
    times: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    bench = Benchmark(
        "dose_edit",
        "Key press → painted: a composer dose edit (25 ingredients) vs a bare line edit",
        notes={"samples": samples, "budget_ratio": BUDGET_RATIO},
    )
    bare = bench.add(BARE, "ms", times[BARE])
    bench.add(COMPOSER, "ms", times[COMPOSER], baseline=bare.name)
    return bench


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.samples)), flush=True)
        # Qt's objects die with the process; Python's own teardown of them can crash.
        os._exit(0)
    print(table([run(samples=args.samples)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
