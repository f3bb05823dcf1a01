"""The prescription detail as HTML for a read-only text view (pure, so it is tested without Qt).

Everything from the server is escaped: a patient called ``<b>`` stays text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from pharmacy_domain.numbers import format_amount, format_rounded
from pharmacy_domain.status import (
    ACTIONS,
    MAX_NOTE_LENGTH,
    STATUS_LABELS,
    Action,
    NoteRule,
    PrescriptionStatus,
)
from pharmacy_domain.status import status_label as _domain_status_label
from portal_client.core.prescription_list import (
    format_timestamp,
    parse_timestamp,
    patient_name,
    person_name,
)
from portal_client.core.wire import (
    AcknowledgementWire,
    FindingWire,
    HistoryEventWire,
    LabView,
    PatientView,
    PrescriptionWire,
)

#: The status in full (detail pane, tooltips): the domain's own words.
STATUS_TEXT = {str(status): label for status, label in STATUS_LABELS.items()}

#: The status in a table's badge: short enough for a pill, same words as the domain's.
LIST_STATUS_TEXT = {
    "submitted": "Submitted",
    "needs_clarification": "Question asked",
    "approved": "Approved",
    "compounding": "Being compounded",
    "ready": "Ready to ship",
    "shipped": "Shipped",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
}
#: Where the same status reads differently for the one looking at it.
_LIST_STATUS_FOR_ROLE = {
    ("prescriber", "needs_clarification"): "Question for you",
    ("pharmacist", "needs_clarification"): "Waiting for prescriber",
}

#: Badge colours (background, text), shared by the table delegate and the detail pane.
#: Calm and distinct: amber only where someone must answer, blues while the pharmacy
#: works on it, green once it has left, grey when it will never be prepared.
STATUS_COLOURS = {
    "submitted": ("#ECE9FB", "#4B3FA0"),
    "needs_clarification": ("#FFE7C2", "#8A4500"),
    "approved": ("#D8F1EE", "#0F5F57"),
    "compounding": ("#E3EEF9", "#1F4E79"),
    "ready": ("#D7EFFA", "#0B5572"),
    "shipped": ("#DDF3E4", "#1E6B3A"),
    "rejected": ("#FDE2E1", "#A3261D"),
    "cancelled": ("#ECEFF1", "#4A5560"),
}
UNKNOWN_STATUS_COLOURS = ("#E8EAED", "#3C4043")

#: The pharmacist's "Show" filter: (status or "all", words), in the order work flows.
REVIEW_FILTERS = (
    ("submitted", "To review"),
    ("needs_clarification", "Waiting for the prescriber"),
    ("approved", "Approved"),
    ("compounding", "Being compounded"),
    ("ready", "Ready to ship"),
    ("shipped", "Shipped"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
    ("all", "All"),
)

ACCESS_TEXT = {"peripheral": "Peripheral IV", "central": "Central line", "push": "IV push"}
SEX_TEXT = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Not stated"}


SEVERITY_ORDER = ("block", "warn", "info")
SEVERITY_TITLE = {
    "block": "Blocks signing",
    "warn": "Warnings: give a reason to go ahead",
    "info": "For information",
}
SEVERITY_COLOURS = {
    "block": ("#FDE2E1", "#A3261D"),
    "warn": ("#FFF4D6", "#8A5A00"),
    "info": ("#E3EEF9", "#1F4E79"),
}
CONFIRM_TEXT = "PHARMACY TO CONFIRM"

#: The signing attestation: the words the prescriber agrees to by completing the step-up.
ATTESTATION_TEXT = (
    "By completing this step I am legally signing this prescription. I confirm that I am "
    "the prescriber named above, that I have reviewed the patient, every ingredient and "
    "amount, the administration and the clinical checks shown, and that this order is "
    "medically necessary for this patient."
)


@dataclass(frozen=True)
class ComputedRow:
    """One figure of the checks panel: ``"Osmolarity"``, ``"472 mOsm/L"``, ``"estimate"``."""

    key: str
    label: str
    text: str
    note: str = ""


# (key, label, unit, nutrition only, note)
_COMPUTED: tuple[tuple[str, str, str, bool, str], ...] = (
    ("total_volume_ml", "Total volume", "mL", False, ""),
    ("osmolarity_mosm_l", "Osmolarity", "mOsm/L", False, "estimate"),
    ("infusion_rate_ml_h", "Infusion rate", "mL/h", False, ""),
    ("gir_mg_kg_min", "Glucose infusion rate", "mg/kg/min", True, ""),
    ("kcal_total", "Energy", "kcal", True, ""),
    ("kcal_per_kg", "Energy per kg", "kcal/kg", True, ""),
    ("protein_g_per_kg", "Protein per kg", "g/kg", True, ""),
    ("lipid_g_per_kg", "Lipid per kg", "g/kg", True, ""),
    ("dextrose_pct", "Dextrose", "%", True, "final concentration"),
    ("amino_acids_pct", "Amino acids", "%", True, "final concentration"),
    ("lipid_pct", "Lipid", "%", True, "final concentration"),
)


def computed_rows(computed: Mapping[str, Any], *, nutrition: bool) -> list[ComputedRow]:
    """The figures worth showing, in a fixed order; ``—`` where the engine could not compute."""
    rows = []
    for key, label, unit, nutrition_only, note in _COMPUTED:
        if nutrition_only and not nutrition:
            continue
        if key == "lipid_pct" and computed.get(key) is None and computed.get("lipid_g_day"):
            rows.append(ComputedRow(key, label, "separate", "lipid runs in its own bag"))
            continue
        value = computed.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            rows.append(ComputedRow(key, label, f"{format_rounded(float(value))} {unit}", note))
        else:
            rows.append(ComputedRow(key, label, "—", note))
    return rows


def group_findings(findings: Iterable[Any]) -> dict[str, list[Any]]:
    """Findings (the engine's or ``FindingWire``) by severity, block → warn → info, empty
    groups left out."""
    groups: dict[str, list[Any]] = {severity: [] for severity in SEVERITY_ORDER}
    for finding in findings:
        severity = finding.severity
        groups.setdefault(str(severity), []).append(finding)
    return {severity: items for severity, items in groups.items() if items}


def block_reason(blocks: Sequence[Any]) -> str:
    """Why the Sign button is disabled, in one sentence."""
    if not blocks:
        return ""
    first = blocks[0]
    message = first.message
    more = f" (and {len(blocks) - 1} more)" if len(blocks) > 1 else ""
    return f"Cannot be signed: {message}{more}"


def status_label(status: str) -> str:
    """The status in full words ("Pharmacist asked a question")."""
    return _domain_status_label(status)


def status_short_label(status: str, role: str | None = None) -> str:
    """The status on a table badge, worded for ``role`` when that reads better."""
    return _LIST_STATUS_FOR_ROLE.get(
        (role or "", status), LIST_STATUS_TEXT.get(status, status.replace("_", " ").capitalize())
    )


def status_colours(status: str) -> tuple[str, str]:
    return STATUS_COLOURS.get(status, UNKNOWN_STATUS_COLOURS)


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_amount(value)
    return escape(str(value)) if value not in (None, "") else "—"


def _row(label: str, value: str) -> str:
    return f"<tr><td class='k'>{escape(label)}</td><td class='v'>{value}</td></tr>"


def prescription_html(
    item: PrescriptionWire,
    ingredient_names: Mapping[str, str],
    *,
    viewer_role: str | None = None,
) -> str:
    """Render one prescription; ``ingredient_names`` maps codes to names from the templates,
    ``viewer_role`` words what waits on whom ("your answer" for the prescriber)."""
    status = item.status.value
    background, foreground = STATUS_COLOURS.get(status, UNKNOWN_STATUS_COLOURS)
    patient = item.patient_view()
    parts = [
        "<style>"
        "h2{margin:0 0 2px 0;font-size:13pt;color:#102A43}"
        ".sub{color:#52606D;margin:0 0 10px 0}"
        "p.h{font-size:8pt;font-weight:bold;color:#52606D;margin:14px 0 4px 0}"
        "td.k{color:#52606D;padding:2px 16px 2px 0;white-space:nowrap}"
        "td.v{color:#1F2933;padding:2px 0}"
        "table.ing th{color:#52606D;text-align:left;font-weight:normal;padding:2px 14px 2px 0;"
        "border-bottom:1px solid #D9E2EC}"
        "table.ing td{padding:3px 14px 3px 0}"
        "</style>",
        f"<h2>{escape(item.reference)} · {escape(item.template_name or item.template_id)}</h2>",
        f"<p class='sub'><span style='background:{background};color:{foreground};'>"
        f"&nbsp;{escape(status_label(status))}&nbsp;</span>&nbsp; submitted "
        f"{escape(format_timestamp(parse_timestamp(item.created_at)))}"
        f" by {escape(person_name(item.prescriber))}</p>",
    ]
    history = history_of(item)
    review = item.review
    if history:
        parts.append(latest_event_html(status, history, viewer_role))
    elif review is not None:  # a server from before the lifecycle: no history
        verb = "Approved" if review.action == "approve" else "Rejected"
        when = format_timestamp(parse_timestamp(review.reviewed_at))
        reason = (review.reason or "").strip()
        parts.append(
            f"<p style='background:{background};color:{foreground};padding:6px'>"
            f"<b>{verb}</b> by {escape(person_name(review.reviewer))}, {escape(when)}"
            + (f"<br>Reason: {escape(reason)}" if reason else "")
            + "</p>"
        )
    allergies = patient.allergies
    allergy_text = (
        escape(", ".join(str(a) for a in allergies)) if allergies else "<i>None recorded</i>"
    )
    parts.append("<p class='h'>PATIENT</p><table>")
    parts.append(_row("Name", escape(patient_name(patient))))
    parts.append(_row("Date of birth", escape(patient.birth_date or "—")))
    parts.append(_row("Sex", escape(SEX_TEXT.get(patient.sex, "—"))))
    weight = patient.weight_kg
    height = patient.height_cm
    parts.append(_row("Weight", f"{_number(weight)} kg" if weight is not None else "—"))
    parts.append(_row("Height", f"{_number(height)} cm" if height is not None else "—"))
    parts.append(_row("Allergies", allergy_text))
    parts.append("</table>")

    parts.append(
        "<p class='h'>INGREDIENTS</p><table class='ing'><tr><th>Ingredient</th>"
        "<th align='right'>Amount</th><th>Unit</th></tr>"
    )
    for line in item.ingredient_views():
        name = ingredient_names.get(line.code, line.code)
        parts.append(
            f"<tr><td>{escape(name)}</td><td align='right'><b>{_number(line.amount)}</b>"
            f"</td><td>{escape(line.unit)}</td></tr>"
        )
    parts.append("</table>")

    vehicle = item.vehicle_view()
    parts.append("<p class='h'>ADMINISTRATION</p><table>")
    parts.append(_row("Access", escape(ACCESS_TEXT.get(item.access, "—"))))
    if vehicle is not None:
        name = ingredient_names.get(f"vehicle:{vehicle.code}", vehicle.code)
        parts.append(_row("Vehicle", f"{escape(name)}, {_number(vehicle.volume_ml)} mL"))
    minutes = item.infusion_minutes
    parts.append(_row("Infusion time", f"{_number(minutes)} min" if minutes else "—"))
    parts.append("</table>")

    parts.extend(_checks_and_signature(item, patient))

    notes = item.notes.strip()
    parts.append("<p class='h'>NOTES</p>")
    parts.append(
        f"<p>{escape(notes).replace(chr(10), '<br>')}</p>" if notes else "<p><i>None</i></p>"
    )
    if history:
        parts.append("<p class='h'>HISTORY</p>")
        parts.append(history_html(history))
    return "".join(parts)


def _checks_and_signature(item: PrescriptionWire, patient: PatientView) -> list[str]:
    """Labs, the stored evaluation, the acknowledgements and the signature."""
    parts: list[str] = []
    parts.append("<p class='h'>LAB RESULTS</p>")
    parts.append(labs_html(patient.labs))

    evaluation = item.evaluation
    if evaluation is not None:
        template_is_nutrition = "gir_mg_kg_min" in evaluation.computed
        parts.append("<p class='h'>CLINICAL CHECKS</p>")
        parts.append(computed_html(evaluation.computed, nutrition=template_is_nutrition))
        parts.append(findings_html(evaluation.findings))
    parts.append("<p class='h'>ACKNOWLEDGED WARNINGS</p>")
    parts.append(acknowledgements_html(item.acknowledgements))

    signature = item.signature
    if signature is not None:
        how = {"password": "password", "totp": "authenticator code"}.get(
            str(signature.method), signature.method or ""
        )
        parts.append("<p class='h'>SIGNATURE</p><table>")
        parts.append(_row("Signed by", escape(person_name(signature.signed_by))))
        parts.append(_row("Signed", escape(format_timestamp(parse_timestamp(signature.signed_at)))))
        if how:
            parts.append(_row("Confirmed with", escape(how)))
        parts.append("</table>")

    return parts


def labs_html(labs: Sequence[LabView]) -> str:
    rows = labs
    if not rows:
        return "<p><i>None on the order</i></p>"
    out = [
        "<table class='ing'><tr><th>Lab</th><th>Date</th><th align='right'>Value</th>"
        "<th>Unit</th><th>Interpretation</th></tr>"
    ]
    for lab in rows:
        out.append(
            f"<tr><td>{escape(lab.code)}</td>"
            f"<td>{escape(lab.date)}</td>"
            f"<td align='right'>{_number(lab.value)}</td>"
            f"<td>{escape(lab.unit)}</td>"
            f"<td>{escape(lab.interpretation or '—')}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def computed_html(computed: Mapping[str, Any], *, nutrition: bool) -> str:
    out = ["<table>"]
    for row in computed_rows(computed, nutrition=nutrition):
        note = f" <span style='color:#7B8794'>({escape(row.note)})</span>" if row.note else ""
        out.append(_row(row.label, f"<b>{escape(row.text)}</b>{note}"))
    out.append("</table>")
    return "".join(out)


def _confirm_tag() -> str:
    background, foreground = SEVERITY_COLOURS["warn"]
    return (
        f" <span style='background:{background};color:{foreground};font-size:8pt;'>"
        f"&nbsp;{CONFIRM_TEXT}&nbsp;</span>"
    )


def findings_html(findings: Sequence[FindingWire]) -> str:
    """Findings grouped by severity, each with its message and source."""
    groups = group_findings(findings)
    if not groups:
        return "<p style='color:#1E6B3A'>No findings: every check passed.</p>"
    out = []
    for severity, items in groups.items():
        background, foreground = SEVERITY_COLOURS.get(severity, UNKNOWN_STATUS_COLOURS)
        title = {"block": "Blocks", "warn": "Warnings", "info": "Notes"}.get(severity, severity)
        out.append(
            f"<p style='margin:8px 0 2px 0'><span style='background:{background};"
            f"color:{foreground};font-weight:bold'>&nbsp;{escape(title)} ({len(items)})&nbsp;"
            "</span></p><ul style='margin:0 0 0 -20px'>"
        )
        for finding in items:
            confirm = _confirm_tag() if finding.to_confirm else ""
            source = finding.source
            out.append(
                f"<li>{escape(finding.message)}{confirm}"
                + (
                    f"<br><span style='color:#7B8794;font-size:8pt'>Source: {escape(source)}</span>"
                    if source
                    else ""
                )
                + "</li>"
            )
        out.append("</ul>")
    return "".join(out)


def acknowledgements_html(acknowledgements: Sequence[AcknowledgementWire]) -> str:
    rows = acknowledgements
    if not rows:
        return "<p><i>None</i></p>"
    out = ["<table class='ing'><tr><th>Warning</th><th>Prescriber's reason</th></tr>"]
    for ack in rows:
        out.append(f"<tr><td>{escape(ack.code)}</td><td>{escape(ack.reason)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def sign_summary_html(
    body: Mapping[str, Any],
    *,
    template_name: str,
    ingredient_names: Mapping[str, str],
    computed: Mapping[str, Any],
    nutrition: bool,
    warnings: Sequence[Any] = (),
) -> str:
    """The whole prescription as the prescriber signs it (body = the exact signed body)."""
    patient = body.get("patient") if isinstance(body.get("patient"), Mapping) else {}
    assert isinstance(patient, Mapping)
    parts = [
        "<style>"
        "h2{margin:0 0 6px 0;font-size:12pt;color:#102A43}"
        "p.h{font-size:8pt;font-weight:bold;color:#52606D;margin:12px 0 3px 0}"
        "td.k{color:#52606D;padding:1px 16px 1px 0;white-space:nowrap}"
        "td.v{color:#1F2933;padding:1px 0}"
        "table.ing th{color:#52606D;text-align:left;font-weight:normal;padding:2px 14px 2px 0;"
        "border-bottom:1px solid #D9E2EC}"
        "table.ing td{padding:2px 14px 2px 0}"
        "</style>",
        f"<h2>{escape(template_name)}</h2>",
        "<p class='h'>PATIENT</p><table>",
        _row("Name", f"<b>{escape(patient_name(patient))}</b>"),
        _row("Date of birth", escape(str(patient.get("birth_date") or "—"))),
        _row("Sex", escape(SEX_TEXT.get(str(patient.get("sex")), "—"))),
    ]
    weight, height = patient.get("weight_kg"), patient.get("height_cm")
    parts.append(_row("Weight", f"{_number(weight)} kg" if weight is not None else "—"))
    if height is not None:
        parts.append(_row("Height", f"{_number(height)} cm"))
    allergies = patient.get("allergies") or []
    parts.append(
        _row("Allergies", escape(", ".join(map(str, allergies))) if allergies else "None recorded")
    )
    parts.append("</table><p class='h'>INGREDIENTS</p><table class='ing'>")
    parts.append("<tr><th>Ingredient</th><th align='right'>Amount</th><th>Unit</th></tr>")
    for line in body.get("ingredients") or []:
        if isinstance(line, Mapping):
            code = str(line.get("code", ""))
            parts.append(
                f"<tr><td>{escape(ingredient_names.get(code, code))}</td>"
                f"<td align='right'><b>{_number(line.get('amount'))}</b></td>"
                f"<td>{escape(str(line.get('unit') or ''))}</td></tr>"
            )
    parts.append("</table><p class='h'>ADMINISTRATION</p><table>")
    parts.append(_row("Access", escape(ACCESS_TEXT.get(str(body.get("access")), "—"))))
    vehicle = body.get("vehicle")
    if isinstance(vehicle, Mapping):
        name = ingredient_names.get(f"vehicle:{vehicle.get('code')}", str(vehicle.get("code")))
        parts.append(_row("Vehicle", f"{escape(name)}, {_number(vehicle.get('volume_ml'))} mL"))
    minutes = body.get("infusion_minutes")
    parts.append(_row("Infusion time", f"{_number(minutes)} min" if minutes else "—"))
    parts.append("</table><p class='h'>COMPUTED VALUES</p>")
    parts.append(computed_html(computed, nutrition=nutrition))
    acks = {
        (str(a.get("code")), str(a.get("field") or "")): str(a.get("reason") or "")
        for a in body.get("acknowledgements") or []
        if isinstance(a, Mapping)
    }
    parts.append("<p class='h'>ACKNOWLEDGED WARNINGS</p>")
    if warnings:
        parts.append("<ul style='margin:0 0 0 -20px'>")
        for finding in warnings:
            wire = finding if isinstance(finding, Mapping) else finding.to_wire()
            found, place, message = wire.get("code"), wire.get("field"), wire.get("message")
            reason = acks.get((str(found), str(place)), acks.get((str(found), ""), ""))
            parts.append(
                f"<li>{escape(str(message))}<br><span style='color:#52606D'>Your reason: "
                f"</span><i>{escape(reason)}</i></li>"
            )
        parts.append("</ul>")
    else:
        parts.append("<p><i>None</i></p>")
    notes = str(body.get("notes") or "").strip()
    if notes:
        parts.append("<p class='h'>NOTES</p>")
        parts.append(f"<p>{escape(notes).replace(chr(10), '<br>')}</p>")
    return "".join(parts)


# ------------------------------------------------------------- lifecycle

#: What a note is called in the history, by the action that carried it.
_NOTE_NAMES = {
    "request_clarification": "Question",
    "answer_clarification": "Answer",
    "reject": "Reason",
    "cancel": "Reason",
    "ship": "Courier and tracking",
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
        return action.past if action is not None else self.action.replace("_", " ")

    @property
    def note_name(self) -> str:
        return _NOTE_NAMES.get(self.action, "Note")

    @property
    def when(self) -> str:
        return format_timestamp(self.at)

    @property
    def who(self) -> str:
        return f"{self.actor} ({self.actor_role})" if self.actor_role else self.actor


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
                f"<b>Question from {escape(question.who)}</b> · {escape(question.when)}"
                f"<br><span style='font-size:11pt'>{_note_html(question.note)}</span>"
                "<br><i>"
                + (
                    "Waiting for your answer: “Answer the pharmacist…” below."
                    if viewer_role == "prescriber"
                    else "Waiting for the prescriber's answer."
                )
                + "</i>",
            )
    last = history[-1] if history else None
    if last is None or last.action == "submit":
        return ""
    if last.action == "answer_clarification":
        asked = _last(history[:-1], "request_clarification")
        question_line = (
            f"<br><b>Question</b> from {escape(asked.who)}: {_note_html(asked.note)}"
            if asked is not None
            else ""
        )
        return _box(
            _ANSWER_COLOURS,
            f"<b>{escape(last.who)} answered</b> · {escape(last.when)}{question_line}"
            f"<br><b>Answer:</b> {_note_html(last.note)}",
        )
    note = f"<br>{escape(last.note_name)}: {_note_html(last.note)}" if last.note else ""
    return _box(
        status_colours(last.status),
        f"<b>{escape(last.what.capitalize())}</b> by {escape(last.who)} · "
        f"{escape(last.when)}{note}",
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
    return action.note is NoteRule.REQUIRED or action.label.endswith("…")


def note_problem(action: Action, text: str) -> str | None:
    """Why the note cannot be sent as it is (shown under the box), or None."""
    note = text.strip()
    if action.note is NoteRule.REQUIRED and not note:
        return f"Write the {action.note_label.lower()} first: it is required."
    if len(note) > MAX_NOTE_LENGTH:
        over = len(note) - MAX_NOTE_LENGTH
        return (
            f"{action.note_label} is {len(note):,} characters long; the limit is "
            f"{MAX_NOTE_LENGTH:,}. Shorten it by {over:,}."
        )
    return None


_DONE_TEXT = {
    "approve": "{ref} approved.",
    "reject": "{ref} rejected; the prescriber sees your reason.",
    "request_clarification": (
        "{ref}: your question was sent to the prescriber. It waits under "
        "“Waiting for the prescriber” until they answer."
    ),
    "answer_clarification": "{ref}: your answer was sent; the pharmacist reviews it again.",
    "cancel": "{ref} cancelled. The pharmacy will not prepare it.",
    "start_compounding": "{ref} is being compounded.",
    "mark_ready": "{ref} is ready to ship.",
    "ship": "{ref} marked shipped.",
}


def action_done_message(action: str, reference: str) -> str:
    template = _DONE_TEXT.get(action, "{ref} updated.")
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
        f" Last change: {history[-1].what} by {history[-1].who}, {history[-1].when}."
        if history
        else ""
    )
    if code == CHANGED_SINCE_SEEN:
        text = f"Nothing was recorded for {reference}: " + (
            detail or "it changed since you opened it. Look at it again before you act."
        )
        return text + ("" if detail else last)  # the server's words name the new steps
    text = (
        f"{reference} was changed by someone else before your action was recorded"
        + (f": {detail}" if detail else ".")
        + " Nothing of yours was applied."
    )
    return text + last


#: The step an action records, as a noun: "whether your approval … was recorded".
_STEP_NOUNS = {
    "approve": "approval",
    "reject": "rejection",
    "request_clarification": "question",
    "answer_clarification": "answer",
    "cancel": "cancellation",
    "start_compounding": "start of compounding",
    "mark_ready": "“ready” mark",
    "ship": "“shipped” mark",
}


def outcome_unknown_message(
    action: str, reference: str, *, fetched: bool, text_kept: bool = False
) -> str:
    """No answer came to an action, and the prescription as it is now (``fetched``) does
    not show it as the user's step, or could not be fetched at all."""
    noun = _STEP_NOUNS.get(action, "step")
    text = (
        f"The pharmacy did not answer, so it is not known whether your {noun} for "
        f"{reference} was recorded."
    )
    if fetched:
        text += (
            f" {reference} as it is now (shown) does not have it. Look at it, then send again "
            "if it still applies: if the first one arrives meanwhile, the pharmacy refuses "
            "the second."
        )
    else:
        text += " Checking failed too: refresh and look at it before you try again."
    return text + (" Your text is kept." if text_kept else "")


def changed_while_confirming_message(reference: str, current: PrescriptionWire) -> str:
    """The in-place confirmation was withdrawn: the prescription gained a step meanwhile."""
    history = history_of(current)
    step = f": {history[-1].what} by {history[-1].who}, {history[-1].when}" if history else ""
    return (
        f"{reference} changed while you were deciding{step}. Nothing was sent; look at it "
        "again first."
    )


def prescriber_count_text(statuses: Sequence[str]) -> str:
    """ "5 sent · 1 awaiting review · 1 question for you" for the prescriber's list."""
    if not statuses:
        return "None sent yet"
    waiting = sum(1 for s in statuses if s == PrescriptionStatus.SUBMITTED)
    questions = sum(1 for s in statuses if s == PrescriptionStatus.NEEDS_CLARIFICATION)
    text = f"{len(statuses)} sent · {waiting} awaiting review"
    if questions:
        text += f" · {questions} question{'s' if questions != 1 else ''} for you"
    return text


def new_question_message(references: Sequence[tuple[str, str]]) -> str:
    """The banner when a refresh finds questions not seen before: (reference, patient)."""
    if not references:
        return ""
    if len(references) == 1:
        reference, patient = references[0]
        return (
            f"The pharmacist asked a question about {reference} ({patient}). "
            "Select it under “Sent to the pharmacy” to read and answer it."
        )
    listed = ", ".join(reference for reference, _patient in references)
    return (
        f"The pharmacist asked questions about {len(references)} prescriptions ({listed}). "
        "Select each under “Sent to the pharmacy” to read and answer it."
    )


# ----------------------------------------------------------------- outbox rows

#: How an outbox row's state reads in the list: (label, colours).
OUTBOX_STATE_TEXT = {
    "queued": ("Queued", ("#FFF4D6", "#8A5A00")),
    "sending": ("Sending…", ("#E3EEF9", "#1F4E79")),
    "unknown": ("Checking", ("#E3EEF9", "#1F4E79")),
    "submitted": ("Submitted", ("#DDF3E4", "#1E6B3A")),
    "rejected": ("Rejected", ("#FDE2E1", "#A3261D")),
    "mismatch": ("Needs attention", ("#FDE2E1", "#A3261D")),
    "needs_signature": ("Sign again", ("#FDE2E1", "#A3261D")),
}

_SIGN_AGAIN_FIELDS = ("signing_token",)


def needs_signature_again(state: str, field_errors: Sequence[tuple[str, str]]) -> bool:
    """The pharmacy refused the signature itself (expired or spent token): sign again."""
    if state == "needs_signature":
        return True
    return state == "rejected" and any(f in _SIGN_AGAIN_FIELDS for f, _r in field_errors)


def outbox_state_label(state: str, field_errors: Sequence[tuple[str, str]] = ()) -> str:
    if needs_signature_again(state, field_errors):
        state = "needs_signature"
    return OUTBOX_STATE_TEXT.get(state, (state.capitalize(), UNKNOWN_STATUS_COLOURS))[0]


def outbox_state_colours(
    state: str, field_errors: Sequence[tuple[str, str]] = ()
) -> tuple[str, str]:
    if needs_signature_again(state, field_errors):
        state = "needs_signature"
    return OUTBOX_STATE_TEXT.get(state, ("", UNKNOWN_STATUS_COLOURS))[1]


def outbox_detail(
    state: str,
    status_text: str,
    detail: str | None,
    field_errors: Sequence[tuple[str, str]] = (),
) -> str:
    """One sentence under the status: why it waits, the reference, or the refusal."""
    if needs_signature_again(state, field_errors):
        reason = next((r for f, r in field_errors if f in _SIGN_AGAIN_FIELDS), detail or "")
        return f"{reason} Reopen it, check it and sign again; nothing is lost.".strip()
    if state == "rejected" and detail:
        return f"{detail} Reopen it as a draft to correct it."
    if state == "mismatch" and detail:
        return detail
    return status_text


def prepared_by_line(preparer: str, updated_at: dt.datetime | None) -> str:
    """ "Prepared by Jordan Lee, RN · 10:42" for a draft clinic staff saved."""
    when = format_timestamp(updated_at).removeprefix("Today ")
    return f"Prepared by {preparer} · {when}"


def clinic_draft_status(prescriber_name: str) -> str:
    """What a clinic-staff member reads about a saved draft. Once the prescriber has
    signed and submitted it, it leaves the server's draft list altogether."""
    return f"Waiting for {prescriber_name} to review and sign"
