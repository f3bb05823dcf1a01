"""The prescription detail as HTML for a read-only text view (pure, so it is tested without Qt).

Everything from the server is escaped: a patient called ``<b>`` stays text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from portal_client.core.prescription_list import (
    format_timestamp,
    parse_timestamp,
    patient_name,
    person_name,
)

STATUS_TEXT = {
    "submitted": "Awaiting pharmacist review",
    "approved": "Approved",
    "rejected": "Rejected",
}

#: Badge colours (background, text), shared by the table delegate and the detail pane.
STATUS_COLOURS = {
    "submitted": ("#FFF4D6", "#8A5A00"),
    "approved": ("#DDF3E4", "#1E6B3A"),
    "rejected": ("#FDE2E1", "#A3261D"),
}
UNKNOWN_STATUS_COLOURS = ("#E8EAED", "#3C4043")

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


def format_value(value: float) -> str:
    """Clinician-friendly precision: 1,544 · 15.7 · 2.48."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


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
            rows.append(ComputedRow(key, label, f"{format_value(float(value))} {unit}", note))
        else:
            rows.append(ComputedRow(key, label, "—", note))
    return rows


def group_findings(findings: Iterable[Any]) -> dict[str, list[Any]]:
    """Findings (objects or wire dicts) by severity, block → warn → info, empty groups left out."""
    groups: dict[str, list[Any]] = {severity: [] for severity in SEVERITY_ORDER}
    for finding in findings:
        severity = finding.get("severity") if isinstance(finding, Mapping) else finding.severity
        groups.setdefault(str(severity), []).append(finding)
    return {severity: items for severity, items in groups.items() if items}


def block_reason(blocks: Sequence[Any]) -> str:
    """Why the Sign button is disabled, in one sentence."""
    if not blocks:
        return ""
    first = blocks[0]
    message = first.get("message") if isinstance(first, Mapping) else first.message
    more = f" (and {len(blocks) - 1} more)" if len(blocks) > 1 else ""
    return f"Cannot be signed: {message}{more}"


def status_label(status: str) -> str:
    return STATUS_TEXT.get(status, status.capitalize())


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return escape(str(value)) if value not in (None, "") else "—"


def _row(label: str, value: str) -> str:
    return f"<tr><td class='k'>{escape(label)}</td><td class='v'>{value}</td></tr>"


def prescription_html(item: Mapping[str, Any], ingredient_names: Mapping[str, str]) -> str:
    """Render one prescription; ``ingredient_names`` maps codes to names from the templates."""
    status = str(item.get("status") or "submitted")
    background, foreground = STATUS_COLOURS.get(status, UNKNOWN_STATUS_COLOURS)
    patient = item.get("patient") if isinstance(item.get("patient"), Mapping) else {}
    assert isinstance(patient, Mapping)
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
        f"<h2>{escape(str(item.get('reference') or ''))} · "
        f"{escape(str(item.get('template_name') or item.get('template_id') or ''))}</h2>",
        f"<p class='sub'><span style='background:{background};color:{foreground};'>"
        f"&nbsp;{escape(status_label(status))}&nbsp;</span>&nbsp; submitted "
        f"{escape(format_timestamp(parse_timestamp(item.get('created_at'))))}"
        f" by {escape(person_name(item.get('prescriber')))}</p>",
    ]
    review = item.get("review")
    if isinstance(review, Mapping):
        verb = "Approved" if review.get("action") == "approve" else "Rejected"
        when = format_timestamp(parse_timestamp(review.get("reviewed_at")))
        reason = str(review.get("reason") or "").strip()
        parts.append(
            f"<p style='background:{background};color:{foreground};padding:6px'>"
            f"<b>{verb}</b> by {escape(person_name(review.get('reviewer')))}, {escape(when)}"
            + (f"<br>Reason: {escape(reason)}" if reason else "")
            + "</p>"
        )
    allergies = patient.get("allergies") or []
    allergy_text = (
        escape(", ".join(str(a) for a in allergies)) if allergies else "<i>None recorded</i>"
    )
    parts.append("<p class='h'>PATIENT</p><table>")
    parts.append(_row("Name", escape(patient_name(patient))))
    parts.append(_row("Date of birth", escape(str(patient.get("birth_date") or "—"))))
    parts.append(_row("Sex", escape(SEX_TEXT.get(str(patient.get("sex")), "—"))))
    weight = patient.get("weight_kg")
    height = patient.get("height_cm")
    parts.append(_row("Weight", f"{_number(weight)} kg" if weight is not None else "—"))
    parts.append(_row("Height", f"{_number(height)} cm" if height is not None else "—"))
    parts.append(_row("Allergies", allergy_text))
    parts.append("</table>")

    parts.append(
        "<p class='h'>INGREDIENTS</p><table class='ing'><tr><th>Ingredient</th>"
        "<th align='right'>Amount</th><th>Unit</th></tr>"
    )
    for line in item.get("ingredients") or []:
        if not isinstance(line, Mapping):
            continue
        code = str(line.get("code", ""))
        name = ingredient_names.get(code, code)
        parts.append(
            f"<tr><td>{escape(name)}</td><td align='right'><b>{_number(line.get('amount'))}</b>"
            f"</td><td>{escape(str(line.get('unit') or ''))}</td></tr>"
        )
    parts.append("</table>")

    vehicle = item.get("vehicle")
    parts.append("<p class='h'>ADMINISTRATION</p><table>")
    parts.append(_row("Access", escape(ACCESS_TEXT.get(str(item.get("access")), "—"))))
    if isinstance(vehicle, Mapping):
        name = ingredient_names.get(f"vehicle:{vehicle.get('code')}", str(vehicle.get("code")))
        parts.append(_row("Vehicle", f"{escape(name)}, {_number(vehicle.get('volume_ml'))} mL"))
    minutes = item.get("infusion_minutes")
    parts.append(_row("Infusion time", f"{_number(minutes)} min" if minutes else "—"))
    parts.append("</table>")

    parts.extend(_checks_and_signature(item, patient))

    notes = str(item.get("notes") or "").strip()
    parts.append("<p class='h'>NOTES</p>")
    parts.append(
        f"<p>{escape(notes).replace(chr(10), '<br>')}</p>" if notes else "<p><i>None</i></p>"
    )
    return "".join(parts)


def _checks_and_signature(item: Mapping[str, Any], patient: Mapping[str, Any]) -> list[str]:
    """Labs, the stored evaluation, the acknowledgements and the signature."""
    parts: list[str] = []
    labs = patient.get("labs") or []
    parts.append("<p class='h'>LAB RESULTS</p>")
    parts.append(labs_html(labs))

    evaluation = item.get("evaluation")
    if isinstance(evaluation, Mapping):
        template_is_nutrition = "gir_mg_kg_min" in (evaluation.get("computed") or {})
        parts.append("<p class='h'>CLINICAL CHECKS</p>")
        parts.append(
            computed_html(evaluation.get("computed") or {}, nutrition=template_is_nutrition)
        )
        parts.append(findings_html(evaluation.get("findings") or []))
    parts.append("<p class='h'>ACKNOWLEDGED WARNINGS</p>")
    parts.append(acknowledgements_html(item.get("acknowledgements") or []))

    signature = item.get("signature")
    if isinstance(signature, Mapping):
        how = {"password": "password", "totp": "authenticator code"}.get(
            str(signature.get("method")), str(signature.get("method") or "")
        )
        parts.append("<p class='h'>SIGNATURE</p><table>")
        parts.append(_row("Signed by", escape(person_name(signature.get("signed_by")))))
        parts.append(
            _row("Signed", escape(format_timestamp(parse_timestamp(signature.get("signed_at")))))
        )
        if how:
            parts.append(_row("Confirmed with", escape(how)))
        parts.append("</table>")

    return parts


def labs_html(labs: Sequence[Any]) -> str:
    rows = [lab for lab in labs if isinstance(lab, Mapping)]
    if not rows:
        return "<p><i>None on the order</i></p>"
    out = [
        "<table class='ing'><tr><th>Lab</th><th>Date</th><th align='right'>Value</th>"
        "<th>Unit</th><th>Interpretation</th></tr>"
    ]
    for lab in rows:
        out.append(
            f"<tr><td>{escape(str(lab.get('code') or ''))}</td>"
            f"<td>{escape(str(lab.get('date') or ''))}</td>"
            f"<td align='right'>{_number(lab.get('value'))}</td>"
            f"<td>{escape(str(lab.get('unit') or ''))}</td>"
            f"<td>{escape(str(lab.get('interpretation') or '—'))}</td></tr>"
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


def findings_html(findings: Sequence[Any]) -> str:
    """Findings grouped by severity, each with its message and source."""
    groups = group_findings(f for f in findings if isinstance(f, Mapping))
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
            confirm = _confirm_tag() if finding.get("to_confirm") else ""
            source = str(finding.get("source") or "")
            out.append(
                f"<li>{escape(str(finding.get('message') or ''))}{confirm}"
                + (
                    f"<br><span style='color:#7B8794;font-size:8pt'>Source: {escape(source)}</span>"
                    if source
                    else ""
                )
                + "</li>"
            )
        out.append("</ul>")
    return "".join(out)


def acknowledgements_html(acknowledgements: Sequence[Any]) -> str:
    rows = [a for a in acknowledgements if isinstance(a, Mapping)]
    if not rows:
        return "<p><i>None</i></p>"
    out = ["<table class='ing'><tr><th>Warning</th><th>Prescriber's reason</th></tr>"]
    for ack in rows:
        out.append(
            f"<tr><td>{escape(str(ack.get('code') or ''))}</td>"
            f"<td>{escape(str(ack.get('reason') or ''))}</td></tr>"
        )
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
