"""The real client, driven: sign in, open the prescriber's composer, sign out, N times, quit.

Run by test_exit.py as a subprocess (``python -m tests.gui.close_driver URL BASEDIR
CYCLES ENDING``): the process goes through ``portal_client.__main__.main`` exactly as
``portal-client`` does, so its exit code and stderr are those of a user's session. The
driver only presses what a user would press, from timers on the GUI thread, and closes
the last main window itself so the application quits the way it does for users.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from portal_client import __main__ as client_main
from portal_client.gui import app as client_app
from portal_client.gui import ops
from portal_client.gui.prescriber_window import PrescriberWindow
from tests.helpers.live_server import DEMO_PASSWORD

USERNAME = "prescriber1"
#: How the last cycle ends the session.
CLOSE_MAIN_WINDOW = "close-main-window"
SIGN_OUT_THEN_CLOSE = "sign-out-then-close"
ENDINGS = (CLOSE_MAIN_WINDOW, SIGN_OUT_THEN_CLOSE)
#: The first generation's collection threshold (Python's default is 700).
GC_THRESHOLD = 100
#: How often the driver looks whether the client reached the next state.
POLL_MS = 20
#: A cycle that has not reached its next state by then is stuck: exit with code 3.
STUCK_AFTER_MS = 60_000


class Driver:
    def __init__(self, portal: client_app.PortalApp, cycles: int, ending: str) -> None:
        self.portal = portal
        self.ending = ending
        self.cycles_left = cycles
        self._watchdog = QTimer()
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._stuck)

    def _stuck(self) -> None:
        sys.stderr.write(f"close_driver: stuck with {self.cycles_left} cycles left\n")
        sys.stderr.flush()
        QApplication.exit(3)

    def _when(self, condition: Callable[[], bool], then: Callable[[], None]) -> None:
        def look() -> None:
            if condition():
                then()
            else:
                QTimer.singleShot(POLL_MS, look)

        self._watchdog.start(STUCK_AFTER_MS)
        QTimer.singleShot(0, look)

    def sign_in(self) -> None:
        window = self.portal.sign_in
        window.use_account(USERNAME)
        window.password.setText(DEMO_PASSWORD)
        window.attempt_sign_in()
        self._when(self._main_window_shown, self._window_open)

    def _main_window_shown(self) -> bool:
        window = self.portal.main_window
        return window is not None and window.isVisible()

    def _window_open(self) -> None:
        window = self.portal.main_window
        assert isinstance(window, PrescriberWindow)
        window.new_from_list()  # the composer fetches the templates: work on the pool
        self.cycles_left -= 1
        sys.stdout.write("main window open\n")
        sys.stdout.flush()
        if self.cycles_left % 2:
            # Every other cycle leaves while the window's work is still running.
            self._leave()
        else:
            self._when(lambda: ops.in_flight() == 0, self._leave)

    def _leave(self) -> None:
        if self.cycles_left > 0:
            self.portal.sign_out()
            self._when(self.portal.sign_in.isVisible, self.sign_in)
        elif self.ending == SIGN_OUT_THEN_CLOSE:
            # Sign out, then close the sign-in window at once: the application quits
            # while the sign-out and the settings write still run on the pool.
            self._watchdog.stop()
            self.portal.sign_out()
            self.portal.sign_in.close()
        else:
            # As a user ends the day: close the main window, the application quits.
            self._watchdog.stop()
            assert self.portal.main_window is not None
            self.portal.main_window.close()


def main(url: str, base_dir: str, cycles: int, ending: str) -> int:
    # Collections as often as every few hundred allocations: a collection on the wrong
    # thread, should one ever happen, then happens within a run rather than one in
    # hundreds.
    gc.set_threshold(GC_THRESHOLD)
    original_start = client_app.PortalApp.start
    drivers: list[Driver] = []

    def start(
        portal: client_app.PortalApp, on_first_paint: Callable[[], object] | None = None
    ) -> None:
        original_start(portal, on_first_paint)
        driver = Driver(portal, cycles, ending)
        drivers.append(driver)  # alive until the process ends
        QTimer.singleShot(0, driver.sign_in)

    setattr(client_app.PortalApp, "start", start)  # noqa: B010 - a method, replaced
    return client_main.main(["--server-url", url, "--temp-basedir", base_dir])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
