"""The lifecycle after submission: review, clarification, compounding, shipping,
cancelling (``pharmacy_domain.status.ACTIONS``), each step recorded with who and why."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from pharmacy_domain.prescription import FieldError
from pharmacy_domain.status import (
    ACTIONS,
    MAX_NOTE_LENGTH,
    REVIEW_ACTIONS,
    BeyondUse,
    NoteRule,
    PrescriptionStatus,
    beyond_use_problems,
    status_label,
)
from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.auth.identity import AuthenticatedUser, check_licence
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict, Forbidden, Invalid
from pharmacy_server.models import Prescription, PrescriptionEvent
from pharmacy_server.notify import Notifier, NotifyFailed
from pharmacy_server.prescriptions.access import visible_row
from pharmacy_server.prescriptions.changes import next_change_seq
from pharmacy_server.prescriptions.claims import release_in
from pharmacy_server.prescriptions.schemas import PrescriptionOut
from pharmacy_server.prescriptions.version_rows import StepWork, prepare_step

log = logging.getLogger(__name__)

#: Steps the prescriber hears of by e-mail, and what the message says. Mail is not a safe
#: channel: it names the reference only, never the patient or the note.
NOTICES: dict[str, tuple[str, str]] = {
    "request_clarification": (
        "Question about prescription {reference}",
        "A pharmacist has a question about prescription {reference}. The pharmacy holds "
        "the order until you answer.\n\nSign in to the prescriber portal to read the "
        "question and answer it.",
    ),
    "reject": (
        "Prescription {reference} was not accepted",
        "A pharmacist could not accept prescription {reference}.\n\nSign in to the "
        "prescriber portal to read the reason.",
    ),
    "ship": (
        "Prescription {reference} has shipped",
        "Prescription {reference} has left the pharmacy.\n\nSign in to the prescriber "
        "portal for the courier and tracking details.",
    ),
}
NOTICE_FOOTER = "\n\nThis message carries no patient information. Do not reply to it."


@dataclass(frozen=True)
class Notice:
    """An e-mail to send once the step is committed (``PrescriptionService.send_notice``)."""

    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class StepResult:
    prescription: PrescriptionOut
    notice: Notice | None


#: The audit action of each lifecycle action (the first review decisions keep their name).
AUDIT_ACTIONS = {"approve": "prescription.review", "reject": "prescription.review"}
# MedicationRequest.status for each of our states: a question puts the order on hold, a


def _check_beyond_use(
    action: str, needed: bool, beyond_use: BeyondUse | None, today: dt.date
) -> None:
    if not needed:
        if beyond_use is not None and (beyond_use.date or beyond_use.storage):
            raise Invalid(
                "Only marking an order ready takes a beyond-use date and storage.",
                [FieldError("beyond_use_date", f"is not taken to {ACTIONS[action].phrase()}")],
            )
        return
    given = beyond_use or BeyondUse(None, None)
    problems = beyond_use_problems(given.date, given.storage, today)
    if problems:
        raise Invalid(
            "The beyond-use date and storage are required to mark an order ready.",
            [FieldError(path, reason) for path, reason in problems],
        )


def _last_step(row: Prescription) -> str:
    """The newest step in words: "Dr. Maya Chen answered"."""
    if not row.events:
        return "it was updated"
    event = row.events[-1]
    done = ACTIONS[event.action].past if event.action in ACTIONS else "submitted it"
    return f"{event.actor.display_name} {done}"


class Lifecycle:
    def __init__(self, database: Database, clock: Clock, notifier: Notifier | None) -> None:
        self._db = database
        self._clock = clock
        self._notifier = notifier

    def review(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        action: str,
        reason: str | None,
        address: str | None = None,
    ) -> StepResult:
        """``POST …/review``: the first two pharmacist decisions, as :meth:`act` takes them."""
        if action not in REVIEW_ACTIONS:
            raise Invalid(
                "The review action is not valid.",
                [FieldError("action", f"must be one of {', '.join(REVIEW_ACTIONS)}")],
            )
        return self.act(
            user, prescription_id, action=action, note=reason, address=address, note_field="reason"
        )

    def act(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        action: str,
        note: str | None,
        address: str | None = None,
        note_field: str = "note",
        seen_steps: int | None = None,
        beyond_use: BeyondUse | None = None,
        within: StepWork | None = None,
    ) -> StepResult:
        """Move a prescription on (``pharmacy_domain.status.ACTIONS``), recording who and why.

        Checked in this order: a known action, the caller's role, the note, a prescriber's
        licence for answering a clinical question, the caller's sight of the prescription
        (not found for another prescriber's), then, under a row lock, that the action leads on
        from the current status and, when the caller says how many steps it had seen
        (``seen_steps``), that nothing happened since: an approval must never be given on
        a screen that has not shown the prescriber's answer (a conflict either way).
        """
        step = ACTIONS.get(action)
        if step is None:
            raise Invalid(
                "That action does not exist.",
                [FieldError("action", f"must be one of {', '.join(ACTIONS)}")],
            )
        if user.role not in step.roles:
            who = " or ".join(f"{role}s" for role in sorted(step.roles))
            raise Forbidden(f"Only {who} can {step.phrase('a prescription')}.")
        note = (note or "").strip() or None
        if note is None and step.note is NoteRule.REQUIRED:
            raise Invalid(
                f"{step.note_label} is required.",
                [FieldError(note_field, f"is required to {step.phrase()}")],
            )
        if note is not None and len(note) > MAX_NOTE_LENGTH:
            raise Invalid(
                f"{step.note_label} is too long.",
                [FieldError(note_field, f"must be at most {MAX_NOTE_LENGTH} characters")],
            )
        now = self._clock()
        _check_beyond_use(step.name, step.needs_beyond_use, beyond_use, now.date())
        if action == "answer_clarification":
            # The answer is clinical: it changes what the pharmacy compounds.
            check_licence(user, now.date(), doing="answer the pharmacy's clinical questions")
        with self._db.writing() as session:
            row = visible_row(session, user, prescription_id, for_update=True)
            current = PrescriptionStatus(row.status)
            if not step.allowed_from(current):
                raise Conflict(
                    f"This prescription is now “{status_label(current)}”, so it cannot be "
                    f"{step.past} any more. Refresh to see who changed it.",
                    code="prescription.status_changed",
                    extra={"status": current.value},
                )
            if seen_steps is not None and seen_steps != len(row.events):
                raise Conflict(
                    f"This prescription changed since you opened it: {_last_step(row)}. "
                    f"Look at it again before you {step.phrase()}.",
                    code="prescription.changed_since_seen",
                    extra={"status": current.value},
                )
            prepare_step(session, row, action=action, now=now, within=within)
            row.status = step.target.value
            row.updated_at = now
            # Until a pharmacist moves it on, an answered question waits in the queue.
            row.answered = action == "answer_clarification"
            row.change_seq = next_change_seq(session)
            release_in(session, row.id)  # the step ends whoever's review it was
            if action in REVIEW_ACTIONS:
                row.review_action = action
                row.review_reason = note
                row.reviewed_by_id = user.id
                row.reviewed_at = now
            if beyond_use is not None:
                row.beyond_use_date = beyond_use.date
                row.storage = beyond_use.storage
            session.add(
                PrescriptionEvent(
                    prescription_id=row.id,
                    seq=len(row.events) + 1,
                    at=now,
                    action=action,
                    from_status=current.value,
                    to_status=step.target.value,
                    actor_id=user.id,
                    note=note,
                    version=row.version or 1,
                )
            )
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action=AUDIT_ACTIONS.get(action, f"prescription.{action}"),
                outcome=step.target.value,
                target_type="prescription",
                target_id=row.id,
                details={
                    "from": current.value,
                    "to": step.target.value,
                    "action": action,
                    "version": row.version or 1,
                },
            )
            session.flush()
            session.expire(row)
            session.refresh(row)
            prescription = PrescriptionOut.from_row(row)
            email = row.prescriber.email
        log.info("prescription %s %s by account %s", prescription_id, step.target.value, user.id)
        notice = None
        if action in NOTICES and email:
            subject, text = NOTICES[action]
            reference = prescription.reference
            notice = Notice(
                email,
                subject.format(reference=reference),
                text.format(reference=reference) + NOTICE_FOOTER,
            )
        return StepResult(prescription, notice)

    def send_notice(self, notice: Notice | None) -> None:
        """Mail the prescriber (after the response: a slow mail server never delays the
        pharmacist). A failure is logged, never raised: the step itself is recorded."""
        if notice is None or self._notifier is None:
            return
        try:
            self._notifier.send(to=notice.to, subject=notice.subject, text=notice.text)
        except NotifyFailed:
            log.warning("the prescriber could not be told of a step by mail")
