"""The idle lock (checklist B2): a watcher for input anywhere in the application, and the
screen that replaces a window's content until its user proves it is them again.

The lock screen shows no patient data and names only the signed-in user. It serves two
cases with one form:

* locked after 15 minutes without input: the password unlocks, checked by the server
  within the same session (``POST /auth/reauthenticate``; no new session, and no code
  even for accounts with an authenticator: the session opened with it is still alive);
* the session ended on the server (idle or absolute timeout, password changed elsewhere):
  signing in again as the same user (password, then the authenticator code) continues
  where the user left off; the open work stays underneath, untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QInputEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from portal_client import APP_NAME
from portal_client.core import accounts
from portal_client.core.errors import NotSignedIn, PortalError
from portal_client.gui import resources
from portal_client.gui.ops import Op
from portal_client.gui.widgets import Banner, card, muted

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser

IDLE_LOCK_SECONDS = 15 * 60  # FedRAMP AC-11 value (checklist B2)
IDLE_CHECK_INTERVAL_MS = 5_000

# Input that proves someone is at the keyboard. Paint, timer and focus events do not.
_ACTIVITY = frozenset(
    int(kind.value)
    for kind in (
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    )
)


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``timeout_s`` without user input in any window.

    ``clock`` (seconds, monotonic) and ``check_interval_ms`` are injectable so tests can
    move time forward instead of waiting fifteen minutes.
    """

    idle = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        timeout_s: float = IDLE_LOCK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        check_interval_ms: int = IDLE_CHECK_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self._clock = clock
        self._last_input = clock()
        self._fired = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_interval_ms)
        self._timer.timeout.connect(self.check)
        self._filtering = False

    def start(self) -> None:
        self.note_activity()
        self._timer.start()
        self._watch_input(True)

    def stop(self) -> None:
        self._timer.stop()
        self._watch_input(False)

    def _watch_input(self, on: bool) -> None:
        """An application-wide filter sees every event of the app: it is installed only
        while the watcher runs, so building a window (tens of thousands of events) or a
        locked screen pays nothing for it."""
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance()
        if app is None or on == self._filtering:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._filtering = on

    def note_activity(self) -> None:
        self._last_input = self._clock()
        self._fired = False

    def idle_seconds(self) -> float:
        return self._clock() - self._last_input

    def check(self) -> None:
        if not self._fired and self.idle_seconds() >= self.timeout_s:
            self._fired = True
            self.idle.emit()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        # Every event of the app passes here (tens of thousands when a page first shows):
        # the isinstance test turns the rest away at a third of the cost of reading the
        # type (each activity kind is a QInputEvent).
        if isinstance(event, QInputEvent) and int(event.type().value) in _ACTIVITY:
            self._last_input = self._clock()
            self._fired = False
        return False


class LockScreen(QWidget):
    """Password (and, after a lost session, the authenticator code) for one user.

    Signals:
        unlocked(): the user proved it is them; the session is alive (perhaps renewed).
        switch_user(): someone else wants the workstation (sign out).
    """

    unlocked = Signal()
    switch_user = Signal()

    def __init__(
        self, client: ApiClient, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Canvas")
        self.client = client
        self.user = user
        self.session_ended = False
        self._challenge: accounts.CodeChallenge | None = None
        self._busy = False

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self._build_card())
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _build_card(self) -> QWidget:
        box = card()
        box.setFixedWidth(400)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(8)
        logo = QLabel()
        logo.setPixmap(resources.icon("app").pixmap(40, 40))
        layout.addWidget(logo)
        self.heading = QLabel(self.tr("Locked"))
        self.heading.setObjectName("AppTitle")
        layout.addWidget(self.heading)
        self.explanation = muted("")
        layout.addWidget(self.explanation)
        who = QLabel(f"<b>{_escape(self.user.display_name)}</b> · {_escape(self.user.username)}")
        who.setObjectName("Muted")
        layout.addSpacing(6)
        layout.addWidget(who)

        self.steps = QStackedWidget()
        password_page = QWidget()
        password_layout = QVBoxLayout(password_page)
        password_layout.setContentsMargins(0, 0, 0, 0)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.password.setAccessibleName(self.tr("Password"))
        password_layout.addWidget(self.password)
        self.steps.addWidget(password_page)

        code_page = QWidget()
        code_layout = QVBoxLayout(code_page)
        code_layout.setContentsMargins(0, 0, 0, 0)
        code_layout.addWidget(muted(self.tr("Enter the 6-digit code from your authenticator app.")))
        self.code = code_field()
        code_layout.addWidget(self.code)
        self.steps.addWidget(code_page)
        layout.addWidget(self.steps)

        self.banner = Banner()
        layout.addWidget(self.banner)
        self.submit = QPushButton(self.tr("Unlock"))
        self.submit.setObjectName("Primary")
        self.submit.setMinimumHeight(36)
        layout.addWidget(self.submit)
        self.other_user = QPushButton(
            self.tr("Not {display_name}? Sign out").format(display_name=self.user.display_name)
        )
        self.other_user.setObjectName("Link")
        layout.addWidget(self.other_user)

        self.password.returnPressed.connect(self.attempt)
        self.code.returnPressed.connect(self.attempt)
        self.code.textChanged.connect(self._code_changed)
        self.submit.clicked.connect(self.attempt)
        self.other_user.clicked.connect(self.switch_user)
        return box

    # -------------------------------------------------------------- modes

    def show_locked(self) -> None:
        self.session_ended = False
        self.heading.setText(self.tr("Locked"))
        self.explanation.setText(
            self.tr(
                "{app} locked itself after 15 minutes without use. Your open work is "
                "kept. Enter your password to continue."
            ).format(app=APP_NAME)
        )
        self._reset(self.tr("Unlock"))

    def show_session_ended(self, reason: str = "") -> None:
        self.session_ended = True
        self.heading.setText(self.tr("Sign in again"))
        self.explain_session_end(reason)
        self._reset(self.tr("Sign in"))

    def explain_session_end(self, reason: str) -> None:
        """Why the session ended, leaving what is typed as it is."""
        self.explanation.setText(
            (reason + " " if reason else self.tr("Your session has ended. "))
            + self.tr("Sign in again to continue where you left off; your open work is kept.")
        )

    def _reset(self, label: str) -> None:
        self._challenge = None
        self._busy = False
        self.password.clear()
        self.code.clear()
        self.banner.clear()
        self.steps.setCurrentIndex(0)
        self.submit.setText(label)
        self.submit.setEnabled(True)
        self.password.setEnabled(True)
        self.password.setFocus()

    # -------------------------------------------------------------- behaviour

    def _code_changed(self, text: str) -> None:
        if len(accounts.clean_code(text)) == 6 and not self._busy:
            self.attempt()

    def attempt(self) -> None:
        if self._busy:
            return
        client, username = self.client, self.user.username
        if self._challenge is not None:
            code = self.code.text()
            if len(accounts.clean_code(code)) != 6:
                self.banner.show_message(
                    self.tr("Enter the 6 digits the authenticator shows."), "error"
                )
                return
            challenge = self._challenge

            def finish() -> Any:
                return accounts.finish_sign_in(client, challenge, code)

            self._run(finish)
            return
        password = self.password.text()
        if not password:
            self.password.setFocus()
            return
        ended = self.session_ended

        def unlock() -> Any:
            if not ended:
                try:
                    accounts.verify_password(client, password)
                    return None
                except NotSignedIn:
                    pass  # the session ended while locked (401): sign in again below
            return accounts.begin_sign_in(client, username, password)

        self._run(unlock)

    def _run(self, work: Callable[[], Any]) -> None:
        self._busy = True
        self.submit.setEnabled(False)
        self.submit.setText(self.tr("Checking…"))
        self.banner.clear()

        def finished() -> None:
            self._busy = False
            self.submit.setEnabled(True)
            self.submit.setText(
                self.tr("Verify") if self._challenge is not None else self.tr("Unlock")
            )

        Op(self, work).success(self._answered).failure(self._failed).finally_(finished).run()

    def _answered(self, answer: Any) -> None:
        if isinstance(answer, accounts.CodeChallenge):
            self._challenge = answer
            self.password.clear()
            self.steps.setCurrentIndex(1)
            self.code.clear()
            self.code.setFocus()
            return
        self._challenge = None
        self.password.clear()
        self.code.clear()
        self.steps.setCurrentIndex(0)
        self.unlocked.emit()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, accounts.SignInRefused) and error.reason == "challenge_expired":
            self._challenge = None
            self.steps.setCurrentIndex(0)
        if isinstance(error, accounts.SignInRefused) and error.reason == "locked":
            # The lockout ended the session too: the next try is a whole sign-in.
            self.session_ended = True
            self._challenge = None
            self.steps.setCurrentIndex(0)
        if isinstance(error, accounts.SignInRefused) and error.reason == "credentials":
            # The user name is not in question here: only the password can be wrong.
            self.banner.show_message(self.tr("That password is not right. Try again."), "error")
        elif isinstance(error, PortalError):
            self.banner.show_message(str(error), "error")
        else:
            self.banner.show_message(
                self.tr("Unexpected problem ({name}).").format(name=error.__class__.__name__),
                "error",
            )
        field = self.code if self._challenge is not None else self.password
        field.selectAll()
        field.setFocus()


def code_field() -> QLineEdit:
    """A field for a 6-digit authenticator code (spaces allowed, as apps show "123 456")."""
    from PySide6.QtCore import QRegularExpression

    field = QLineEdit()
    field.setPlaceholderText("123 456")
    field.setAccessibleName(QCoreApplication.translate("LockScreen", "Authenticator code"))
    field.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9 ]{0,7}")))
    field.setMaxLength(7)
    field.setStyleSheet("font-size: 16pt; letter-spacing: 4px;")
    return field


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
