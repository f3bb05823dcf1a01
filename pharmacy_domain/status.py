"""Where a prescription stands, who may move it on, and how.

The life of an order at the pharmacy::

    submitted ──approve──> approved ──start_compounding──> compounding
      │ │  ▲                  ──mark_ready──> ready ──ship──> shipped
      │ │  └── answer_clarification (prescriber) ──┐
      │ └──request_clarification──> needs_clarification
      └──reject──> rejected          (reject also from needs_clarification)
    submitted / needs_clarification ──cancel (prescriber)──> cancelled

Each move is an :class:`Action` taken by one role, with or without a note (a rejection
reason, a question, an answer). The server applies them; the client uses the same
table to offer only the moves that can succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The longest note an action takes (a reason, a question, an answer): the one in
# text_limits, named here too because the lifecycle's users import it with the table.
from pharmacy_domain.text_limits import MAX_NOTE_LENGTH as MAX_NOTE_LENGTH  # noqa: PLC0414


class PrescriptionStatus(StrEnum):
    SUBMITTED = "submitted"
    NEEDS_CLARIFICATION = "needs_clarification"
    APPROVED = "approved"
    COMPOUNDING = "compounding"
    READY = "ready"
    SHIPPED = "shipped"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[PrescriptionStatus, str] = {
    PrescriptionStatus.SUBMITTED: "Submitted — awaiting pharmacist review",
    PrescriptionStatus.NEEDS_CLARIFICATION: "Pharmacist asked a question",
    PrescriptionStatus.APPROVED: "Approved",
    PrescriptionStatus.COMPOUNDING: "Being compounded",
    PrescriptionStatus.READY: "Ready to ship",
    PrescriptionStatus.SHIPPED: "Shipped",
    PrescriptionStatus.REJECTED: "Rejected",
    PrescriptionStatus.CANCELLED: "Cancelled by the prescriber",
}

#: No action leaves these.
FINAL_STATUSES = frozenset(
    {PrescriptionStatus.SHIPPED, PrescriptionStatus.REJECTED, PrescriptionStatus.CANCELLED}
)


class NoteRule(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"


@dataclass(frozen=True)
class Action:
    """One move: its name on the wire, the words for it, who may take it, from where to where."""

    name: str
    label: str  # the button: "Approve", "Ask the prescriber…"
    past: str  # the history line: "approved", "asked for clarification"
    sources: frozenset[PrescriptionStatus]
    target: PrescriptionStatus
    roles: frozenset[str]
    note: NoteRule
    note_label: str  # what the note is: "Reason", "Question for the prescriber"
    doing: str  # the act, for sentences: "ask the prescriber about {it}", "mark {it} ready"

    def phrase(self, it: str = "it") -> str:
        """The act in a sentence: ``phrase("a prescription")`` → "mark a prescription ready"."""
        return self.doing.format(it=it)

    def allowed_from(self, status: PrescriptionStatus) -> bool:
        return status in self.sources


_PHARMACIST = frozenset({"pharmacist"})
_PRESCRIBER = frozenset({"prescriber"})
_S = PrescriptionStatus

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "approve",
            "Approve",
            "approved",
            frozenset({_S.SUBMITTED}),
            _S.APPROVED,
            _PHARMACIST,
            NoteRule.OPTIONAL,
            "Note for the prescriber",
            "approve {it}",
        ),
        Action(
            "reject",
            "Reject…",
            "rejected",
            frozenset({_S.SUBMITTED, _S.NEEDS_CLARIFICATION}),
            _S.REJECTED,
            _PHARMACIST,
            NoteRule.REQUIRED,
            "Reason the prescriber can act on",
            "reject {it}",
        ),
        Action(
            "request_clarification",
            "Ask the prescriber…",
            "asked for clarification",
            frozenset({_S.SUBMITTED}),
            _S.NEEDS_CLARIFICATION,
            _PHARMACIST,
            NoteRule.REQUIRED,
            "Question for the prescriber",
            "ask the prescriber about {it}",
        ),
        Action(
            "answer_clarification",
            "Answer the pharmacist…",
            "answered",
            frozenset({_S.NEEDS_CLARIFICATION}),
            _S.SUBMITTED,
            _PRESCRIBER,
            NoteRule.REQUIRED,
            "Answer for the pharmacist",
            "answer a question about {it}",
        ),
        Action(
            "cancel",
            "Cancel prescription…",
            "cancelled",
            frozenset({_S.SUBMITTED, _S.NEEDS_CLARIFICATION}),
            _S.CANCELLED,
            _PRESCRIBER,
            NoteRule.REQUIRED,
            "Reason for cancelling",
            "cancel {it}",
        ),
        Action(
            "start_compounding",
            "Start compounding",
            "started compounding",
            frozenset({_S.APPROVED}),
            _S.COMPOUNDING,
            _PHARMACIST,
            NoteRule.OPTIONAL,
            "Note (lot, beyond-use date…)",
            "start compounding {it}",
        ),
        Action(
            "mark_ready",
            "Mark ready",
            "marked ready",
            frozenset({_S.COMPOUNDING}),
            _S.READY,
            _PHARMACIST,
            NoteRule.OPTIONAL,
            "Note",
            "mark {it} ready",
        ),
        Action(
            "ship",
            "Mark shipped…",
            "shipped",
            frozenset({_S.READY}),
            _S.SHIPPED,
            _PHARMACIST,
            NoteRule.OPTIONAL,
            "Courier and tracking number",
            "mark {it} shipped",
        ),
    )
}

#: The first two moves a pharmacist makes, as ``POST …/review`` names them.
REVIEW_ACTIONS: dict[str, PrescriptionStatus] = {
    "approve": PrescriptionStatus.APPROVED,
    "reject": PrescriptionStatus.REJECTED,
}


def can_transition(current: PrescriptionStatus, target: PrescriptionStatus) -> bool:
    """Whether any action leads from ``current`` to ``target``."""
    return any(a.target is target and a.allowed_from(current) for a in ACTIONS.values())


def available_actions(status: str, role: str) -> list[Action]:
    """The moves ``role`` can make on a prescription in ``status`` (table order)."""
    try:
        current = PrescriptionStatus(status)
    except ValueError:
        return []
    return [a for a in ACTIONS.values() if role in a.roles and a.allowed_from(current)]


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[PrescriptionStatus(status)]
    except ValueError:
        return status.replace("_", " ").capitalize()
