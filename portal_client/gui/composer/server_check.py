"""Asks the pharmacy server to check the order in the background, a moment after an edit.

The local check answers every keystroke; this one follows when the typing pauses, one
request at a time, on the ``ops`` pool (the GUI thread never waits on the network). A
failure leaves the local check standing: the server checks again on submit, and the
next edit asks again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from portal_client.core.server_checks import ServerCheck, checked_content
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient
    from portal_client.core.composer import ComposerState
    from portal_client.core.form_review import FormReview

log = logging.getLogger(__name__)

#: How long the typing must pause before the server is asked.
SERVER_CHECK_DELAY_MS = 600


class ServerChecker(QObject):
    """Signals:
    answered(object): the server's ``ServerCheck`` of a body asked for with ``request``.
    """

    answered = Signal(object)

    def __init__(self, client: ApiClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._wanted: tuple[str, dict[str, Any]] | None = None
        self._in_flight: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._send)

    def follow(self, state: ComposerState, review: FormReview) -> None:
        """After each review: a well-formed order the server has not checked yet is asked."""
        evaluation = review.result.evaluation
        if evaluation is None or evaluation.prescription is None:
            return
        body = state.to_body()
        known = state.server_check
        if known is None or known.content != checked_content(body):
            self.request(body)

    def request(self, body: dict[str, Any]) -> None:
        """Check ``body`` once the typing pauses (nothing without a signed-in session)."""
        if not self.client.signed_in:
            return
        content = checked_content(body)
        if content in (self._in_flight, self._wanted[0] if self._wanted else None):
            return
        self._wanted = (content, body)
        self._timer.start(SERVER_CHECK_DELAY_MS)

    def _send(self) -> None:
        if self._in_flight is not None or self._wanted is None:
            return  # sent when the one in flight answers
        content, body = self._wanted
        self._wanted = None
        self._in_flight = content
        client = self.client
        Op(self, lambda: client.validate_prescription(body)).success(
            lambda answer: self.answered.emit(ServerCheck.from_wire(content, answer))
        ).failure(self._failed).finally_(self._done).run()

    def _failed(self, error: Exception) -> None:
        log.info("The pharmacy server did not check the draft: %s", error.__class__.__name__)

    def _done(self) -> None:
        self._in_flight = None
        if self._wanted is not None:
            self._timer.start(0)
