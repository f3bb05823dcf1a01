"""The printable copy of a prescription (PDF or paper), as HTML (pure, tested without Qt).

A copy is for the patient's file or a colleague, never for compounding: every page carries
:data:`COPY_MARK` (``gui/pdf_copy.py`` draws it in the header, the footer and across the
page). Everything from the server is escaped, as in the detail pane.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from portal_client.core.prescription_list import parse_timestamp, patient_name, person_name
from portal_client.core.presentation import (
    ACCESS_TEXT,
    SEX_TEXT,
    acknowledgements_html,
    computed_html,
    findings_html,
    labs_html,
    status_label,
)
from portal_client.core.wire import PrescriptionWire

#: On every page of every copy.
COPY_MARK = "Copy — not valid for dispensing"
#: Printed when the server does not report the pharmacy's name.
UNNAMED_PHARMACY = "Compounding pharmacy"

_STYLE = (
    "<style>"
    "body{font-family:'DejaVu Sans',sans-serif;font-size:9pt;color:#1F2933}"
    "h1{font-size:14pt;margin:0;color:#102A43}"
    "h2{font-size:11pt;margin:4px 0 0 0;color:#102A43}"
    "p.h{font-size:8pt;font-weight:bold;color:#52606D;margin:12px 0 3px 0}"
    "td.k{color:#52606D;padding:1px 16px 1px 0}"
    "td.v{padding:1px 0}"
    "table.ing th{color:#52606D;text-align:left;font-weight:normal;padding:2px 14px 2px 0;"
    "border-bottom:1px solid #D9E2EC}"
    "table.ing td{padding:2px 14px 2px 0}"
    "</style>"
)


def _row(label: str, value: str) -> str:
    return f"<tr><td class='k'>{escape(label)}</td><td class='v'>{value}</td></tr>"


def _amount(value: object) -> str:
    from pharmacy_domain.numbers import format_amount

    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_amount(value)
    return "—"


def _when(value: str) -> str:
    """A date a copy can be read by later: ``2026-11-02 10:00 UTC+01:00``, never "Today"."""
    stamp = parse_timestamp(value)
    if stamp is None:
        return "—"
    local = stamp.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()


def _hash(value: str | None) -> str:
    """A digest on one line: small monospace, so its 64 digits never wrap."""
    if not value:
        return "—"
    return (
        f"<span style='font-family:DejaVu Sans Mono,monospace;font-size:7pt'>{escape(value)}</span>"
    )


def _licence(item: PrescriptionWire) -> str:
    prescriber = item.prescriber
    number = prescriber.licence_number or ""
    state = prescriber.licence_state or ""
    return escape(f"{state} {number}".strip() or "—")


def copy_file_name(item: PrescriptionWire) -> str:
    """A file name from the reference only (never the patient's name): ``RX-0042-copy.pdf``."""
    reference = item.reference or item.id or "prescription"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in reference)
    return f"{safe}-copy.pdf"


def copy_html(
    item: PrescriptionWire, ingredient_names: Mapping[str, str], *, pharmacy_name: str
) -> str:
    """The whole prescription for a copy: pharmacy, prescriber, patient, every ingredient,
    administration, the checks and acknowledgements, and the signature details."""
    patient = item.patient_view()
    pharmacy = pharmacy_name.strip() or UNNAMED_PHARMACY
    parts = [
        _STYLE,
        f"<h1>{escape(pharmacy)}</h1>",
        f"<h2>Prescription {escape(item.reference)} · "
        f"{escape(item.template_name or item.template_id)}"
        f" (version {item.template_version})</h2>",
        f"<p>Status: {escape(status_label(item.status.value))} · submitted "
        f"{escape(_when(item.created_at))}</p>",
        "<p class='h'>PRESCRIBER</p><table>",
        _row("Name", escape(person_name(item.prescriber))),
        _row("Clinic", escape(item.prescriber.clinic or "—")),
        _row("NPI", escape(item.prescriber.npi or "—")),
        _row("Licence", _licence(item)),
        "</table>",
        "<p class='h'>PATIENT</p><table>",
        _row("Name", f"<b>{escape(patient_name(patient))}</b>"),
        _row("Date of birth", escape(patient.birth_date or "—")),
        _row("Sex", escape(SEX_TEXT.get(patient.sex, "—"))),
        _row("Weight", f"{_amount(patient.weight_kg)} kg" if patient.weight_kg else "—"),
        _row("Height", f"{_amount(patient.height_cm)} cm" if patient.height_cm else "—"),
        _row(
            "Allergies",
            escape(", ".join(patient.allergies)) if patient.allergies else "None recorded",
        ),
        "</table>",
        "<p class='h'>INGREDIENTS</p><table class='ing'><tr><th>Ingredient</th>"
        "<th align='right'>Dose</th><th>Unit</th></tr>",
    ]
    for line in item.ingredient_views():
        name = ingredient_names.get(line.code, line.code)
        parts.append(
            f"<tr><td>{escape(name)}</td><td align='right'><b>{_amount(line.amount)}</b></td>"
            f"<td>{escape(line.unit)}</td></tr>"
        )
    parts.append("</table><p class='h'>ADMINISTRATION</p><table>")
    vehicle = item.vehicle_view()
    if vehicle is not None:
        name = ingredient_names.get(f"vehicle:{vehicle.code}", vehicle.code)
        parts.append(_row("Vehicle", f"{escape(name)}, {_amount(vehicle.volume_ml)} mL"))
    else:
        parts.append(_row("Vehicle", "—"))
    parts.append(_row("Access", escape(ACCESS_TEXT.get(item.access, item.access or "—"))))
    minutes = item.infusion_minutes
    parts.append(_row("Infusion time", f"{_amount(minutes)} min" if minutes else "—"))
    if item.lipid_infusion_hours is not None:
        parts.append(_row("Lipid infusion time", f"{_amount(item.lipid_infusion_hours)} h"))
    parts.append("</table>")
    parts.append("<p class='h'>LAB RESULTS</p>")
    parts.append(labs_html(patient.labs))
    parts.append("<p class='h'>CLINICAL CHECKS</p>")
    evaluation = item.evaluation
    if evaluation is None:
        parts.append("<p>Not recorded with this order.</p>")
    else:
        nutrition = "gir_mg_kg_min" in evaluation.computed
        parts.append(computed_html(evaluation.computed, nutrition=nutrition))
        parts.append(findings_html(evaluation.findings))
    parts.append("<p class='h'>ACKNOWLEDGED WARNINGS</p>")
    parts.append(acknowledgements_html(item.acknowledgements))
    parts.append(_signature_html(item))
    notes = item.notes.strip()
    if notes:
        parts.append("<p class='h'>NOTES</p>")
        parts.append(f"<p>{escape(notes).replace(chr(10), '<br>')}</p>")
    return "".join(parts)


def _signature_html(item: PrescriptionWire) -> str:
    signature = item.signature
    parts = ["<p class='h'>SIGNATURE</p><table>"]
    if signature is None:
        parts.append(_row("Signed", "Not signed"))
    else:
        how = {"password": "password", "totp": "authenticator code"}.get(str(signature.method), "—")
        parts.append(_row("Signed by", escape(person_name(signature.signed_by))))
        parts.append(_row("Signed at", escape(_when(signature.signed_at))))
        parts.append(_row("Confirmed with", escape(how)))
        if signature.body_sha256 and signature.body_sha256 != item.content_sha256:
            parts.append(_row("Signed body hash", _hash(signature.body_sha256)))
    parts.append(_row("Content hash (SHA-256)", _hash(item.content_sha256)))
    parts.append(_row("Signature id", escape(item.id)))
    parts.append("</table>")
    return "".join(parts)
