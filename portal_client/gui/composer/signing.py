"""How the composer asks for a signature and for leave to discard (tests replace both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QWidget

from portal_client.gui.sign_dialog import SignDialog

if TYPE_CHECKING:
    from portal_client.core.api_client import SigningGrant
    from portal_client.core.durable import DurableSession, OutboxItem
    from portal_client.gui.composer.page import ComposerPage

#: Opens the sign dialog and calls back with the grant (None: cancelled). Tests replace it.
SignFlow = Callable[
    ["ComposerPage", dict[str, Any], str, Callable[["SigningGrant | None"], None]], None
]
#: Asks before unsent work is thrown away; True = discard it.
ConfirmDiscard = Callable[[QWidget], bool]


def open_sign_dialog(
    page: ComposerPage,
    body: dict[str, Any],
    summary_html: str,
    done: Callable[[SigningGrant | None], None],
) -> None:
    """The real sign flow: a window-modal dialog; ``done`` gets the grant or None."""
    user = page.client.user
    dialog = SignDialog(
        page.client, body, summary_html, use_otp=bool(user and user.mfa_enrolled), parent=page
    )
    dialog.setWindowModality(Qt.WindowModality.WindowModal)

    def finished(_code: int) -> None:
        if dialog.session_ended:
            page.session_expired.emit("signing needs a new sign-in")
        done(dialog.grant)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()


def ask_discard(parent: QWidget) -> bool:
    from PySide6.QtWidgets import QMessageBox

    answer = QMessageBox.question(
        parent,
        QCoreApplication.translate("Signing", "Discard this prescription?"),
        QCoreApplication.translate(
            "Signing", "The prescription has not been sent. Discard what you entered?"
        ),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def store_signed(
    durable: DurableSession, body: dict[str, Any], *, draft_id: str, title: str, token: str
) -> OutboxItem:
    """Put the signed body in the outbox (worker thread); signed before: that row."""
    from portal_client.core.durable import AlreadySigned

    try:
        return durable.outbox.sign(body, draft_id=draft_id, title=title, signing_token=token)
    except AlreadySigned as already:
        return already.item
