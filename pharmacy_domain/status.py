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

import datetime as dt
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
    #: The pharmacy states the beyond-use date and storage (marking an order ready).
    needs_beyond_use: bool = False

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
            needs_beyond_use=True,
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


#: How a ready bag is kept until it is given, as the pharmacy states it.
STORAGE_CONDITIONS: dict[str, str] = {
    "refrigerated": "Refrigerated, 2–8 °C",
    "room_temperature": "Room temperature, 20–25 °C",
    "frozen": "Frozen, −25 to −10 °C",
}
#: USP <797> allows no compounded sterile preparation a longer beyond-use date.
MAX_BEYOND_USE_DAYS = 180


def storage_label(code: str) -> str:
    return STORAGE_CONDITIONS.get(code, code.replace("_", " ").capitalize())


@dataclass(frozen=True)
class BeyondUse:
    """What the pharmacy states on marking an order ready (either may be missing as sent)."""

    date: dt.date | None
    storage: str | None


def beyond_use_problems(
    beyond_use_date: dt.date | None, storage: str | None, today: dt.date
) -> list[tuple[str, str]]:
    """(field, reason) for each problem with what the pharmacy entered on marking ready."""
    problems: list[tuple[str, str]] = []
    if beyond_use_date is None:
        problems.append(("beyond_use_date", "is required to mark it ready"))
    elif beyond_use_date < today:
        problems.append(("beyond_use_date", "lies in the past"))
    elif beyond_use_date > today + dt.timedelta(days=MAX_BEYOND_USE_DAYS):
        problems.append(("beyond_use_date", f"is more than {MAX_BEYOND_USE_DAYS} days ahead"))
    if not storage:
        problems.append(("storage", "is required to mark it ready"))
    elif storage not in STORAGE_CONDITIONS:
        problems.append(("storage", f"must be one of {', '.join(STORAGE_CONDITIONS)}"))
    return problems
