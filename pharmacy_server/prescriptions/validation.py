"""What a submission must look like before anything is stored: the fields a client may
send, the Idempotency-Key header, and the clinical checks' verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD
from pharmacy_domain.dispensing import Dispensing, Series
from pharmacy_domain.engine import Evaluation, unacknowledged
from pharmacy_domain.patient_records import PATIENT_LINK_FIELD
from pharmacy_domain.prescription import FieldError, IngredientLine, Patient, Vehicle
from pharmacy_domain.prescription import Prescription as DomainPrescription
from pharmacy_server.errors import BadRequest, Invalid

MAX_IDEMPOTENCY_KEY_LENGTH = 255


def _wire_keys() -> dict[str, frozenset[str]]:
    """The fields a client may send, read off the domain's own wire form, so a field the
    domain adds is accepted here without a second list to keep in step."""
    patient = Patient("", "", dt.date(2000, 1, 1), "unknown", address="-", phone="-")
    series = Series(dt.date(2000, 1, 1), 1, 2)
    dispensing = Dispensing(1, "clinic", dt.date(2000, 1, 1), series, "-")
    sample = DomainPrescription(
        template_id="",
        template_version=0,
        patient=patient,
        ingredients=(),
        access="",
        vehicle=Vehicle("", 0.0),
        lipid_infusion_hours=1.0,  # optional keys are listed only when set
        dispensing=dispensing,
    )
    return {
        "": frozenset(sample.to_wire()),
        "patient": frozenset(patient.to_wire()),
        "vehicle": frozenset(Vehicle("", 0.0).to_wire()),
        "ingredients": frozenset(IngredientLine("", 0.0, "").to_wire()),
        "dispensing": frozenset(dispensing.to_wire()),
        "dispensing.series": frozenset(series.to_wire()),
    }


_WIRE_KEYS = _wire_keys()
# The record the patient was copied from is signed with the rest (pharmacy_domain.
# patient_records); it links the order to the record, the inline patient stays as signed.
SUBMITTABLE_FIELDS = _WIRE_KEYS[""] | {SIGNING_TOKEN_FIELD, PATIENT_LINK_FIELD}
SERVER_OWNED_FIELDS = frozenset(
    {
        "id",
        "reference",
        "status",
        "created_at",
        "updated_at",
        "template_name",
        "prescriber",
        "prescriber_id",
        "clinic",
        "clinic_id",
        "content_sha256",
        "review",
        "reviewed_by",
        "reviewed_at",
        "idempotency_key",
    }
)
_NESTED_FIELDS = {name: keys for name, keys in _WIRE_KEYS.items() if name}


def normalise_idempotency_key(raw: str | None) -> str:
    """The key as stored; accepts the RFC 8941 quoted-string form the IETF draft uses."""
    if raw is None or not raw.strip():
        raise BadRequest(
            "The Idempotency-Key header is required: send a new UUID with each new "
            "prescription and the same one when retrying it.",
        )
    key = raw.strip()
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        key = key[1:-1]
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        raise BadRequest(
            f"The Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} "
            "printable characters (a UUID).",
        )
    return key


def _member(body: Mapping[str, Any], dotted: str) -> Any:
    """``body["dispensing"]["series"]`` for ``dispensing.series``; None where absent."""
    value: Any = body
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def check_submitted_fields(body: Any) -> None:
    """Refuse unknown and server-owned fields instead of silently dropping them."""
    if not isinstance(body, Mapping):
        raise Invalid(
            "The prescription must be a JSON object.", [FieldError("body", "must be a JSON object")]
        )
    errors: list[FieldError] = []
    for name in body:
        if name in SERVER_OWNED_FIELDS:
            errors.append(FieldError(str(name), "is set by the server and cannot be submitted"))
        elif name not in SUBMITTABLE_FIELDS:
            errors.append(FieldError(str(name), "is not a field of a prescription"))
    for name, allowed in _NESTED_FIELDS.items():
        value = _member(body, name)
        objects = (
            [(f"{name}[{i}]", item) for i, item in enumerate(value)]
            if isinstance(value, list)
            else [(name, value)]
        )
        for path, item in objects:
            if isinstance(item, Mapping):
                errors.extend(
                    FieldError(f"{path}.{key}", "is not a recognised field")
                    for key in item
                    if key not in allowed
                )
    if errors:
        raise Invalid("The prescription contains fields the server does not accept.", errors)


def enforce_clinical_checks(evaluation: Evaluation, prescription: DomainPrescription) -> None:
    """Refuse an order the engine blocks, or one with a warning nobody acknowledged.

    Blocks are for the pharmacist to resolve with the prescriber, never overridden by a
    body field; each warning needs an acknowledgement with a reason (issue 3).
    """
    findings = [finding.to_wire() for finding in evaluation.findings]
    blocks = evaluation.blocks
    if blocks:
        raise Invalid(
            "The clinical checks block this prescription: "
            + "; ".join(finding.message for finding in blocks),
            code="clinical.blocked",
            errors=[FieldError(finding.field, finding.message) for finding in blocks],
            extra={"findings": findings},
        )
    missing = unacknowledged(evaluation, prescription.acknowledgements)
    if missing:
        raise Invalid(
            "Each warning needs an acknowledgement with a reason before the prescription "
            "can be submitted.",
            code="clinical.unacknowledged",
            errors=[
                FieldError(
                    "acknowledgements",
                    f"{finding.code} ({finding.field}) needs an acknowledgement with a reason",
                )
                for finding in missing
            ],
            extra={"findings": findings},
        )
