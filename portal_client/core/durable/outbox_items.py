"""An outbox row as callers see it: its state, why it is there, and the quit summary."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate


class State(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    MISMATCH = "mismatch"
    NEEDS_SIGNATURE = "needs_signature"


class Why(enum.StrEnum):
    """Why a row is in its state; the GUI shows ``Why.text``."""

    NONE = ""
    WAITING = "waiting"
    OFFLINE = "offline"
    SERVER_BUSY = "server_busy"
    SERVER_UNAVAILABLE = "server_unavailable"
    NO_ANSWER = "no_answer"
    INTERRUPTED = "interrupted"
    IN_PROGRESS = "in_progress"
    SIGNED_OUT = "signed_out"
    INVALID = "invalid"
    REFUSED = "refused"
    HASH_MISMATCH = "hash_mismatch"
    SIGNATURE_EXPIRED = "signature_expired"
    SIGNATURE_REFUSED = "signature_refused"
    CHECK_FAILED = "check_failed"
    UNEXPECTED = "unexpected"

    @property
    def text(self) -> str:
        return translate("Outbox", _WHY_TEXT[self])


_WHY_TEXT = {
    Why.NONE: "",
    Why.WAITING: QT_TRANSLATE_NOOP("Outbox", "Waiting to be sent."),
    Why.OFFLINE: QT_TRANSLATE_NOOP(
        "Outbox",
        "Not sent yet: the pharmacy server cannot be reached. It will be sent automatically.",
    ),
    Why.SERVER_BUSY: QT_TRANSLATE_NOOP(
        "Outbox",
        "Not sent yet: the pharmacy server asked us to wait. It will be sent automatically.",
    ),
    Why.SERVER_UNAVAILABLE: QT_TRANSLATE_NOOP(
        "Outbox",
        "The pharmacy server had a problem. The prescription will be checked "
        "and sent again automatically.",
    ),
    Why.NO_ANSWER: QT_TRANSLATE_NOOP(
        "Outbox",
        "Sent, but the pharmacy did not confirm receipt. It will be checked "
        "automatically; it will not be duplicated.",
    ),
    Why.INTERRUPTED: QT_TRANSLATE_NOOP(
        "Outbox",
        "Sending was interrupted. It will be checked automatically; it will not be duplicated.",
    ),
    Why.IN_PROGRESS: QT_TRANSLATE_NOOP(
        "Outbox", "The pharmacy is still processing it. It will be checked again shortly."
    ),
    Why.SIGNED_OUT: QT_TRANSLATE_NOOP(
        "Outbox", "Waiting for you to sign in again. Nothing is lost."
    ),
    Why.INVALID: QT_TRANSLATE_NOOP(
        "Outbox", "The pharmacy refused it. Open it as a draft, correct it and sign again."
    ),
    Why.REFUSED: QT_TRANSLATE_NOOP(
        "Outbox", "The pharmacy refused it. Open it as a draft to review it."
    ),
    Why.HASH_MISMATCH: QT_TRANSLATE_NOOP(
        "Outbox",
        "The pharmacy's copy does not match what you signed. Contact the "
        "pharmacy before sending it again.",
    ),
    Why.SIGNATURE_EXPIRED: QT_TRANSLATE_NOOP(
        "Outbox",
        "Not sent: your signature expired before the pharmacy received it. "
        "Sign it again to send it; nothing is lost.",
    ),
    Why.SIGNATURE_REFUSED: QT_TRANSLATE_NOOP(
        "Outbox",
        "Not sent: the pharmacy did not accept the signature. Sign it again to "
        "send it; nothing is lost.",
    ),
    Why.CHECK_FAILED: QT_TRANSLATE_NOOP(
        "Outbox",
        "The pharmacy could not confirm whether it received this prescription. "
        "It will be checked again automatically; it will not be duplicated.",
    ),
    Why.UNEXPECTED: QT_TRANSLATE_NOOP(
        "Outbox",
        "Something unexpected happened while sending. It will be checked and "
        "sent again automatically.",
    ),
}

SENDABLE = (State.QUEUED, State.UNKNOWN)
UNSENT = (State.QUEUED, State.SENDING, State.UNKNOWN)
NEEDS_ATTENTION = (State.REJECTED, State.MISMATCH, State.NEEDS_SIGNATURE)
REOPENABLE = (State.REJECTED, State.NEEDS_SIGNATURE)


class AlreadySigned(Exception):
    """This draft was already signed; ``item`` is the existing outbox row."""

    def __init__(self, item: OutboxItem) -> None:
        super().__init__(translate("Outbox", "This draft has already been signed."))
        self.item = item


class NotRejected(Exception):
    """Only a rejected prescription (or one waiting for a new signature) can be reopened."""


class NoSignatureNeeded(Exception):
    """``resign`` applies only to a row in ``needs_signature``."""


@dataclass(frozen=True)
class OutboxItem:
    """One signed prescription as the GUI shows it. ``title`` may hold PHI: never log it."""

    idempotency_key: str
    draft_id: str | None
    title: str
    state: State
    why: Why
    attempts: int
    signed_at: float
    next_attempt_at: float
    updated_at: float
    server_id: str | None
    server_reference: str | None
    server_status: str | None
    detail: str | None
    field_errors: tuple[tuple[str, str], ...]

    @property
    def finished(self) -> bool:
        """Submitted and the server's hash matched what was signed."""
        return self.state is State.SUBMITTED

    @property
    def needs_attention(self) -> bool:
        return self.state in NEEDS_ATTENTION

    @property
    def needs_signature(self) -> bool:
        """The prescriber must sign again (``Outbox.resign``) for it to be sent."""
        return self.state is State.NEEDS_SIGNATURE

    @property
    def status_text(self) -> str:
        if self.state is State.SUBMITTED:
            return translate("Outbox", "Received by the pharmacy as {reference}.").format(
                reference=self.server_reference or self.server_id
            )
        return self.why.text or translate("Outbox", "Waiting to be sent.")


@dataclass(frozen=True)
class PendingSummary:
    unsent: int  # queued, sending or unknown: not yet confirmed by the pharmacy
    needs_attention: int  # rejected, mismatched or to sign again: the prescriber must act

    @property
    def anything_pending(self) -> bool:
        return bool(self.unsent or self.needs_attention)

    @property
    def sentence(self) -> str:
        """E.g. "2 prescriptions not yet sent." for the quit dialog; "" when all is done."""
        parts = []
        if self.unsent:
            parts.append(
                translate("Outbox", "1 prescription not yet sent.")
                if self.unsent == 1
                else translate("Outbox", "{count} prescriptions not yet sent.").format(
                    count=self.unsent
                )
            )
        if self.needs_attention:
            parts.append(
                translate("Outbox", "1 prescription needs your attention.")
                if self.needs_attention == 1
                else translate("Outbox", "{count} prescriptions need your attention.").format(
                    count=self.needs_attention
                )
            )
        return " ".join(parts)
