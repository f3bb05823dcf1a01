"""The pharmacist's claim on the order it has open (``core/claims.py`` decides the words
and the timing; the calls are ``ApiClient.claim``/``release_claim``, always through
``PortalMainWindow.run``).

Opening an order claims it; the claim is renewed while it stays open, and let go when
another is opened, the window locks or closes, or a step is recorded (the server lets go
then itself). Someone else's claim shows above the detail, "Priya Nair is reviewing
(since 10:42)", with "Review anyway" to take it over; until then the moves wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from portal_client.core.claim_calls import ClaimRefused
from portal_client.core.claims import (
    MIN_RENEW_INTERVAL,
    Holder,
    other_holder,
    renew_interval,
    reviewing_text,
)
from portal_client.core.wire import ClaimWire, PrescriptionWire

if TYPE_CHECKING:
    from portal_client.gui.main_window import PortalMainWindow

#: Renewal when the server's claim length is not known yet (a claim answer sets it).
_DEFAULT_RENEW_MS = 60_000


class ClaimStrip(QFrame):
    """Above the detail: who else is reviewing the open order, and "Review anyway"."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("WarnBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 7, 8, 7)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName(self.tr("Who is reviewing"))
        self.take_over_button = QPushButton(self.tr("Review anyway"))
        self.take_over_button.setAccessibleName(self.tr("Review anyway"))
        self.take_over_button.setToolTip(
            self.tr("Take the review over from the other pharmacist (recorded in the audit trail)")
        )
        layout.addWidget(self.label, 1)
        layout.addWidget(self.take_over_button)
        self.hide()

    def show_holder(self, holder: Holder | None) -> None:
        if holder is None:
            self.hide()
            return
        self.label.setText(
            self.tr("{reviewing}. Its moves wait until you choose “Review anyway”.").format(
                reviewing=reviewing_text(holder)
            )
        )
        self.show()


class DeskClaims(QObject):
    """Signals:
    changed(): the claim on the open order changed (held, refused, let go).
    taken_from_you(str): another pharmacist took over the order you held (their words).
    """

    changed = Signal()
    taken_from_you = Signal(str)

    def __init__(self, window: PortalMainWindow, strip: ClaimStrip) -> None:
        super().__init__(window)
        self._window = window
        self.strip = strip
        #: The order this desk holds, and the order someone else holds with who.
        self.held: str | None = None
        self.blocked: tuple[str, Holder] | None = None
        self._open: PrescriptionWire | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(_DEFAULT_RENEW_MS)
        self._timer.timeout.connect(self.renew)
        self.strip.take_over_button.clicked.connect(self.take_over)

    def blocks(self, item: PrescriptionWire | None) -> bool:
        """Whether ``item``'s moves wait: someone else holds it and it was not taken over."""
        return item is not None and self.blocked is not None and self.blocked[0] == item.id

    def opened(self, item: PrescriptionWire | None, *, claimable: bool) -> None:
        """The user opened ``item`` (None: nothing); ``claimable``: it has moves to make."""
        if self.held is not None and (item is None or item.id != self.held):
            self.release()
        self._open = item if claimable else None
        self.blocked = None
        if item is not None and claimable:
            holder = other_holder(item, self._window.user.id)
            if holder is not None:  # the list's word until the server's comes
                self.blocked = (item.id, holder)
            self._ask(item.id, take_over=False)
            self._timer.start()
        else:
            self._timer.stop()
        self._show()

    def take_over(self) -> None:
        if self._open is not None:
            self._ask(self._open.id, take_over=True)

    def renew(self) -> None:
        """The timer: keep the open order's claim (or try again for one refused)."""
        if self._open is not None and not self._window.is_locked:
            self._ask(self._open.id, take_over=False)

    def acted(self, prescription_id: str) -> None:
        """A step was recorded: the server let go of the claim, and the desk does not
        take it again until the order is opened anew."""
        if self.held == prescription_id:
            self.held = None
        if self._open is not None and self._open.id == prescription_id:
            self._open = None
            self._timer.stop()

    def release(self) -> None:
        """Let go of the held claim (the answer does not matter: it lapses anyway)."""
        held, self.held = self.held, None
        if held is None:
            return
        client = self._window.client
        self._window.run(lambda: client.release_claim(held), lambda _none: None, lambda _e: None)

    def stop(self) -> None:
        """The window locks or closes: no more renewals, and the claim let go."""
        self._timer.stop()
        self.release()
        self._open = None

    def _ask(self, prescription_id: str, *, take_over: bool) -> None:
        client = self._window.client
        self._window.run(
            lambda: client.claim(prescription_id, take_over=take_over),
            lambda answer: self._answered(prescription_id, answer),
        )

    def _answered(self, prescription_id: str, answer: ClaimWire | ClaimRefused) -> None:
        still_open = self._open is not None and self._open.id == prescription_id
        if isinstance(answer, ClaimWire):
            if not still_open:  # opened another meanwhile: this one is not wanted
                self.held = prescription_id
                self.release()
                return
            self.held, self.blocked = prescription_id, None
            interval = renew_interval(answer)
            self._timer.setInterval(int(max(interval, MIN_RENEW_INTERVAL).total_seconds() * 1000))
        elif still_open:
            holder = Holder.of_refusal(answer)
            if self.held == prescription_id:
                self.held = None
                self.taken_from_you.emit(holder.name)
            self.blocked = (prescription_id, holder)
        self._show()

    def _show(self) -> None:
        item = self._open
        self.strip.show_holder(self.blocked[1] if self.blocks(item) and self.blocked else None)
        self.changed.emit()
