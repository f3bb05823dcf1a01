"""What a prescription's lifecycle says in words: its history, the latest question or
answer, the notes an action asks for, and the messages after an action or a conflict.

Pure, so it is tested without Qt; everything from the server is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pharmacy_domain.status import ACTIONS, MAX_NOTE_LENGTH, Action, NoteRule, PrescriptionStatus
from portal_client.core.domain_text import action_note_label, action_past, role_text
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.prescription_list import format_timestamp, parse_timestamp, person_name
from portal_client.core.status_colours import STATUS_COLOURS, status_colours
from portal_client.core.wire import HistoryEventWire, PrescriptionWire


def _tr(text: str) -> str:
    """A string marked here with ``QT_TRANSLATE_NOOP("Presentation", …)``, translated."""
    return translate("Presentation", text) if text else text


#: What a note is called in the history, by the action that carried it.
_NOTE_NAMES = {
    "request_clarification": QT_TRANSLATE_NOOP("Presentation", "Question"),
    "answer_clarification": QT_TRANSLATE_NOOP("Presentation", "Answer"),
    "reject": QT_TRANSLATE_NOOP("Presentation", "Reason"),
    "cancel": QT_TRANSLATE_NOOP("Presentation", "Reason"),
    "ship": QT_TRANSLATE_NOOP("Presentation", "Courier and tracking"),
}
_QUESTION_COLOURS = STATUS_COLOURS["needs_clarification"]
_ANSWER_COLOURS = ("#E3EEF9", "#1F4E79")


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a prescription's life, from the server's ``history`` list."""

    at: dt.datetime | None
    action: str
    from_status: str | None
    status: str
    actor: str
    actor_role: str
    note: str

    @classmethod
    def from_wire(cls, entry: HistoryEventWire) -> HistoryEntry:
        return cls(
            at=parse_timestamp(entry.at),
            action=entry.action,
            from_status=None if entry.from_status is None else entry.from_status.value,
            status=entry.status.value,
            actor=person_name(entry.actor),
            actor_role=entry.actor.role,
            note=(entry.note or "").strip(),
        )

    @property
    def what(self) -> str:
        """The past-tense words for it: "asked for clarification"."""
        if self.action == "submit":
            return "submitted"
        action = ACTIONS.get(self.action)
        return action_past(action) if action is not None else self.action.replace("_", " ")

    @property
    def note_name(self) -> str:
        return _tr(_NOTE_NAMES.get(self.action, QT_TRANSLATE_NOOP("Presentation", "Note")))

    @property
    def when(self) -> str:
        return format_timestamp(self.at)

    @property
    def who(self) -> str:
        return f"{self.actor} ({role_text(self.actor_role)})" if self.actor_role else self.actor


def history_of(item: PrescriptionWire) -> list[HistoryEntry]:
    """The prescription's history, oldest first (as the server sends it); [] without one."""
    return [HistoryEntry.from_wire(entry) for entry in item.history]


def open_question(item: PrescriptionWire) -> HistoryEntry | None:
    """The pharmacist's question still waiting for the prescriber, if there is one."""
    if item.status != PrescriptionStatus.NEEDS_CLARIFICATION:
        return None
    return _last(history_of(item), "request_clarification")


def _last(history: Sequence[HistoryEntry], action: str) -> HistoryEntry | None:
    return next((entry for entry in reversed(history) if entry.action == action), None)


def _note_html(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _box(colours: tuple[str, str], body: str) -> str:
    background, foreground = colours
    return (
        f"<table width='100%' cellpadding='8' style='margin:0 0 8px 0'>"
        f"<tr><td style='background:{background};color:{foreground}'>{body}</td></tr></table>"
    )


def latest_event_html(
    status: str, history: Sequence[HistoryEntry], viewer_role: str | None = None
) -> str:
    """The box at the top of the detail: what happened last, and what it asks of whom.

    An open question leads while it waits for its answer; once answered, the pharmacist
    sees the question and the answer together, where the next review starts."""
    if status == PrescriptionStatus.NEEDS_CLARIFICATION:
        question = _last(history, "request_clarification")
        if question is not None:
            return _box(
                _QUESTION_COLOURS,
                translate(
                    "Presentation",
                    "<b>Question from {who}</b> · {when}<br><span "
                    "style='font-size:11pt'>{note_html}</span><br><i>",
                ).format(
                    who=escape(question.who),
                    when=escape(question.when),
                    note_html=_note_html(question.note),
                )
                + (
                    translate(
                        "Presentation", "Waiting for your answer: “Answer the pharmacist…” below."
                    )
                    if viewer_role == "prescriber"
                    else translate("Presentation", "Waiting for the prescriber's answer.")
                )
                + "</i>",
            )
    last = history[-1] if history else None
    if last is None or last.action == "submit":
        return ""
    if last.action == "answer_clarification":
        asked = _last(history[:-1], "request_clarification")
        question_line = (
            translate("Presentation", "<br><b>Question</b> from {who}: {note_html}").format(
                who=escape(asked.who), note_html=_note_html(asked.note)
            )
            if asked is not None
            else ""
        )
        return _box(
            _ANSWER_COLOURS,
            translate(
                "Presentation",
                "<b>{who} answered</b> · {when}{question_line}<br><b>Answer:</b> {note_html}",
            ).format(
                who=escape(last.who),
                when=escape(last.when),
                question_line=question_line,
                note_html=_note_html(last.note),
            ),
        )
    note = f"<br>{escape(last.note_name)}: {_note_html(last.note)}" if last.note else ""
    return _box(
        status_colours(last.status),
        translate("Presentation", "<b>{what}</b> by {who} · {when}{note}").format(
            what=escape(last.what.capitalize()),
            who=escape(last.who),
            when=escape(last.when),
            note=note,
        ),
    )


def history_html(history: Sequence[HistoryEntry]) -> str:
    """Every step, oldest first: when, who, what, and the note (questions and answers
    stand out: they are the conversation between the pharmacist and the prescriber)."""
    out = ["<table cellspacing='0'>"]
    for entry in history:
        note = ""
        if entry.note:
            colours = {
                "request_clarification": _QUESTION_COLOURS,
                "answer_clarification": _ANSWER_COLOURS,
            }.get(entry.action)
            style = f"background:{colours[0]};color:{colours[1]};" if colours else "color:#3E4C59;"
            note = (
                f"<br><span style='{style}'>&nbsp;{escape(entry.note_name)}:&nbsp;</span> "
                f"{_note_html(entry.note)}"
            )
        out.append(
            f"<tr><td class='k' valign='top'>{escape(entry.when)}</td>"
            f"<td class='v'><b>{escape(entry.who)}</b> {escape(entry.what)}{note}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def asks_for_note(action: Action) -> bool:
    """Whether the action opens a dialog for its note: the ones labelled with "…"
    (a reason, a question, an answer, a tracking number). The others confirm in place."""
    return action.note is NoteRule.REQUIRED or action.label.endswith("…") or action.needs_beyond_use


def note_problem(action: Action, text: str) -> str | None:
    """Why the note cannot be sent as it is (shown under the box), or None."""
    note = text.strip()
    if action.note is NoteRule.REQUIRED and not note:
        return translate("Presentation", "Write the {note} first: it is required.").format(
            note=action_note_label(action).lower()
        )
    if len(note) > MAX_NOTE_LENGTH:
        over = len(note) - MAX_NOTE_LENGTH
        return translate(
            "Presentation",
            "{note} is {length:,} characters long; the limit is {limit:,}. Shorten it by {over:,}.",
        ).format(note=action_note_label(action), length=len(note), limit=MAX_NOTE_LENGTH, over=over)
    return None


_DONE_TEXT = {
    "approve": QT_TRANSLATE_NOOP("Presentation", "{ref} approved."),
    "reject": QT_TRANSLATE_NOOP("Presentation", "{ref} rejected; the prescriber sees your reason."),
    "request_clarification": (
        QT_TRANSLATE_NOOP(
            "Presentation",
            "{ref}: your question was sent to the prescriber. It waits under "
            "“Waiting for the prescriber” until they answer.",
        )
    ),
    "answer_clarification": QT_TRANSLATE_NOOP(
        "Presentation", "{ref}: your answer was sent; the pharmacist reviews it again."
    ),
    "cancel": QT_TRANSLATE_NOOP(
        "Presentation", "{ref} cancelled. The pharmacy will not prepare it."
    ),
    "start_compounding": QT_TRANSLATE_NOOP("Presentation", "{ref} is being compounded."),
    "mark_ready": QT_TRANSLATE_NOOP("Presentation", "{ref} is ready to ship."),
    "ship": QT_TRANSLATE_NOOP("Presentation", "{ref} marked shipped."),
}


def action_done_message(action: str, reference: str) -> str:
    template = _tr(_DONE_TEXT.get(action, QT_TRANSLATE_NOOP("Presentation", "{ref} updated.")))
    return template.format(ref=reference)


#: The server's 409 codes for an action on a prescription that moved on without the user.
STATUS_CHANGED = "prescription.status_changed"
CHANGED_SINCE_SEEN = "prescription.changed_since_seen"


def conflict_message(
    reference: str,
    server_detail: str,
    current: PrescriptionWire | None = None,
    code: str | None = None,
) -> str:
    """A 409: the prescription moved on before the action was recorded. The server's words
    say how; once the prescription is fetched again (``current``), its last step says who.

    ``CHANGED_SINCE_SEEN``: steps were added since the user opened it (an answer arriving,
    say); the server's words already name them."""
    detail = server_detail.strip()
    if detail and not detail.endswith("."):
        detail += "."
    history = history_of(current) if current is not None else []
    last = (
        translate("Presentation", " Last change: {what} by {who}, {when}.").format(
            what=history[-1].what, who=history[-1].who, when=history[-1].when
        )
        if history
        else ""
    )
    if code == CHANGED_SINCE_SEEN:
        text = translate("Presentation", "Nothing was recorded for {reference}: ").format(
            reference=reference
        ) + (
            detail
            or translate(
                "Presentation", "it changed since you opened it. Look at it again before you act."
            )
        )
        return text + ("" if detail else last)  # the server's words name the new steps
    text = (
        translate(
            "Presentation",
            "{reference} was changed by someone else before your action was recorded",
        ).format(reference=reference)
        + (f": {detail}" if detail else ".")
        + translate("Presentation", " Nothing of yours was applied.")
    )
    return text + last


#: The step an action records, as a noun: "whether your approval … was recorded".
_STEP_NOUNS = {
    "approve": "approval",
    "reject": "rejection",
    "request_clarification": "question",
    "answer_clarification": "answer",
    "cancel": "cancellation",
    "start_compounding": QT_TRANSLATE_NOOP("Presentation", "start of compounding"),
    "mark_ready": QT_TRANSLATE_NOOP("Presentation", "“ready” mark"),
    "ship": QT_TRANSLATE_NOOP("Presentation", "“shipped” mark"),
}


def outcome_unknown_message(
    action: str, reference: str, *, fetched: bool, text_kept: bool = False
) -> str:
    """No answer came to an action, and the prescription as it is now (``fetched``) does
    not show it as the user's step, or could not be fetched at all."""
    noun = _tr(_STEP_NOUNS.get(action, QT_TRANSLATE_NOOP("Presentation", "step")))
    text = translate(
        "Presentation",
        "The pharmacy did not answer, so it is not known whether your {noun} "
        "for {reference} was recorded.",
    ).format(noun=noun, reference=reference)
    if fetched:
        text += translate(
            "Presentation",
            " {reference} as it is now (shown) does not have it. Look at it, then "
            "send again if it still applies: if the first one arrives meanwhile, "
            "the pharmacy refuses the second.",
        ).format(reference=reference)
    else:
        text += translate(
            "Presentation", " Checking failed too: refresh and look at it before you try again."
        )
    return text + (translate("Presentation", " Your text is kept.") if text_kept else "")


def changed_while_confirming_message(reference: str, current: PrescriptionWire) -> str:
    """The in-place confirmation was withdrawn: the prescription gained a step meanwhile."""
    history = history_of(current)
    step = (
        translate("Presentation", ": {what} by {who}, {when}").format(
            what=history[-1].what, who=history[-1].who, when=history[-1].when
        )
        if history
        else ""
    )
    return translate(
        "Presentation",
        "{reference} changed while you were deciding{step}. Nothing was sent; "
        "look at it again first.",
    ).format(reference=reference, step=step)


def prescriber_count_text(statuses: Sequence[str]) -> str:
    """ "5 sent · 1 awaiting review · 1 question for you" for the prescriber's list."""
    if not statuses:
        return translate("Presentation", "None sent yet")
    waiting = sum(1 for s in statuses if s == PrescriptionStatus.SUBMITTED)
    questions = sum(1 for s in statuses if s == PrescriptionStatus.NEEDS_CLARIFICATION)
    text = translate("Presentation", "{count} sent · {waiting} awaiting review").format(
        count=len(statuses), waiting=waiting
    )
    if questions:
        text += (
            translate("Presentation", " · 1 question for you")
            if questions == 1
            else translate("Presentation", " · {count} questions for you").format(count=questions)
        )
    return text


def new_question_message(references: Sequence[tuple[str, str]]) -> str:
    """The banner when a refresh finds questions not seen before: (reference, patient)."""
    if not references:
        return ""
    if len(references) == 1:
        reference, patient = references[0]
        return translate(
            "Presentation",
            "The pharmacist asked a question about {reference} ({patient}). Select "
            "it under “Sent to the pharmacy” to read and answer it.",
        ).format(reference=reference, patient=patient)
    listed = ", ".join(reference for reference, _patient in references)
    return translate(
        "Presentation",
        "The pharmacist asked questions about {count} prescriptions ({listed}). "
        "Select each under “Sent to the pharmacy” to read and answer it.",
    ).format(count=len(references), listed=listed)
