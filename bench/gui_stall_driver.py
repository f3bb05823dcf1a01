"""One client process driven as a prescriber would, while a 1 ms timer measures the GUI
thread: the longest gap between its ticks is the longest stall in each phase.

    python -m bench.gui_stall_driver --server-url URL    (the client, through its phases)
    python -m bench.gui_stall_driver --bare               (the baseline: a bare event loop)

Prints one JSON object: ``{"phases": {name: {"max_gap_ms", "p99_gap_ms", "ticks"}}}``.
Keys are typed one at a time with the event loop running between them (a fast typist's
20 ms), so a phase's stall is the work of one event, never of a burst the driver made.
Run with a throw-away HOME and the fail keyring (``bench.gui_stalls`` does).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

from portal_client.core.demo_server import DEMO_PASSWORD as PASSWORD

KEY_PAUSE_MS = 20
WAIT_TIMEOUT_S = 60.0


class StallProbe(QObject):
    """A 1 ms precise timer; the gaps between its ticks, by the phase they fell in."""

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._phase: str | None = None
        self.gaps: dict[str, list[float]] = {}

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._phase is not None:
            self.gaps[self._phase].append((now - self._last) * 1000)
        self._last = now

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.gaps.setdefault(name, [])
        self._phase = name
        try:
            yield
        finally:
            self._phase = None

    def report(self) -> dict[str, dict[str, float]]:
        out = {}
        for name, gaps in self.gaps.items():
            ordered = sorted(gaps) or [0.0]
            out[name] = {
                "max_gap_ms": ordered[-1],
                "p99_gap_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
                "ticks": float(len(gaps)),
            }
        return out


def wait_ms(ms: int) -> None:
    """Run the event loop for ``ms`` (the probe keeps ticking)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        wait_ms(5)


def type_text(widget: QWidget, text: str) -> None:
    widget.setFocus()
    for character in text:
        QTest.keyClick(widget, character)  # type: ignore[call-overload]
        wait_ms(KEY_PAUSE_MS)


def bare(probe: StallProbe) -> None:
    """The baseline: a bare window with a line edit, typed into at the same pace."""
    window = QWidget()
    edit = QLineEdit(window)
    window.resize(900, 620)
    window.show()
    wait_ms(200)
    with probe.phase("typing"):
        type_text(edit, "Grace Hopper 1975-12-09 64 kg")
        wait_ms(300)
    window.close()


def client(probe: StallProbe, server_url: str) -> None:
    from portal_client.core.settings import Settings
    from portal_client.gui.app import PortalApp
    from portal_client.gui.prescriber_window import PrescriberWindow
    from portal_client.gui.sign_dialog import SignDialog

    portal = PortalApp(Settings(server_url=server_url), save_settings=False)
    portal.start()
    # From the first paint on (before it is start-up, which bench/startup.py measures).
    wait_until(lambda: portal.warm_up is not None, "the sign-in window painted")
    with probe.phase("sign-in window, typing"):
        # The after-paint work (theme, log file, the warm-up imports) runs meanwhile.
        type_text(portal.sign_in.username, "prescriber1")
        type_text(portal.sign_in.password, PASSWORD)
        # A person takes seconds over the two fields; the warm-up takes well under one.
        wait_until(lambda: portal.warm_up is not None and portal.warm_up.done, "the warm-up")

    with probe.phase("sign in to window shown"):
        portal.sign_in.submit.click()
        wait_until(lambda: portal.main_window is not None, "the prescriber window")
        window = portal.main_window
        assert isinstance(window, PrescriberWindow)
        wait_until(window.isVisible, "the window shown")
    with probe.phase("list load"):
        wait_until(lambda: not window.is_refreshing, "the list loaded")
        wait_ms(300)

    with probe.phase("compose"):
        window.new_button.click()
        composer = window.composer
        wait_until(lambda: bool(composer.templates), "the templates")
        wait_ms(100)
        _choose_template(composer, "myers-infusion")
        wait_ms(100)
        type_text(composer.given_name, "Grace")
        type_text(composer.family_name, "Hopper")
        type_text(composer.birth_date, "1975-12-09")
        composer.sex.setCurrentIndex(composer.sex.findData("female"))
        type_text(composer.weight_edit, "64")
        _add_lab(composer, "g6pd", "2026-10-01", "", "", "normal")
        _add_lab(composer, "creatinine", "2026-11-01", "0.9", "mg/dL", "normal")
        wait_until(composer.submit.isEnabled, "an order ready to sign")
        wait_ms(300)

    with probe.phase("sign and submit"):
        composer.submit.click()
        wait_until(lambda: composer.findChild(SignDialog) is not None, "the sign dialog")
        dialog = composer.findChild(SignDialog)
        assert dialog is not None
        type_text(dialog.credential, PASSWORD)
        dialog.sign_button.click()
        wait_until(
            lambda: (
                bool(window.outbox_view.row_texts())
                and window.outbox_view.row_texts()[0][1] == "Submitted"
            ),
            "the submission",
        )
        wait_ms(300)
    portal.sign_out()
    wait_ms(200)


def _choose_template(composer: object, template_id: str) -> None:
    from portal_client.gui.composer import TEMPLATE_ROLE

    tree = composer.template_tree  # type: ignore[attr-defined]
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            item = group.child(j)
            if item.data(0, TEMPLATE_ROLE)[0] == template_id:
                tree.setCurrentItem(item)
                return
    raise LookupError(template_id)


def _add_lab(composer: object, *values: str) -> None:
    composer.add_lab_button.click()  # type: ignore[attr-defined]
    wait_ms(KEY_PAUSE_MS)
    table = composer.labs_table  # type: ignore[attr-defined]
    row = table.rowCount() - 1
    code, date, value, unit, interpretation = (table.cellWidget(row, c) for c in range(5))
    assert isinstance(code, QComboBox) and isinstance(interpretation, QComboBox)
    code.setCurrentIndex(code.findData(values[0]))
    for editor, text in ((date, values[1]), (value, values[2]), (unit, values[3])):
        type_text(editor, text)
    interpretation.setCurrentIndex(interpretation.findData(values[4]))
    wait_ms(KEY_PAUSE_MS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--server-url")
    target.add_argument("--bare", action="store_true")
    args = parser.parse_args(argv)
    if args.bare:
        app = QApplication(sys.argv[:1])
    else:
        from portal_client.gui.app import create_application

        app = create_application(sys.argv[:1])
    probe = StallProbe()
    probe.start()
    if args.bare:
        bare(probe)
    else:
        client(probe, args.server_url)
    del app
    print(json.dumps({"phases": probe.report()}))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
