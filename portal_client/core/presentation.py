"""The prescription detail as HTML for a read-only text view (pure, so it is tested without Qt).

Everything from the server is escaped: a patient called ``<b>`` stays text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from pharmacy_domain.numbers import format_amount, format_rounded
from pharmacy_domain.status import (
    STATUS_LABELS,
)
from pharmacy_domain.status import status_label as _domain_status_label
from portal_client.core.dispensing_view import beyond_use_html, dispensing_html
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.lifecycle_text import history_html, history_of, latest_event_html
from portal_client.core.prescription_list import (
    format_timestamp,
    parse_timestamp,
    patient_name,
    person_name,
)
from portal_client.core.signature_check import (
    check_signature,
    failure_banner_html,
    verdict_html,
)
from portal_client.core.status_colours import STATUS_COLOURS, UNKNOWN_STATUS_COLOURS
from portal_client.core.wire import (
    AcknowledgementWire,
    EvaluationWire,
    FindingWire,
    LabView,
    PatientView,
    PrescriptionWire,
)

#: The status in full (detail pane, tooltips): the domain's own words.
STATUS_TEXT = {str(status): label for status, label in STATUS_LABELS.items()}

#: The status in a table's badge: short enough for a pill, same words as the domain's.
LIST_STATUS_TEXT = {
    "submitted": QT_TRANSLATE_NOOP("Presentation", "Submitted"),
    "needs_clarification": QT_TRANSLATE_NOOP("Presentation", "Question asked"),
    "approved": QT_TRANSLATE_NOOP("Presentation", "Approved"),
    "compounding": QT_TRANSLATE_NOOP("Presentation", "Being compounded"),
    "ready": QT_TRANSLATE_NOOP("Presentation", "Ready to ship"),
    "shipped": QT_TRANSLATE_NOOP("Presentation", "Shipped"),
    "rejected": QT_TRANSLATE_NOOP("Presentation", "Rejected"),
    "cancelled": QT_TRANSLATE_NOOP("Presentation", "Cancelled"),
}
#: Where the same status reads differently for the one looking at it.
_LIST_STATUS_FOR_ROLE = {
    ("prescriber", "needs_clarification"): QT_TRANSLATE_NOOP("Presentation", "Question for you"),
    ("pharmacist", "needs_clarification"): QT_TRANSLATE_NOOP(
        "Presentation", "Waiting for prescriber"
    ),
}

#: The pharmacist's "Show" filter: (status or "all", words), in the order work flows.
REVIEW_FILTERS = (
    ("submitted", QT_TRANSLATE_NOOP("Presentation", "To review")),
    ("needs_clarification", QT_TRANSLATE_NOOP("Presentation", "Waiting for the prescriber")),
    ("approved", QT_TRANSLATE_NOOP("Presentation", "Approved")),
    ("compounding", QT_TRANSLATE_NOOP("Presentation", "Being compounded")),
    ("ready", QT_TRANSLATE_NOOP("Presentation", "Ready to ship")),
    ("shipped", QT_TRANSLATE_NOOP("Presentation", "Shipped")),
    ("rejected", QT_TRANSLATE_NOOP("Presentation", "Rejected")),
    ("cancelled", QT_TRANSLATE_NOOP("Presentation", "Cancelled")),
    ("all", QT_TRANSLATE_NOOP("Presentation", "All")),
)

ACCESS_TEXT = {
    "peripheral": QT_TRANSLATE_NOOP("Presentation", "Peripheral IV"),
    "central": QT_TRANSLATE_NOOP("Presentation", "Central line"),
    "push": QT_TRANSLATE_NOOP("Presentation", "IV push"),
}
SEX_TEXT = {
    "female": QT_TRANSLATE_NOOP("Presentation", "Female"),
    "male": QT_TRANSLATE_NOOP("Presentation", "Male"),
    "other": QT_TRANSLATE_NOOP("Presentation", "Other"),
    "unknown": QT_TRANSLATE_NOOP("Presentation", "Not stated"),
}


SEVERITY_ORDER = ("block", "warn", "info")
SEVERITY_TITLE = {
    "block": QT_TRANSLATE_NOOP("Presentation", "Blocks signing"),
    "warn": QT_TRANSLATE_NOOP("Presentation", "Warnings: give a reason to go ahead"),
    "info": QT_TRANSLATE_NOOP("Presentation", "For information"),
}
SEVERITY_COLOURS = {
    "block": ("#FDE2E1", "#A3261D"),
    "warn": ("#FFF4D6", "#8A5A00"),
    "info": ("#E3EEF9", "#1F4E79"),
}
CONFIRM_TEXT = QT_TRANSLATE_NOOP("Presentation", "PHARMACY TO CONFIRM")

#: The signing attestation: the words the prescriber agrees to by completing the step-up.
ATTESTATION_TEXT = QT_TRANSLATE_NOOP(
    "Presentation",
    "By completing this step I am legally signing this prescription. I "
    "confirm that I am the prescriber named above, that I have reviewed "
    "the patient, every ingredient and amount, the administration and the "
    "clinical checks shown, and that this order is medically necessary for "
    "this patient.",
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
    ("total_volume_ml", QT_TRANSLATE_NOOP("Presentation", "Total volume"), "mL", False, ""),
    (
        "osmolarity_mosm_l",
        QT_TRANSLATE_NOOP("Presentation", "Osmolarity"),
        "mOsm/L",
        False,
        QT_TRANSLATE_NOOP("Presentation", "estimate"),
    ),
    ("infusion_rate_ml_h", QT_TRANSLATE_NOOP("Presentation", "Infusion rate"), "mL/h", False, ""),
    (
        "sodium_meq",
        QT_TRANSLATE_NOOP("Presentation", "Sodium load"),
        "mEq",
        False,
        QT_TRANSLATE_NOOP("Presentation", "all sources; 1 mEq = 23 mg"),
    ),
    (
        "gir_mg_kg_min",
        QT_TRANSLATE_NOOP("Presentation", "Glucose infusion rate"),
        "mg/kg/min",
        True,
        "",
    ),
    ("kcal_total", QT_TRANSLATE_NOOP("Presentation", "Energy"), "kcal", True, ""),
    ("kcal_per_kg", QT_TRANSLATE_NOOP("Presentation", "Energy per kg"), "kcal/kg", True, ""),
    ("protein_g_per_kg", QT_TRANSLATE_NOOP("Presentation", "Protein per kg"), "g/kg", True, ""),
    ("lipid_g_per_kg", QT_TRANSLATE_NOOP("Presentation", "Lipid per kg"), "g/kg", True, ""),
    (
        "dextrose_pct",
        QT_TRANSLATE_NOOP("Presentation", "Dextrose"),
        "%",
        True,
        QT_TRANSLATE_NOOP("Presentation", "final concentration"),
    ),
    (
        "amino_acids_pct",
        QT_TRANSLATE_NOOP("Presentation", "Amino acids"),
        "%",
        True,
        QT_TRANSLATE_NOOP("Presentation", "final concentration"),
    ),
    (
        "lipid_pct",
        QT_TRANSLATE_NOOP("Presentation", "Lipid"),
        "%",
        True,
        QT_TRANSLATE_NOOP("Presentation", "final concentration"),
    ),
)
# Shown only for orders they apply to (the engine leaves them out otherwise).
_COMPUTED_WHEN_PRESENT: tuple[tuple[str, str, str, str], ...] = (
    (
        "gir_plateau_mg_kg_min",
        QT_TRANSLATE_NOOP("Presentation", "Glucose infusion rate at the plateau"),
        "mg/kg/min",
        QT_TRANSLATE_NOOP("Presentation", "cycled"),
    ),
    (
        "plateau_rate_ml_h",
        QT_TRANSLATE_NOOP("Presentation", "Rate at the plateau"),
        "mL/h",
        QT_TRANSLATE_NOOP("Presentation", "cycled"),
    ),
    (
        "lipid_rate_g_kg_h",
        QT_TRANSLATE_NOOP("Presentation", "Lipid infusion rate"),
        "g/kg/h",
        QT_TRANSLATE_NOOP("Presentation", "separate lipid"),
    ),
    (
        "potassium_meq_l",
        QT_TRANSLATE_NOOP("Presentation", "Potassium"),
        "mEq/L",
        QT_TRANSLATE_NOOP("Presentation", "final concentration"),
    ),
    (
        "calcium_meq_l",
        QT_TRANSLATE_NOOP("Presentation", "Calcium"),
        "mEq/L",
        QT_TRANSLATE_NOOP("Presentation", "final concentration"),
    ),
    (
        "phosphate_mmol_l",
        QT_TRANSLATE_NOOP("Presentation", "Phosphate"),
        "mmol/L",
        QT_TRANSLATE_NOOP("Presentation", "final concentration"),
    ),
)


def computed_rows(computed: Mapping[str, Any], *, nutrition: bool) -> list[ComputedRow]:
    """The figures worth showing, in a fixed order; ``—`` where the engine could not compute."""
    rows = []
    for key, source_label, unit, nutrition_only, source_note in _COMPUTED:
        if nutrition_only and not nutrition:
            continue
        label, note = _tr(source_label), _tr(source_note)
        if key == "lipid_pct" and computed.get(key) is None and computed.get("lipid_g_day"):
            rows.append(
                ComputedRow(
                    key, label, "separate", translate("Presentation", "lipid runs in its own bag")
                )
            )
            continue
        value = computed.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            rows.append(ComputedRow(key, label, f"{format_rounded(float(value))} {unit}", note))
        else:
            rows.append(ComputedRow(key, label, "—", note))
    for key, source_label, unit, source_note in _COMPUTED_WHEN_PRESENT:
        label, note = _tr(source_label), _tr(source_note)
        if key in computed:
            value = computed[key]
            text = "—" if value is None else f"{format_rounded(float(value))} {unit}"
            rows.append(ComputedRow(key, label, text, note))
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
    more = (
        translate("Presentation", " (and {value} more)").format(value=len(blocks) - 1)
        if len(blocks) > 1
        else ""
    )
    return translate("Presentation", "Cannot be signed: {message}{more}").format(
        message=message, more=more
    )


def status_label(status: str) -> str:
    """The status in full words ("Pharmacist asked a question")."""
    return translate("Status", _domain_status_label(status))


#: The pharmacist's badge for an order the prescriber answered, waiting to be moved on.
ANSWERED_TEXT = QT_TRANSLATE_NOOP("Presentation", "Answered")


def queue_status_label(status: str, answered: bool, role: str | None = None) -> str:
    """The badge in a list: "Answered" for a pharmacist's order answered and waiting."""
    if answered and role == "pharmacist" and status == "submitted":
        return _tr(ANSWERED_TEXT)
    return status_short_label(status, role)


def status_short_label(status: str, role: str | None = None) -> str:
    """The status on a table badge, worded for ``role`` when that reads better."""
    label = _LIST_STATUS_FOR_ROLE.get(
        (role or "", status), LIST_STATUS_TEXT.get(status, status.replace("_", " ").capitalize())
    )
    return _tr(label)


def _tr(text: str) -> str:
    """A string marked here with ``QT_TRANSLATE_NOOP("Presentation", …)``, translated."""
    return translate("Presentation", text) if text else text


def access_text(route: str) -> str:
    """The access route in words ("Peripheral IV"); "—" when unknown."""
    return _tr(ACCESS_TEXT.get(route, "—"))


def sex_text(value: str) -> str:
    return _tr(SEX_TEXT.get(value, "—"))


def severity_title(severity: str) -> str:
    return _tr(SEVERITY_TITLE.get(severity, severity))


def confirm_text() -> str:
    """The tag on a figure or finding the pharmacy must still confirm."""
    return _tr(CONFIRM_TEXT)


def attestation_text() -> str:
    """The words the prescriber agrees to by signing."""
    return _tr(ATTESTATION_TEXT)


def review_filters() -> list[tuple[str, str]]:
    """The pharmacist's "Show" filter, in words of the interface language."""
    return [(status, _tr(words)) for status, words in REVIEW_FILTERS]


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_amount(value)
    return escape(str(value)) if value not in (None, "") else "—"


def _row(label: str, value: str) -> str:
    return f"<tr><td class='k'>{escape(label)}</td><td class='v'>{value}</td></tr>"


def _patient_table(patient: PatientView) -> list[str]:
    parts: list[str] = []
    allergies = patient.allergies
    allergy_text = (
        escape(", ".join(str(a) for a in allergies))
        if allergies
        else translate("Presentation", "<i>None recorded</i>")
    )
    parts.append(translate("Presentation", "<p class='h'>PATIENT</p><table>"))
    parts.append(_row(translate("Presentation", "Name"), escape(patient_name(patient))))
    parts.append(
        _row(translate("Presentation", "Date of birth"), escape(patient.birth_date or "—"))
    )
    parts.append(_row(translate("Presentation", "Sex"), escape(sex_text(patient.sex))))
    weight = patient.weight_kg
    height = patient.height_cm
    parts.append(
        _row(
            translate("Presentation", "Weight"),
            translate("Presentation", "{number} kg").format(number=_number(weight))
            if weight is not None
            else "—",
        )
    )
    parts.append(
        _row(
            translate("Presentation", "Height"),
            translate("Presentation", "{number} cm").format(number=_number(height))
            if height is not None
            else "—",
        )
    )
    parts.append(_row(translate("Presentation", "Allergies"), allergy_text))
    if patient.phone:
        parts.append(_row(translate("Presentation", "Phone"), escape(patient.phone)))
    parts.append("</table>")
    return parts


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
        f"&nbsp;{escape(status_label(status))}&nbsp;</span>&nbsp; "
        + translate("Presentation", "submitted {when} by {who}").format(
            when=escape(format_timestamp(parse_timestamp(item.created_at))),
            who=escape(person_name(item.prescriber)),
        )
        + "</p>",
        failure_banner_html(check_signature(item)),
    ]
    history = history_of(item)
    review = item.review
    if history:
        parts.append(latest_event_html(status, history, viewer_role))
    elif review is not None:  # a server from before the lifecycle: no history
        verb = (
            translate("Presentation", "Approved")
            if review.action == "approve"
            else translate("Presentation", "Rejected")
        )
        when = format_timestamp(parse_timestamp(review.reviewed_at))
        reason = (review.reason or "").strip()
        parts.append(
            f"<p style='background:{background};color:{foreground};padding:6px'>"
            + translate("Presentation", "<b>{verb}</b> by {who}, {when}").format(
                verb=verb, who=escape(person_name(review.reviewer)), when=escape(when)
            )
            + (
                translate("Presentation", "<br>Reason: {reason}").format(reason=escape(reason))
                if reason
                else ""
            )
            + "</p>"
        )
    parts.append(beyond_use_html(item.beyond_use))
    parts.extend(_patient_table(patient))

    parts.append(
        translate(
            "Presentation",
            "<p class='h'>INGREDIENTS</p><table "
            "class='ing'><tr><th>Ingredient</th><th "
            "align='right'>Amount</th><th>Unit</th></tr>",
        )
    )
    for line in item.ingredient_views():
        name = ingredient_names.get(line.code, line.code)
        parts.append(
            f"<tr><td>{escape(name)}</td><td align='right'><b>{_number(line.amount)}</b>"
            f"</td><td>{escape(line.unit)}</td></tr>"
        )
    parts.append("</table>")

    vehicle = item.vehicle_view()
    parts.append(translate("Presentation", "<p class='h'>ADMINISTRATION</p><table>"))
    parts.append(_row(translate("Presentation", "Access"), escape(access_text(item.access))))
    if vehicle is not None:
        name = ingredient_names.get(f"vehicle:{vehicle.code}", vehicle.code)
        parts.append(
            _row(
                translate("Presentation", "Vehicle"),
                translate("Presentation", "{name}, {number} mL").format(
                    name=escape(name), number=_number(vehicle.volume_ml)
                ),
            )
        )
    minutes = item.infusion_minutes
    parts.append(
        _row(
            translate("Presentation", "Infusion time"),
            translate("Presentation", "{number} min").format(number=_number(minutes))
            if minutes
            else "—",
        )
    )
    if item.lipid_infusion_hours is not None:
        parts.append(
            _row(
                translate("Presentation", "Lipid infusion time"),
                f"{_number(item.lipid_infusion_hours)} h",
            )
        )
    parts.append("</table>")
    parts.append(dispensing_html(item.dispensing, item.patient))

    parts.extend(_checks_and_signature(item, patient))

    notes = item.notes.strip()
    parts.append(translate("Presentation", "<p class='h'>NOTES</p>"))
    parts.append(
        f"<p>{escape(notes).replace(chr(10), '<br>')}</p>" if notes else "<p><i>None</i></p>"
    )
    if history:
        parts.append(translate("Presentation", "<p class='h'>HISTORY</p>"))
        parts.append(history_html(history))
    return "".join(parts)


def _checks_and_signature(item: PrescriptionWire, patient: PatientView) -> list[str]:
    """Labs, the stored evaluation, the acknowledgements and the signature."""
    parts: list[str] = []
    parts.append(translate("Presentation", "<p class='h'>LAB RESULTS</p>"))
    parts.append(labs_html(patient.labs))

    evaluation = item.evaluation
    if evaluation is not None:
        template_is_nutrition = "gir_mg_kg_min" in evaluation.computed
        parts.append(translate("Presentation", "<p class='h'>CLINICAL CHECKS</p>"))
        parts.append(evaluation_versions_html(evaluation))
        parts.append(computed_html(evaluation.computed, nutrition=template_is_nutrition))
        parts.append(findings_html(evaluation.findings))
    parts.append(translate("Presentation", "<p class='h'>ACKNOWLEDGED WARNINGS</p>"))
    parts.append(
        acknowledgements_html(
            item.acknowledgements, evaluation.findings if evaluation is not None else ()
        )
    )

    signature = item.signature
    check = check_signature(item)
    if signature is not None:
        how = {"password": "password", "totp": "authenticator code"}.get(
            str(signature.method), signature.method or ""
        )
        parts.append(translate("Presentation", "<p class='h'>SIGNATURE</p><table>"))
        parts.append(
            _row(translate("Presentation", "Signed by"), escape(person_name(signature.signed_by)))
        )
        parts.append(
            _row(
                translate("Presentation", "Signed"),
                escape(format_timestamp(parse_timestamp(signature.signed_at))),
            )
        )
        if how:
            parts.append(_row(translate("Presentation", "Confirmed with"), escape(how)))
        parts.append(_row(translate("Presentation", "Checked here"), verdict_html(check)))
        parts.append("</table>")
    else:
        parts.append(translate("Presentation", "<p class='h'>SIGNATURE</p>"))
        parts.append(f"<p>{verdict_html(check)}</p>")

    return parts


def labs_html(labs: Sequence[LabView]) -> str:
    rows = labs
    if not rows:
        return translate("Presentation", "<p><i>None on the order</i></p>")
    out = [
        translate(
            "Presentation",
            "<table class='ing'><tr><th>Lab</th><th>Date</th><th "
            "align='right'>Value</th><th>Unit</th><th>Interpretation</th></tr>",
        )
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
        f"&nbsp;{_tr(CONFIRM_TEXT)}&nbsp;</span>"
    )


def findings_html(findings: Sequence[FindingWire]) -> str:
    """Findings grouped by severity, each with its message and source."""
    groups = group_findings(findings)
    if not groups:
        return translate(
            "Presentation", "<p style='color:#1E6B3A'>No findings: every check passed.</p>"
        )
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
                    translate(
                        "Presentation",
                        "<br><span style='color:#7B8794;font-size:8pt'>Source: {source}</span>",
                    ).format(source=escape(source))
                    if source
                    else ""
                )
                + "</li>"
            )
        out.append("</ul>")
    return "".join(out)


def acknowledgements_html(
    acknowledgements: Sequence[AcknowledgementWire], findings: Sequence[FindingWire] = ()
) -> str:
    """Each warning the prescriber went past (its words from the stored evaluation when
    it holds that warning, else its code) and the reason they gave."""
    rows = acknowledgements
    if not rows:
        return "<p><i>None</i></p>"
    warnings = {(f.code, f.field): f.message for f in findings if f.severity == "warn"}
    by_code = {f.code: f.message for f in findings if f.severity == "warn"}
    out = [
        translate(
            "Presentation",
            "<table class='ing'><tr><th>Warning</th><th>Prescriber's reason</th></tr>",
        )
    ]
    for ack in rows:
        message = warnings.get((ack.code, ack.field or "")) or by_code.get(ack.code)
        code = f"<span style='color:#7B8794;font-size:8pt'>{escape(ack.code)}</span>"
        warning = f"{escape(message)}<br>{code}" if message else escape(ack.code)
        out.append(f"<tr><td>{warning}</td><td>{escape(ack.reason)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def evaluation_versions_html(evaluation: EvaluationWire | None) -> str:
    """The template, formulary and rules versions the server's evaluation used (absent from
    evaluations stored before versions were kept: nothing is shown)."""
    versions = None if evaluation is None else evaluation.versions
    if versions is None:
        return ""
    text = translate(
        "Presentation",
        "Evaluated by the server with template version {t}, formulary {f}, rules {r}",
    ).format(t=versions.template, f=versions.formulary, r=versions.rules)
    return f"<p style='color:#52606D'>{escape(text)}</p>"


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
        translate("Presentation", "<p class='h'>PATIENT</p><table>"),
        _row(translate("Presentation", "Name"), f"<b>{escape(patient_name(patient))}</b>"),
        _row(
            translate("Presentation", "Date of birth"),
            escape(str(patient.get("birth_date") or "—")),
        ),
        _row(translate("Presentation", "Sex"), escape(sex_text(str(patient.get("sex"))))),
    ]
    weight, height = patient.get("weight_kg"), patient.get("height_cm")
    parts.append(
        _row(
            translate("Presentation", "Weight"),
            translate("Presentation", "{number} kg").format(number=_number(weight))
            if weight is not None
            else "—",
        )
    )
    if height is not None:
        parts.append(
            _row(
                translate("Presentation", "Height"),
                translate("Presentation", "{number} cm").format(number=_number(height)),
            )
        )
    allergies = patient.get("allergies") or []
    parts.append(
        _row(
            translate("Presentation", "Allergies"),
            escape(", ".join(map(str, allergies)))
            if allergies
            else translate("Presentation", "None recorded"),
        )
    )
    parts.append(
        translate("Presentation", "</table><p class='h'>INGREDIENTS</p><table class='ing'>")
    )
    parts.append(
        translate(
            "Presentation", "<tr><th>Ingredient</th><th align='right'>Amount</th><th>Unit</th></tr>"
        )
    )
    for line in body.get("ingredients") or []:
        if isinstance(line, Mapping):
            code = str(line.get("code", ""))
            parts.append(
                f"<tr><td>{escape(ingredient_names.get(code, code))}</td>"
                f"<td align='right'><b>{_number(line.get('amount'))}</b></td>"
                f"<td>{escape(str(line.get('unit') or ''))}</td></tr>"
            )
    parts.append(translate("Presentation", "</table><p class='h'>ADMINISTRATION</p><table>"))
    parts.append(
        _row(
            translate("Presentation", "Access"),
            escape(access_text(str(body.get("access")))),
        )
    )
    vehicle = body.get("vehicle")
    if isinstance(vehicle, Mapping):
        name = ingredient_names.get(f"vehicle:{vehicle.get('code')}", str(vehicle.get("code")))
        parts.append(
            _row(
                translate("Presentation", "Vehicle"),
                translate("Presentation", "{name}, {number} mL").format(
                    name=escape(name), number=_number(vehicle.get("volume_ml"))
                ),
            )
        )
    minutes = body.get("infusion_minutes")
    parts.append(
        _row(
            translate("Presentation", "Infusion time"),
            translate("Presentation", "{number} min").format(number=_number(minutes))
            if minutes
            else "—",
        )
    )
    lipid_hours = body.get("lipid_infusion_hours")
    if lipid_hours is not None:
        parts.append(
            _row(translate("Presentation", "Lipid infusion time"), f"{_number(lipid_hours)} h")
        )
    parts.append("</table>")
    dispensing = body.get("dispensing")
    if isinstance(dispensing, Mapping):
        parts.append(dispensing_html(dispensing, patient))
    parts.append(translate("Presentation", "<p class='h'>COMPUTED VALUES</p>"))
    parts.append(computed_html(computed, nutrition=nutrition))
    acks = {
        (str(a.get("code")), str(a.get("field") or "")): str(a.get("reason") or "")
        for a in body.get("acknowledgements") or []
        if isinstance(a, Mapping)
    }
    parts.append(translate("Presentation", "<p class='h'>ACKNOWLEDGED WARNINGS</p>"))
    if warnings:
        parts.append("<ul style='margin:0 0 0 -20px'>")
        for finding in warnings:
            wire = finding if isinstance(finding, Mapping) else finding.to_wire()
            found, place, message = wire.get("code"), wire.get("field"), wire.get("message")
            reason = acks.get((str(found), str(place)), acks.get((str(found), ""), ""))
            parts.append(
                translate(
                    "Presentation",
                    "<li>{message}<br><span style='color:#52606D'>Your reason: "
                    "</span><i>{reason}</i></li>",
                ).format(message=escape(str(message)), reason=escape(reason))
            )
        parts.append("</ul>")
    else:
        parts.append("<p><i>None</i></p>")
    notes = str(body.get("notes") or "").strip()
    if notes:
        parts.append(translate("Presentation", "<p class='h'>NOTES</p>"))
        parts.append(f"<p>{escape(notes).replace(chr(10), '<br>')}</p>")
    return "".join(parts)
