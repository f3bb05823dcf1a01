"""The prescription detail as HTML for a read-only text view (pure, so it is tested without Qt).

Everything from the server is escaped: a patient called ``<b>`` stays text.
"""

from __future__ import annotations

from collections.abc import Mapping
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

    notes = str(item.get("notes") or "").strip()
    parts.append("<p class='h'>NOTES</p>")
    parts.append(
        f"<p>{escape(notes).replace(chr(10), '<br>')}</p>" if notes else "<p><i>None</i></p>"
    )
    return "".join(parts)
