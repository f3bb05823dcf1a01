"""The application: QApplication set-up, and which window is showing when.

Start-up is designed: only what the sign-in window needs is imported before it
paints. ``requests`` and the role windows load after the first paint, while the user
types (``warm_up``), or on first use.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from portal_client import APP_AUTHOR, APP_ID, APP_NAME, DESKTOP_ID, __version__
from portal_client.core.settings import Settings, WindowPrefs, remember_layout
from portal_client.gui import ops, resources
from portal_client.gui.bool_refcount import protect_bools
from portal_client.gui.collector import GuiThreadCollector
from portal_client.gui.ops import Op
from portal_client.gui.sign_in import SignInWindow
from portal_client.gui.theme import follow_theme
from portal_client.gui.warm_up import WarmUp, warm_up_imports

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.core.demo_server import DemoServer
    from portal_client.gui.first_run import FirstRunWindow
    from portal_client.gui.main_window import PortalMainWindow
    from portal_client.gui.theme import ThemeFollower

log = logging.getLogger(__name__)

#: What ``--quit-after-paint`` prints once the first window has painted (sign-in, or the
#: first-run question when no server is configured): a packaged build's smoke test waits
#: for it.
SIGN_IN_PAINTED = "portal-client: sign-in window painted"
FIRST_RUN_PAINTED = "portal-client: first-run window painted"

#: A first window takes this share of the screen's free area (taskbar excluded).
FIRST_RUN_SCREEN_SHARE = 0.9
#: The text size of the whole client (portal.qss says the same for styled widgets).
APPLICATION_POINT_SIZE = 10
#: Below this the composer's three columns no longer fit; smaller screens get the whole area.
MAIN_WINDOW_MINIMUM = (1000, 620)


def main_window_size(prefs: WindowPrefs, available: tuple[int, int]) -> tuple[int, int]:
    """The main window's size: remembered if the user ever resized it, else from the screen.

    ``prefs`` equal to the defaults means nothing was remembered yet (first run): the
    window takes ``FIRST_RUN_SCREEN_SHARE`` of the available area, at least the
    composer's minimum. Either way it never exceeds the screen it opens on (settings
    remembered on a larger monitor).
    """
    free_width, free_height = available
    if prefs == WindowPrefs():
        width = max(round(free_width * FIRST_RUN_SCREEN_SHARE), MAIN_WINDOW_MINIMUM[0])
        height = max(round(free_height * FIRST_RUN_SCREEN_SHARE), MAIN_WINDOW_MINIMUM[1])
    else:
        width, height = prefs.width, prefs.height
    return min(width, free_width), min(height, free_height)


def create_application(argv: Sequence[str], *, complete: bool = True) -> QApplication:
    """The QApplication with the portal's names, style and style sheet.

    ``complete=False`` leaves the application font and the (SVG) window icon to
    :func:`complete_application`, which ``PortalApp.start`` calls after the first paint;
    the sign-in window does not need them (the style sheet sets its text size and it
    carries its own PNG icon), and they cost milliseconds before that paint.
    """
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
        app.setStyle("Fusion")
    else:
        # The style is chosen on the command line rather than with ``setStyle``, whose
        # returned QStyle makes PySide6 build that class's many enums (about 4 ms
        # before the first paint). Last on the line, so it wins over a user's -style.
        app = QApplication([*argv, "-style", "Fusion"])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_ID)
    app.setStyleSheet(resources.stylesheet())
    if complete:
        complete_application(app)
    return app


def complete_application(app: QApplication) -> None:
    """What windows after the sign-in window need: the application font and icon, and
    the guard for ``True``'s reference count (its ``ctypes`` import costs milliseconds
    before the first paint, and the few emits before it cannot use the count up)."""
    from PySide6.QtGui import QFont

    protect_bools()

    if app.font().pointSize() != APPLICATION_POINT_SIZE:
        font = QFont(app.font())
        font.setPointSize(APPLICATION_POINT_SIZE)
        app.setFont(font)  # as the style sheet's text size, for metrics taken before polish
    app.setWindowIcon(resources.icon("app"))


def _open_log_file() -> None:
    from portal_client.core.logs import start_file_log

    start_file_log()


class _FirstPaint(QObject):
    """Calls ``callback`` once, right after the watched window has painted."""

    def __init__(self, window: QWidget, callback: Callable[[], object]) -> None:
        super().__init__(window)
        self._callback = callback
        self._done = False
        window.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            QTimer.singleShot(0, self._callback)
        return False


class PortalApp(QObject):
    """Owns the settings, the sign-in window and the signed-in user's window."""

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        save_settings: bool = True,
        demo_server_factory: Callable[[], DemoServer] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.demo = demo
        self._save_enabled = save_settings
        #: The user's own server: a demo's address (a random loopback port) is used for
        #: the session but never saved in its place.
        self._own_server_url = settings.server_url
        self._saved_state = repr(self._persisted())  # to skip a needless write at exit
        self._demo_server_factory = demo_server_factory
        self.demo_server: DemoServer | None = None
        self.main_window: PortalMainWindow | None = None
        #: A role window still being built in steps: shown (as ``main_window``) once whole.
        self._opening: PortalMainWindow | None = None
        self.first_run: FirstRunWindow | None = None
        self.client: ApiClient | None = None
        self.warm_up: WarmUp | None = None  # started after the first paint
        self._account = ""  # the signed-in user's id, whose layout is kept
        # Asking the system's scheme costs tens of milliseconds of CPU: a forced dark
        # look is set before the first paint, the system's is followed right after it.
        self.theme: ThemeFollower | None = None
        app = QApplication.instance()
        if settings.colour_scheme == "dark" and isinstance(app, QApplication):
            self.theme = follow_theme(app, "dark")
        accounts: Sequence[object] = ()
        password = ""
        if demo:
            from portal_client.core.demo_server import DEMO_ACCOUNTS, DEMO_PASSWORD

            accounts, password = DEMO_ACCOUNTS, DEMO_PASSWORD
        self.sign_in = SignInWindow(settings, demo_accounts=accounts, demo_password=password)
        self.sign_in.signed_in.connect(self._signed_in)
        self.sign_in.server_changed.connect(self._server_chosen)
        self.sign_in.language_changed.connect(lambda _choice: self.save_settings())
        if demo:
            self.sign_in.set_server_ready(
                False, self.tr("Starting the local demo pharmacy server…")
            )

    def start(self, on_first_paint: Callable[[], object] | None = None) -> None:
        """Show the sign-in window (or, with no server configured yet, the first-run
        question); after its first paint, open the log file, warm up and start the demo
        server.

        ``on_first_paint`` replaces that after-paint work (``--quit-after-paint``).
        """

        def painted() -> None:
            if on_first_paint is not None:
                on_first_paint()
                return
            app = QApplication.instance()
            if isinstance(app, QApplication):
                complete_application(app)
                self.theme = follow_theme(app, self.settings.colour_scheme)
            # The log file (disk) opens on the warm-up thread; records wait until then.
            self.warm_up = warm_up_imports(self, first=_open_log_file)
            if self.first_run is None:
                self.sign_in.load_remembered_username()
            if self.demo:
                self._start_demo_server()

        first: SignInWindow | FirstRunWindow = self.sign_in
        if self.settings.server_url is None and not self.demo:
            from portal_client.gui.first_run import FirstRunWindow

            first = self.first_run = FirstRunWindow(self.settings)
            self.first_run.confirmed.connect(self._first_server_confirmed)
        _FirstPaint(first, painted)
        first.center_on_screen()
        first.show()

    def _first_server_confirmed(self, url: str, ca_bundle: str | None) -> None:
        """The first run's server answered as one we can use: save it, then sign in."""
        self.settings.ca_bundle = ca_bundle
        self.sign_in.set_server_url(url)
        self._server_chosen(url)
        window, self.first_run = self.first_run, None
        if window is not None:
            window.hide()
            window.deleteLater()
        self.sign_in.center_on_screen()
        self.sign_in.show()
        self.sign_in.load_remembered_username()

    # ------------------------------------------------------------- demo

    def _start_demo_server(self) -> None:
        from portal_client.core.demo_server import DemoServer

        factory = self._demo_server_factory or DemoServer
        server = self.demo_server = factory()

        def ready(url: str) -> None:
            self.sign_in.set_server_url(url)
            # The address is in the form's server row; here a short line reads better.
            self.sign_in.set_server_ready(True, self.tr("The demo server is running."), "info")

        def failed(error: Exception) -> None:
            self.sign_in.set_server_ready(True, str(error), "error")

        Op(self.sign_in, server.start).success(ready).failure(failed).run()

    # ---------------------------------------------------------- sessions

    def _signed_in(self, client: ApiClient, user: SignedInUser) -> None:
        self.client = client
        self._drop_opening()
        if user.role == "admin":
            from portal_client.gui.admin_window import AdminHomeWindow

            window: PortalMainWindow = AdminHomeWindow(client, user)  # no prescriptions
        elif user.is_reviewer:
            from portal_client.gui.pharmacist_window import PharmacistWindow

            pharmacist = PharmacistWindow(
                client, user, status_filter=self.settings.review_status_filter, stepped=True
            )
            pharmacist.filter_changed.connect(self._remember_filter)
            window = pharmacist
        elif user.role == "clinic_staff":
            from portal_client.gui.staff_window import StaffWindow

            window = StaffWindow(client, user, stepped=True)  # prepares drafts, never signs
        else:
            from portal_client.gui.prescriber_window import PrescriberWindow

            window = PrescriberWindow(client, user, stepped=True)
        # A role window built over several event-loop turns (the sign-in window stays
        # responsive) is shown once whole.
        self._opening = window
        if window.is_ready:
            self._show_main_window(window, user)
        else:
            window.ready.connect(lambda: self._show_main_window(window, user))

    def _drop_opening(self) -> None:
        """A window still being built when it is no longer wanted (signed in again, quit):
        closed like any other, so whatever it started (the local store) closes too."""
        window, self._opening = self._opening, None
        if window is not None:
            # Its last step starts the list load and the store: before that, nothing to close.
            if window.is_ready:
                window.close()
            window.deleteLater()

    def _show_main_window(self, window: PortalMainWindow, user: SignedInUser) -> None:
        """A whole role window: sized, placed, its layout restored, shown."""
        if self._opening is not window:  # signed out (or in again) while it was built
            return
        self._opening = None
        prefs = self.settings.window
        area = self.sign_in.screen().availableGeometry()
        width, height = main_window_size(prefs, (area.width(), area.height()))
        window.setMinimumSize(
            min(MAIN_WINDOW_MINIMUM[0], area.width()), min(MAIN_WINDOW_MINIMUM[1], area.height())
        )
        window.resize(width, height)
        frame = window.frameGeometry()
        frame.moveCenter(area.center())
        window.move(max(area.left(), frame.left()), max(area.top(), frame.top()))
        from portal_client.gui.window_layout import restore_layout

        layout = self.settings.layouts.get(user.id)
        restored = layout is not None and restore_layout(window, layout, area)
        self._account = user.id
        window.sign_out_requested.connect(self.sign_out)
        window.quit_requested.connect(QApplication.quit)
        # An ended session (timeout, revocation) is handled by the window itself: its
        # lock screen asks the same user to sign in again, keeping the open work.
        self.main_window = window
        self.sign_in.hide()
        if restored:
            window.show()  # restoreGeometry brought back the maximized state too
        elif prefs.maximized:
            window.showMaximized()
        else:
            window.show()

    def _server_chosen(self, url: str) -> None:
        self._own_server_url = url
        self.save_settings()

    def _persisted(self) -> Settings:
        """What is saved: a copy of the settings (the writing thread gets its own), with
        the user's own server address."""
        from copy import deepcopy

        snapshot = deepcopy(self.settings)
        snapshot.server_url = self._own_server_url
        return snapshot

    def _remember_filter(self, status: str) -> None:
        self.settings.review_status_filter = status
        self.save_settings()

    def _close_main_window(self) -> None:
        window, self.main_window = self.main_window, None
        if window is None:
            return
        window.about_to_sign_out()
        self._remember_window(window)
        self.save_settings()
        window.close()
        window.deleteLater()

    def _remember_window(self, window: PortalMainWindow) -> None:
        """The size for the next account's first window, and this account's own layout."""
        from portal_client.gui.window_layout import capture_layout

        if not window.isMaximized():
            self.settings.window.width = window.width()
            self.settings.window.height = window.height()
        self.settings.window.maximized = window.isMaximized()
        remember_layout(self.settings, self._account, capture_layout(window))

    def sign_out(self, message: str = "") -> None:
        client, self.client = self.client, None
        self._close_main_window()
        if client is not None:
            Op(self.sign_in, client.logout).failure(lambda _error: None).run()
        self.sign_in.reset_for_next_user(message)
        self.sign_in.show()

    # --------------------------------------------------------- shutdown

    def save_settings(self) -> None:
        if not self._save_enabled:
            return
        from portal_client.core.settings import save_settings

        snapshot = self._persisted()
        self._saved_state = repr(snapshot)
        Op(self.sign_in, lambda: save_settings(snapshot)).failure(
            lambda error: log.warning("Could not save settings: %s", error)
        ).run()

    def shutdown(self) -> None:
        """After the event loop: end the session, stop the demo server, drain the
        background operations, release the windows (here, on the GUI thread, while the
        QApplication exists), save preferences."""
        self._drop_opening()
        if self.main_window is not None:
            self._remember_window(self.main_window)
        if self.client is not None:
            self.client.logout()
        if self.demo_server is not None:
            self.demo_server.stop()
        ops.shutdown(wait=True)
        self._release_windows()
        snapshot = self._persisted()
        if self._save_enabled and repr(snapshot) != self._saved_state:
            from portal_client.core.settings import save_settings

            try:
                save_settings(snapshot)
            except OSError as error:
                log.warning("Could not save settings: %s", error)

    def _release_windows(self) -> None:
        """Destroy the windows now: left to the interpreter's exit, a window (and the
        Python objects its signals hold) would be destroyed after Python stopped."""
        import shiboken6

        window, self.main_window = self.main_window, None
        first_run, self.first_run = self.first_run, None
        for widget in (window, first_run, self.sign_in):
            if widget is not None and shiboken6.isValid(widget):
                widget.deleteLater()
        _delete_now()


def release_qt_objects() -> None:
    """Before the QApplication goes: destroy what is left of Qt here, on the GUI thread.

    Left to the interpreter's exit, these would be destroyed after Qt's application
    object (PySide6 deletes it in an ``atexit`` hook) and by the collector while Python
    finalises, which ended in ``Fatal Python error: bool_dealloc``. So: operations
    drained, remaining top-level widgets (message boxes, dialogs) and the cached icons
    destroyed, every cycle collected.
    """
    import gc

    ops.shutdown(wait=True)
    for widget in QApplication.topLevelWidgets():
        widget.deleteLater()
    _delete_now()
    resources.icon.cache_clear()
    gc.collect()


def _delete_now() -> None:
    """Carry out the pending ``deleteLater`` calls (there is no event loop any more).

    Qt's own deferred deletion, not ``shiboken6.delete``: destroying a widget while
    Python still dispatches its ``event`` overrides corrupted the reference count of
    ``True`` (the ``bool_dealloc`` abort, at the interpreter's exit).
    """
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def run(
    settings: Settings,
    *,
    demo: bool = False,
    quit_after_paint: bool = False,
    save_settings: bool = True,
) -> int:
    app = create_application(sys.argv, complete=False)
    from portal_client.gui.i18n import install_translators

    install_translators(app, settings.language)  # before any window is built
    collector = GuiThreadCollector(app)
    collector.start()
    portal = PortalApp(settings, demo=demo, save_settings=save_settings)

    def painted_then_quit() -> None:
        if sys.stdout is not None:  # None in a windowed (console-less) Windows build
            painted = SIGN_IN_PAINTED if portal.first_run is None else FIRST_RUN_PAINTED
            sys.stdout.write(painted + "\n")
            sys.stdout.flush()
        app.quit()

    portal.start(on_first_paint=painted_then_quit if quit_after_paint else None)
    code = app.exec()
    portal.shutdown()
    release_qt_objects()
    collector.stop()
    return int(code)
