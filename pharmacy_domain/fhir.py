"""FHIR R4 export of a prescription, as plain dicts (no FHIR library at runtime).

A ``collection`` Bundle holding the Patient, one Observation per lab result plus body
weight and height, and a MedicationRequest carrying a *contained* Medication whose
ingredients give their strengths as Ratios (amount per bag), as in HL7's compounded and
TPN examples (medrx0329, medrx0323; reference §7.1 [56]). Tests validate the result with
``fhir.resources.R4B`` (R4-compatible for these resources; the root package is R5 [57]).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from pharmacy_domain.engine import Evaluation
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.numbers import format_amount
from pharmacy_domain.prescription import LabResult, Patient, Prescription
from pharmacy_domain.templates import Template
from pharmacy_domain.units import body_surface_area_m2, parse_order_unit

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
PRODUCT_SYSTEM = "urn:iv-portal:formulary-product"
LAB_SYSTEM = "urn:iv-portal:lab-code"
INTERPRETATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_INTERPRETATION_CODES = {
    "normal": "N",
    "abnormal": "A",
    "low": "L",
    "high": "H",
    "critical": "AA",
    "positive": "POS",
    "negative": "NEG",
    "deficient": "L",
    "intermediate": "IND",
    "indeterminate": "IND",
    "present": "DET",
    "absent": "ND",
}
_GENDERS = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
_UCUM_UNITS = {"mg": "mg", "g": "g", "mcg": "ug", "mL": "mL", "mEq": "meq", "mmol": "mmol"}
_ACCESS_TEXT = {
    "central": "Intravenous, central venous access",
    "peripheral": "Intravenous, peripheral venous access",
    "push": "Slow intravenous push",
}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": round(value, 6), "unit": unit}
    code = _UCUM_UNITS.get(unit, unit if unit in ("kg", "cm", "mL/h") else None)
    if code is not None:
        quantity.update({"system": UCUM, "code": code})
    return quantity


def _patient(patient: Patient) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "birthDate": patient.birth_date.isoformat(),
        "gender": _GENDERS.get(patient.sex, "unknown"),
    } | _contact(patient)


def _contact(patient: Patient) -> dict[str, Any]:
    contact: dict[str, Any] = {}
    if patient.address:
        contact["address"] = [{"text": patient.address}]
    if patient.phone:
        contact["telecom"] = [{"system": "phone", "value": patient.phone}]
    return contact


def _dispense_request(prescription: Prescription) -> dict[str, Any]:
    """Bags per dispense; a series is one dispense every interval, repeated."""
    dispensing = prescription.dispensing
    bags = 1 if dispensing is None else dispensing.quantity_bags
    request: dict[str, Any] = {"quantity": {"value": bags, "unit": "bag"}}
    series = None if dispensing is None else dispensing.series
    if series is not None:
        request["dispenseInterval"] = {
            "value": series.interval_days,
            "unit": "days",
            "system": UCUM,
            "code": "d",
        }
        request["numberOfRepeatsAllowed"] = series.infusions - 1
    return request


def _dispensing_notes(prescription: Prescription) -> list[str]:
    dispensing = prescription.dispensing
    if dispensing is None:
        return []
    notes = [f"Ship to the {dispensing.ship_to}"]
    if dispensing.needed_by is not None:
        notes.append(f"Needed by {dispensing.needed_by.isoformat()}")
    schedule = dispensing.schedule()
    if schedule:
        notes.append("Infusions on " + ", ".join(day.isoformat() for day in schedule))
    if dispensing.pharmacy_notes:
        notes.append(f"For the pharmacy: {dispensing.pharmacy_notes}")
    return notes


def _lab(lab: LabResult, subject: str) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LAB_SYSTEM, "code": lab.code}], "text": lab.code},
        "subject": {"reference": subject},
        "effectiveDateTime": lab.date.isoformat(),
    }
    if lab.value is not None:
        observation["valueQuantity"] = {"value": lab.value, "unit": lab.unit or "1"}
    if lab.interpretation:
        concept: dict[str, Any] = {"text": lab.interpretation}
        code = _INTERPRETATION_CODES.get(lab.interpretation)
        if code is not None:
            concept["coding"] = [{"system": INTERPRETATION_SYSTEM, "code": code}]
        observation["interpretation"] = [concept]
        if lab.value is None:
            observation["valueString"] = lab.interpretation
    return observation


def _vital(
    loinc: str, text: str, value: float, unit: str, *, subject: str, when: dt.date
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc, "display": text}], "text": text},
        "subject": {"reference": subject},
        "effectiveDateTime": when.isoformat(),
        "valueQuantity": _quantity(value, unit),
    }


def _medication(
    prescription: Prescription, template: Template, formulary: Formulary
) -> dict[str, Any]:
    patient = prescription.patient
    ingredients: list[dict[str, Any]] = []
    for line in prescription.ingredients:
        if line.amount <= 0:
            continue
        row = template.ingredient(line.code)
        product = formulary.product(line.code)
        name = product.name if product is not None else line.code
        unit = parse_order_unit(line.unit)
        amount = line.amount
        denominator = {"value": 1, "unit": "bag"}
        if unit.per_kg and patient.weight_kg is not None:
            amount *= patient.weight_kg
        elif unit.per_m2 and patient.weight_kg is not None and patient.height_cm is not None:
            amount *= body_surface_area_m2(patient.weight_kg, patient.height_cm)
        elif unit.per_kg or unit.per_m2:
            # No weight yet: keep the per-kg (per-m²) strength as ordered.
            denominator = _quantity(1, "kg") if unit.per_kg else {"value": 1, "unit": "m2"}
        ingredients.append(
            {
                "itemCodeableConcept": {
                    "coding": [{"system": PRODUCT_SYSTEM, "code": line.code, "display": name}],
                    "text": row.name if row is not None else name,
                },
                "isActive": True,
                "strength": {
                    "numerator": _quantity(amount, unit.measure),
                    "denominator": denominator,
                },
            }
        )
    if prescription.vehicle is not None:
        vehicle = formulary.vehicle(prescription.vehicle.code)
        name = vehicle.name if vehicle is not None else prescription.vehicle.code
        ingredients.append(
            {
                "itemCodeableConcept": {
                    "coding": [
                        {
                            "system": PRODUCT_SYSTEM,
                            "code": prescription.vehicle.code,
                            "display": name,
                        }
                    ],
                    "text": name,
                },
                "isActive": False,
                "strength": {
                    "numerator": _quantity(prescription.vehicle.volume_ml, "mL"),
                    "denominator": {"value": 1, "unit": "bag"},
                },
            }
        )
    form = "Injectable emulsion" if template.admixture == "3-in-1" else "Injection solution"
    return {
        "resourceType": "Medication",
        "id": "compound",
        "code": {"text": f"{template.name} (template {template.id} v{template.version})"},
        "form": {"text": form},
        "ingredient": ingredients,
    }


def _dosage(prescription: Prescription, evaluation: Evaluation | None) -> dict[str, Any]:
    access = prescription.access
    parts = [_ACCESS_TEXT.get(access, "Intravenous")]
    if prescription.infusion_minutes:
        parts.append(f"over {prescription.infusion_minutes} min")
    if prescription.lipid_infusion_hours:
        hours = format_amount(prescription.lipid_infusion_hours)
        parts.append(f"lipid emulsion separately over {hours} h")
    dosage: dict[str, Any] = {
        "text": ", ".join(parts),
        "route": {
            "coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}],
            "text": "Intravenous",
        },
    }
    rate = None if evaluation is None else evaluation.computed.get("infusion_rate_ml_h")
    if rate:
        dosage["doseAndRate"] = [{"rateQuantity": _quantity(rate, "mL/h")}]
    return dosage


def prescription_bundle(
    prescription: Prescription,
    template: Template,
    formulary: Formulary,
    *,
    evaluation: Evaluation | None = None,
    authored_on: dt.datetime | None = None,
    status: str = "active",
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> dict[str, Any]:
    """An R4 ``collection`` Bundle for one prescription (dicts ready for ``json.dumps``).

    ``evaluation`` adds the computed infusion rate; ``new_id`` makes ids deterministic in
    tests. Patient names stay inside the bundle (never in ids or URLs).
    """
    authored = authored_on or dt.datetime.now(dt.UTC)
    patient = prescription.patient
    patient_url = f"urn:uuid:{new_id()}"
    entries: list[dict[str, Any]] = [{"fullUrl": patient_url, "resource": _patient(patient)}]
    supporting: list[dict[str, str]] = []
    observations = [_lab(lab, patient_url) for lab in patient.labs]
    if patient.weight_kg is not None:
        observations.append(
            _vital(
                "29463-7",
                "Body weight",
                patient.weight_kg,
                "kg",
                subject=patient_url,
                when=authored.date(),
            )
        )
    if patient.height_cm is not None:
        observations.append(
            _vital(
                "8302-2",
                "Body height",
                patient.height_cm,
                "cm",
                subject=patient_url,
                when=authored.date(),
            )
        )
    for observation in observations:
        url = f"urn:uuid:{new_id()}"
        entries.append({"fullUrl": url, "resource": observation})
        supporting.append({"reference": url})
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "contained": [_medication(prescription, template, formulary)],
        "status": status,
        "intent": "order",
        "medicationReference": {"reference": "#compound"},
        "subject": {"reference": patient_url},
        "authoredOn": authored.isoformat(),
        "dosageInstruction": [_dosage(prescription, evaluation)],
        "dispenseRequest": _dispense_request(prescription),
    }
    if supporting:
        request["supportingInformation"] = supporting
    notes = [prescription.notes] if prescription.notes else []
    notes += [f"Acknowledged {a.code}: {a.reason}" for a in prescription.acknowledgements]
    if patient.allergies:
        notes.append("Allergies: " + ", ".join(patient.allergies))
    notes += _dispensing_notes(prescription)
    if notes:
        request["note"] = [{"text": text} for text in notes]
    entries.append({"fullUrl": f"urn:uuid:{new_id()}", "resource": request})
    return {
        "resourceType": "Bundle",
        "id": new_id(),
        "type": "collection",
        "timestamp": authored.isoformat(),
        "entry": entries,
    }
