"""The connectivity indicator in the top bar: online, offline, or server unavailable.

It only reports what the client has just seen (a list refresh, an outbox attempt):
no extra polling, no network call of its own.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from portal_client.core.errors import ApiError, NotSignedIn, OutcomeUnknown, ServerUnreachable
from portal_client.core.i18n import QT_TRANSLATE_NOOP
from portal_client.gui.i18n import marked

ONLINE = "online"
OFFLINE = "offline"
UNAVAILABLE = "unavailable"
UNKNOWN = "unknown"

_LOOK = {
    ONLINE: (
        QT_TRANSLATE_NOOP("Marked", "Online"),
        "#1E6B3A",
        "#DDF3E4",
        QT_TRANSLATE_NOOP("Marked", "Connected to the pharmacy server."),
    ),
    OFFLINE: (
        QT_TRANSLATE_NOOP("Marked", "Offline"),
        "#A3261D",
        "#FDE2E1",
        QT_TRANSLATE_NOOP(
            "Marked",
            "The pharmacy server cannot be reached. Your work is kept on this computer and "
            "signed prescriptions are sent as soon as the connection is back.",
        ),
    ),
    UNAVAILABLE: (
        QT_TRANSLATE_NOOP("Marked", "Server unavailable"),
        "#8A5A00",
        "#FFF4D6",
        QT_TRANSLATE_NOOP(
            "Marked",
            "The pharmacy server answered with a problem. Signed prescriptions are kept "
            "and sent again automatically.",
        ),
    ),
    UNKNOWN: (
        QT_TRANSLATE_NOOP("Marked", "Connecting…"),
        "#52606D",
        "#E8EAED",
        QT_TRANSLATE_NOOP("Marked", "Checking the connection."),
    ),
}


def state_for_error(error: BaseException | None) -> str:
    """What an error says about the connection (None: the call worked)."""
    if error is None or isinstance(error, NotSignedIn):
        return ONLINE  # the server answered
    if isinstance(error, ServerUnreachable):
        return OFFLINE
    if isinstance(error, OutcomeUnknown):
        return UNAVAILABLE
    if isinstance(error, ApiError):
        return UNAVAILABLE if error.status >= 500 or error.status == 429 else ONLINE
    return UNKNOWN


class ConnectivityIndicator(QLabel):
    """A small pill; ``state`` is one of ONLINE, OFFLINE, UNAVAILABLE, UNKNOWN."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Connectivity")
        self.state = ""
        self.set_state(UNKNOWN)

    def set_state(self, state: str) -> bool:
        """Show ``state``; True if it changed."""
        if state == self.state:
            return False
        self.state = state
        text, foreground, background, tooltip = _LOOK[state]
        text, tooltip = marked(text), marked(tooltip)
        self.setText(f"●  {text}")
        self.setToolTip(tooltip)
        self.setAccessibleName(self.tr("Connection: {text}").format(text=text))
        self.setStyleSheet(
            f"QLabel#Connectivity {{ color: {foreground}; background: {background};"
            " border-radius: 11px; padding: 3px 10px; font-weight: 600; }"
        )
        return True
