"""What the prescriber and pharmacist windows share: the top bar and account menu, titles,
sign-out, refresh, the licence banner and the idle lock.

Window titles name the app and the signed-in user, never a patient. The idle lock and a
lost session both put the lock screen in place of the window's content; the content
(an open composer included) stays alive underneath and comes back unchanged.

Hooks for the role windows, each a typed method they may override:
``about_to_lock`` (before the content is hidden), ``about_to_sign_out`` (before the
window closes for good), ``unsent_work`` (what leaving would leave unsent, asked about
through the one confirm-before-leaving hook ``confirm_leaving``), ``closing`` (once
leaving is agreed), and the refresh's ``fetch``/``fetch_job``/``show_fetched``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME
from portal_client.core.accounts import licence_status
from portal_client.core.domain_text import role_text
from portal_client.core.errors import NotSignedIn, PortalError
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.core.prescription_list import format_timestamp
from portal_client.gui import resources
from portal_client.gui.busy import BusyIndicator
from portal_client.gui.i18n import marked
from portal_client.gui.lock_screen import (
    IDLE_CHECK_INTERVAL_MS,
    IDLE_LOCK_SECONDS,
    IdleWatcher,
    LockScreen,
)
from portal_client.gui.menus import WindowMenus
from portal_client.gui.ops import Op
from portal_client.gui.stepped_build import BuildSteps, SteppedBuild, ensure_polished, paint_ahead
from portal_client.gui.widgets import Banner

if TYPE_CHECKING:
    from pharmacy_domain.templates import Template
    from portal_client.core.api_client import ApiClient, SignedInUser
    from portal_client.gui.admin_window import AdministrationWindow

#: How often a visible list asks the server for news (a pharmacist's approval).
REFRESH_INTERVAL_MS = 20_000


def window_title(user: SignedInUser, page: str = "") -> str:
    who = f"{user.display_name} ({role_text(user.role)})"
    return f"{APP_NAME} — {page + ' — ' if page else ''}{who}"


def locked_title() -> str:
    """The title while locked: the application's name, nothing about the user's work."""
    return QCoreApplication.translate("MainWindow", "{app} — Locked").format(app=APP_NAME)


#: How the user leaves a window: signing out, or quitting (closing the window).
Leaving = Literal["sign_out", "quit"]
#: Asked before leaving with unsent work (parent, the sentence); True = go ahead.
ConfirmLeave = Callable[[QWidget, str], bool]
_LEAVE_QUESTION: dict[Leaving, str] = {
    "sign_out": QT_TRANSLATE_NOOP("Marked", "Sign out anyway?"),
    "quit": QT_TRANSLATE_NOOP("Marked", "Quit anyway?"),
}


def ask_leave(parent: QWidget, sentence: str) -> bool:
    answer = QMessageBox.warning(
        parent,
        QCoreApplication.translate("MainWindow", "Prescriptions not yet sent"),
        sentence,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class PortalMainWindow(QMainWindow):
    """Base of both role windows.

    Signals:
        sign_out_requested(): the user pressed Sign out.
        quit_requested(): File › Quit (Ctrl+Q), unsent work agreed to; the window closed.
        session_expired(str): the server refused our token. The window then asks its
            user to sign in again on the lock screen, keeping the open work.
        locked(), unlocked(): the lock screen came and went.
        ready(): the window is whole (see ``build_in_steps``); the sign-in shows it then.
    """

    sign_out_requested = Signal()
    quit_requested = Signal()
    session_expired = Signal(str)
    locked = Signal()
    unlocked = Signal()
    ready = Signal()

    #: Seconds without input before the lock, and how time is read and checked
    #: (tests swap in a fake clock and a fast check instead of waiting 15 minutes).
    idle_lock_seconds: float = IDLE_LOCK_SECONDS
    idle_clock: Callable[[], float] = staticmethod(time.monotonic)
    idle_check_interval_ms: int = IDLE_CHECK_INTERVAL_MS

    def __init__(
        self,
        client: ApiClient,
        user: SignedInUser,
        parent: QWidget | None = None,
        *,
        confirm_leave: ConfirmLeave | None = None,
        defer_build: bool = False,
    ) -> None:
        """``defer_build``: the frame (top bar, lock screen, menus) is left in
        ``frame_steps`` for the role window's own stepped build to run first."""
        super().__init__(parent)
        self.client = client
        self.user = user
        self._confirm_leave: ConfirmLeave = confirm_leave or ask_leave
        self.templates: list[Template] = []
        self.names: dict[str, str] = {}
        self._refreshing = False
        self._refresh_again = False  # asked while one was in flight: run once more after it
        self._refresh_cancelled = False  # the user stopped the load: its answer is dropped
        self._last_refresh_ok: str | None = None
        self._title_before_lock: str | None = None
        self._hidden_by_lock: list[QWidget] = []
        self._admin_window: AdministrationWindow | None = None
        #: A role window built in steps (``build_in_steps``); None: whole from the start.
        self.build: SteppedBuild | None = None
        #: What a build step does to each part it made: built in steps, paint it once ahead
        #: (so the first show and later openings have little left to pay), else style it.
        self.finish_part: Callable[..., None] = paint_ahead if defer_build else ensure_polished
        self.setWindowTitle(window_title(user))
        self.setWindowIcon(resources.icon("app"))

        steps = self._build_frame()
        self.frame_steps: BuildSteps | None = steps if defer_build else None
        if not defer_build:
            for _step in steps:
                pass

    def _build_frame(self) -> BuildSteps:
        """The parts every role window has, in steps (see ``build_in_steps``)."""
        central = QWidget()
        central.setObjectName("Canvas")
        self.content = central
        self.root_layout = QVBoxLayout(central)
        self.root_layout.setContentsMargins(0, 0, 0, 0)
        self.root_layout.setSpacing(0)
        self.root_layout.addWidget(self._build_top_bar())
        self.licence_banner = Banner()
        self.licence_banner.setContentsMargins(16, 8, 16, 0)
        self.root_layout.addWidget(self.licence_banner)
        self._show_licence_status()
        yield

        # The lock screen replaces the content; the content is hidden, never destroyed.
        self.screens = QStackedWidget()
        self.screens.addWidget(central)
        self.lock_screen = LockScreen(self.client, self.user)
        self.screens.addWidget(self.lock_screen)
        self.setCentralWidget(self.screens)
        self.lock_screen.unlocked.connect(self.unlock)
        # Through request_sign_out, so a role window can first say what is unsent.
        self.lock_screen.switch_user.connect(self.request_sign_out)
        self.session_expired.connect(self.require_sign_in)
        self.screens.ensurePolished()  # styled here rather than all at the first show()
        yield

        self.idle_watcher = IdleWatcher(
            self,
            timeout_s=self.idle_lock_seconds,
            clock=self.idle_clock,
            check_interval_ms=self.idle_check_interval_ms,
        )
        self.idle_watcher.idle.connect(self.lock)

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self.refresh_timer.timeout.connect(self._refresh_on_timer)
        # Every key is bound there, once (portal_client.gui.actions).
        self.menus = WindowMenus(self)
        # A list load shows a busy bar in the status bar; stopping it only drops its answer.
        self.busy = BusyIndicator()
        self.busy.cancelled.connect(self._cancel_refresh)
        self.statusBar().addPermanentWidget(self.busy)
        # Messages about loading the list: the next good refresh clears these, and only
        # these, so it never wipes a message the user has not had time to read.
        self._list_status_texts: set[str] = set()

    def _build_top_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("TopBar")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(20, 10, 16, 10)
        logo = QLabel()
        logo.setPixmap(QPixmap(resources.icon_path("app")).scaledToHeight(28))
        title = QLabel(APP_NAME)
        title.setObjectName("AppTitle")
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addStretch(1)
        self.top_bar_actions = QHBoxLayout()
        layout.addLayout(self.top_bar_actions)
        role = role_text(self.user.role)
        clinic = f" · {self.user.clinic}" if self.user.clinic else ""
        self.account_button = QToolButton()
        self.account_button.setObjectName("UserChip")
        self.account_button.setText(f"{self.user.display_name} · {role}{clinic}")
        self.account_button.setIcon(resources.icon("user"))
        self.account_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.account_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.account_button.setAccessibleName(self.tr("Account menu"))
        self.account_button.setMenu(self._build_account_menu())
        layout.addWidget(self.account_button)
        self.sign_out_button = QPushButton(self.tr(" Sign out"))
        self.sign_out_button.setIcon(resources.icon("sign-out"))
        # Button and menu go through request_sign_out: unsent work is asked about first.
        self.sign_out_button.clicked.connect(self.request_sign_out)
        layout.addWidget(self.sign_out_button)
        return bar

    def _build_account_menu(self) -> QMenu:
        menu = QMenu(self)
        self.change_password_action = menu.addAction(
            self.tr("Change password…"), self.change_password
        )
        self.lock_action = menu.addAction(self.tr("Lock now"), self.lock)
        if self.user.is_reviewer:
            menu.addSeparator()
            self.approvals_action = menu.addAction(
                self.tr("Account requests…"), lambda: self.open_administration("requests")
            )
            if self.user.role == "admin":
                self.users_action = menu.addAction(
                    self.tr("Users…"), lambda: self.open_administration("users")
                )
                self.audit_action = menu.addAction(
                    self.tr("Audit trail…"), lambda: self.open_administration("audit")
                )
        menu.addSeparator()
        self.sign_out_action = menu.addAction(
            resources.icon("sign-out"), self.tr("Sign out"), self.request_sign_out
        )
        return menu

    def _show_licence_status(self) -> None:
        """Prescribers see a banner from 30 days before their licence expires."""
        if self.user.role != "prescriber":
            return
        from datetime import date

        status = licence_status(self.user.licence_expires_on, date.today())
        if status.kind == "current":
            self.licence_banner.clear()
        else:
            self.licence_banner.show_message(
                status.message, "warn" if status.kind == "expiring" else "error"
            )

    def build_in_steps(self, steps: BuildSteps, *, stepped: bool) -> None:
        """Run a role window's own build: ``stepped``, one step per event-loop turn (the
        GUI thread never stalls on it; ``ready`` follows), else all of it now."""
        self.build = SteppedBuild(steps, self)
        self.build.finished.connect(self.ready)
        if stepped:
            self.build.start()
        else:
            self.build.finish_now()

    @property
    def paints_ahead(self) -> bool:
        """Built in steps, each part painted ahead (the composer's parts too)."""
        return self.finish_part is paint_ahead

    @property
    def is_ready(self) -> bool:
        """Whole: every build step ran (a window not built in steps always is)."""
        return self.build is None or self.build.done

    # ---------------------------------------------------------- account

    def change_password(self) -> None:
        from portal_client.gui.password_dialog import PasswordDialog

        dialog = PasswordDialog(self.client, self.user, self)
        dialog.changed.connect(self._password_changed)
        dialog.open()

    def _password_changed(self) -> None:
        # The server ended every session of the account, this one included.
        self.require_sign_in(
            self.tr("Your password was changed and every session was signed out."),
            known_cause=True,
        )

    def open_administration(self, tab: str = "requests") -> None:
        from portal_client.gui.admin_window import AdministrationWindow

        window = self._admin_window
        if window is None or not shiboken6.isValid(window):
            window = AdministrationWindow(self.client, self.user, self.run, self)
            self._admin_window = window
        window.show_tab(tab)
        window.show()
        window.raise_()
        window.activateWindow()

    # ---------------------------------------------------------- lock

    @property
    def is_locked(self) -> bool:
        return self.screens.currentWidget() is self.lock_screen

    @property
    def is_refreshing(self) -> bool:
        """A list load is in flight (tests wait on this going false)."""
        return self._refreshing

    def request_sign_out(self) -> None:
        """Sign out (button, account menu, lock screen), once unsent work is agreed to."""
        if self.confirm_leaving("sign_out"):
            self.sign_out_requested.emit()

    def request_quit(self) -> None:
        """File › Quit: once unsent work is agreed to, close (saving what is open) and quit."""
        if self.confirm_leaving("quit"):
            self.close()
            self.quit_requested.emit()

    def unsent_work(self) -> str:
        """Hook: what leaving now would leave unsent, in words ("" when nothing waits)."""
        return ""

    def confirm_leaving(self, leaving: Leaving) -> bool:
        """The one confirm-before-leaving hook: with unsent work, ask; True = leave."""
        sentence = self.unsent_work()
        if not sentence:
            return True
        return self._confirm_leave(self, f"{sentence}\n\n{marked(_LEAVE_QUESTION[leaving])}")

    def closing(self) -> None:
        """Hook: the window is closing and leaving was agreed (role windows stop their
        background work here, off the GUI thread)."""

    def about_to_lock(self) -> None:
        """Hook: the content is about to be hidden (role windows may save drafts)."""

    def about_to_sign_out(self) -> None:
        """Hook: the window is about to close for good (role windows may save drafts)."""

    def lock(self) -> None:
        """Hide everything behind the lock screen; the password brings it back."""
        if not self.is_locked:
            self._cover()
        self.lock_screen.show_locked()

    def require_sign_in(self, reason: str = "", *, known_cause: bool = False) -> None:
        """The session is gone: cover the work and ask the same user to sign in again.

        Once the screen asks for it, a later call (the refusal of a request that was in
        flight) changes nothing, so what the user is typing is kept; only a ``known_cause``
        (the password was changed here) replaces the words, whichever answer came first."""
        if self.is_locked and self.lock_screen.session_ended:
            if known_cause:
                self.lock_screen.explain_session_end(reason)
            return
        if not self.is_locked:
            self._cover()
        self.lock_screen.show_session_ended(reason)

    def _cover(self) -> None:
        self.about_to_lock()
        self.refresh_timer.stop()  # no fetching of patient data nobody can see
        self.idle_watcher.stop()
        self._title_before_lock = self.windowTitle()
        self.setWindowTitle(locked_title())
        # Other windows of this one (administration, dialogs) may show data too.
        self._hidden_by_lock = [
            child
            for child in self.findChildren(QWidget)
            if child.isWindow() and child.isVisible() and child is not self
        ]
        for child in self._hidden_by_lock:
            child.hide()
        self.statusBar().hide()
        self.screens.setCurrentWidget(self.lock_screen)
        self.locked.emit()

    def unlock(self) -> None:
        if not self.is_locked:
            return
        self.screens.setCurrentWidget(self.content)
        title, self._title_before_lock = self._title_before_lock, None
        self.setWindowTitle(title or window_title(self.user))
        self.statusBar().show()
        for child in self._hidden_by_lock:
            # A modal dialog's own event loop ended when it was hidden; do not revive it.
            if shiboken6.isValid(child) and not (isinstance(child, QDialog) and child.isModal()):
                child.show()
        self._hidden_by_lock = []
        if self.isVisible():
            self.refresh_timer.start()
            self.idle_watcher.start()
        self.unlocked.emit()
        self.refresh()

    def setWindowTitle(self, title: str) -> None:
        """While locked, pages changing underneath may not put anything in the title."""
        if self._title_before_lock is not None and title != locked_title():
            self._title_before_lock = title
            return
        super().setWindowTitle(title)

    # ---------------------------------------------------------- background

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], Any],
        on_failure: Callable[[Exception], Any] | None = None,
        on_finished: Callable[[], Any] | None = None,
    ) -> None:
        """Run ``fn`` in the background; an expired session always leads back to sign-in."""

        def failed(error: Exception) -> None:
            if isinstance(error, NotSignedIn):
                self.session_expired.emit(str(error))
            elif on_failure is not None:
                on_failure(error)
            else:
                self.statusBar().showMessage(str(error), 10_000)

        op = Op(self, fn).success(on_success).failure(failed)
        if on_finished is not None:
            op.finally_(on_finished)
        op.run()

    def load_templates(self, then: Callable[[], Any] | None = None) -> None:
        client = self.client

        def loaded(templates: list[Template]) -> None:
            self.templates = templates
            for template in templates:
                for row in template.ingredients:
                    self.names[row.code] = row.name
                for vehicle in template.vehicles:
                    self.names[f"vehicle:{vehicle.code}"] = vehicle.name
            if then is not None:
                then()

        self.run(
            client.templates,
            loaded,
            lambda error: self.statusBar().showMessage(
                self.tr("Could not load templates: {error}").format(error=error), 10_000
            ),
        )

    # ------------------------------------------------------------- refresh

    def fetch(self) -> Any:
        """Worker-thread half of a refresh (plain data in, plain data out). It must not
        read a widget: what it needs from one, ``fetch_job`` reads on the GUI thread."""
        raise NotImplementedError

    def fetch_job(self) -> Callable[[], Any]:
        """GUI-thread half of a refresh: the function the worker runs. A window whose fetch
        depends on what is on screen (a filter) overrides this to read it here and give
        the worker plain values."""
        return self.fetch

    def show_fetched(self, result: Any) -> None:
        raise NotImplementedError

    def _refresh_on_timer(self) -> None:
        """The periodic check never drops an answer in flight (on a slow link it would
        drop every one)."""
        if not self._refreshing:
            self.refresh()

    def refresh(self) -> None:
        if self.is_locked:
            return
        if self._refreshing:
            # What is in flight may predate the change that asks (an action just taken, a
            # filter just changed): its answer is dropped and a fresh one follows.
            self._refresh_again = True
            self.busy.start(self.tr("Loading…"), cancellable=True)
            return
        self._refreshing = True
        self._refresh_cancelled = False
        self.busy.start(self.tr("Loading…"), cancellable=True)

        def done(result: Any) -> None:
            from datetime import UTC, datetime

            if self._refresh_again or self._refresh_cancelled:
                return
            self._last_refresh_ok = format_timestamp(datetime.now(UTC))
            self.show_fetched(result)
            self.refresh_failed(None)

        def failed(error: Exception) -> None:
            if not self._refresh_cancelled:
                self.refresh_failed(error)

        def finished() -> None:
            self._refreshing = False
            self.busy.stop()
            if self._refresh_again:
                self._refresh_again = False
                self.refresh()

        self.run(self.fetch_job(), done, failed, finished)

    def _cancel_refresh(self) -> None:
        """The request cannot be recalled, but its answer is dropped: a read is safe to abandon."""
        self._refresh_cancelled = True
        self.busy.stop()
        self.show_list_status(self.tr("Loading stopped. Refresh (F5) to try again."), 10_000)

    def show_list_status(self, text: str, timeout_ms: int = 0) -> None:
        """A message about loading the list, cleared by the next good refresh."""
        self._list_status_texts.add(text)
        self.statusBar().showMessage(text, timeout_ms)

    def clear_list_status(self) -> None:
        """The list arrived: drop a loading or failure message, but nothing else."""
        if self.statusBar().currentMessage() in self._list_status_texts:
            self.statusBar().clearMessage()
        self._list_status_texts.clear()

    def refresh_failed(self, error: Exception | None) -> None:
        """Screens show a quiet banner; a popup every 20 s would be unbearable."""
        if error is None:
            return
        since = (
            self.tr(" Showing the list from {last_refresh_ok}.").format(
                last_refresh_ok=self._last_refresh_ok
            )
            if self._last_refresh_ok
            else ""
        )
        text = str(error) if isinstance(error, PortalError) else error.__class__.__name__
        self.show_list_status(
            self.tr("Could not refresh: {text}{since}").format(text=text, since=since)
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.is_locked:
            self.refresh_timer.start()
            self.idle_watcher.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.refresh_timer.stop()
        # Minimised is not gone: the work comes back with one click, so the idle lock keeps
        # counting (a window minimised on a shared workstation must still lock).
        if not self.isMinimized():
            self.idle_watcher.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # A quit by the user asks about unsent work; a close by the app (sign-out,
        # already agreed) does not.
        if event.spontaneous() and not self.confirm_leaving("quit"):
            event.ignore()
            return
        self.closing()
        self.refresh_timer.stop()
        self.idle_watcher.stop()
        super().closeEvent(event)
