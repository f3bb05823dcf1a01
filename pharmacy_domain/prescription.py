"""The prescription as both sides understand it, and its structural validation.

``parse_prescription`` turns an untrusted JSON body into a ``Prescription`` or
raises ``InvalidPrescription`` listing *every* problem with the field it concerns,
so the client can point at each one and the server can answer 422 with them.
Clinical judgement (dose ranges per kg, osmolarity, prerequisites) belongs to the
check engine; this module only decides whether the order is well formed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Re-exported: the server and the client import FieldError from here.
from pharmacy_domain.dispensing import DISPENSING, Dispensing, parse_dispensing
from pharmacy_domain.field_checks import FieldError as FieldError  # noqa: PLC0414
from pharmacy_domain.field_checks import FieldErrors, parse_date, shown
from pharmacy_domain.infusion import lipid_infusion_spec
from pharmacy_domain.templates import Template, TemplateCatalog
from pharmacy_domain.text_limits import (
    MAX_ADDRESS_LENGTH,
    MAX_ALLERGY_LENGTH,
    MAX_CODE_LENGTH,
    MAX_LAB_UNIT_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PHONE_LENGTH,
    MAX_REASON_LENGTH,
)
from pharmacy_domain.text_rules import clean_text

LIPID_HOURS = "lipid_infusion_hours"
SEXES = ("female", "male", "other", "unknown")
MAX_ALLERGIES = 50
MAX_LABS = 50
MAX_ACKNOWLEDGEMENTS = 50
LAB_INTERPRETATIONS = (
    "normal",
    "abnormal",
    "low",
    "high",
    "critical",
    "deficient",
    "intermediate",
    "indeterminate",
    "positive",
    "negative",
    "present",
    "absent",
)
_LAB_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


class InvalidPrescription(ValueError):
    """Every problem of a body. ``as_typed`` is the order exactly as entered when no
    problem leaves a clinical value unknown (a number outside its range is kept as typed,
    a missing name changes no check), so the engine can still judge everything else."""

    def __init__(self, errors: list[FieldError], as_typed: Prescription | None = None) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors
        self.as_typed = as_typed


@dataclass(frozen=True)
class LabResult:
    """A dated lab result (or recorded history item such as ``oxalate_stones``).

    ``code`` is lower-case (g6pd, creatinine, egfr, glucose, triglycerides, potassium, ...);
    ``interpretation`` is one of ``LAB_INTERPRETATIONS`` or empty when only a value is known.
    """

    code: str
    date: dt.date
    value: float | None = None
    unit: str = ""
    interpretation: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "value": self.value,
            "unit": self.unit,
            "interpretation": self.interpretation or None,
            "date": self.date.isoformat(),
        }


@dataclass(frozen=True)
class Acknowledgement:
    """The prescriber's reason for going ahead despite a warning (``code``, optionally one
    ``field`` when the same code is raised in several places)."""

    code: str
    reason: str
    field: str = ""

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"code": self.code, "reason": self.reason}
        if self.field:
            wire["field"] = self.field
        return wire


@dataclass(frozen=True)
class Patient:
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    weight_kg: float | None = None
    height_cm: float | None = None
    allergies: tuple[str, ...] = ()
    labs: tuple[LabResult, ...] = ()
    #: For shipping to the patient; written only when given, so older orders hash alike.
    address: str = ""
    phone: str = ""

    def to_wire(self) -> dict[str, Any]:
        contact = {
            key: value for key, value in (("address", self.address), ("phone", self.phone)) if value
        }
        return contact | {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "weight_kg": self.weight_kg,
            "height_cm": self.height_cm,
            "allergies": list(self.allergies),
            "labs": [lab.to_wire() for lab in self.labs],
        }


@dataclass(frozen=True)
class IngredientLine:
    code: str
    amount: float
    unit: str

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code, "amount": self.amount, "unit": self.unit}


@dataclass(frozen=True)
class Vehicle:
    code: str
    volume_ml: float

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code, "volume_ml": self.volume_ml}


@dataclass(frozen=True)
class Prescription:
    """A well-formed order: every ingredient known to its template, in the template's unit."""

    template_id: str
    template_version: int
    patient: Patient
    ingredients: tuple[IngredientLine, ...]
    access: str
    vehicle: Vehicle | None = None
    infusion_minutes: int | None = None
    notes: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    acknowledgements: tuple[Acknowledgement, ...] = ()
    #: Hours over which a separately run lipid emulsion is given (``None``: no such lipid).
    lipid_infusion_hours: float | None = None
    #: Quantity, series, shipping, needed-by date, note to the pharmacy (``None``: not given).
    dispensing: Dispensing | None = None

    def to_wire(self) -> dict[str, Any]:
        # The lipid's hours appear only when set, so orders without a separate lipid keep
        # the content (and signing hash) they always had.
        # Likewise the dispensing details.
        optional: dict[str, Any] = {}
        if self.lipid_infusion_hours is not None:
            optional[LIPID_HOURS] = self.lipid_infusion_hours
        if self.dispensing is not None:
            optional[DISPENSING] = self.dispensing.to_wire()
        return optional | {
            "template_id": self.template_id,
            "template_version": self.template_version,
            "patient": self.patient.to_wire(),
            "ingredients": [line.to_wire() for line in self.ingredients],
            "access": self.access,
            "vehicle": None if self.vehicle is None else self.vehicle.to_wire(),
            "infusion_minutes": self.infusion_minutes,
            "notes": self.notes,
            "acknowledgements": [a.to_wire() for a in self.acknowledgements],
        }


def _parse_allergies(raw: Any, errors: FieldErrors) -> tuple[str, ...]:
    allergies: list[str] = []
    if not isinstance(raw, list):
        errors.add("patient.allergies", "must be a list")
    elif len(raw) > MAX_ALLERGIES:
        errors.add("patient.allergies", f"must list at most {MAX_ALLERGIES} allergies")
    else:
        for index, item in enumerate(raw):
            path = f"patient.allergies[{index}]"
            if not isinstance(item, str) or not item.strip():
                errors.add(path, "must be non-empty text")
                continue
            allergy, reason = clean_text(item, max_length=MAX_ALLERGY_LENGTH)
            if reason is not None:
                errors.add(path, reason)
            else:
                allergies.append(allergy)
    return tuple(allergies)


def _parse_labs(raw: Any, errors: FieldErrors, today: dt.date) -> tuple[LabResult, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.add("patient.labs", "must be a list")
        return ()
    if len(raw) > MAX_LABS:
        errors.add("patient.labs", f"must list at most {MAX_LABS} results")
        return ()
    labs: list[LabResult] = []
    for index, item in enumerate(raw):
        path = f"patient.labs[{index}]"
        if not isinstance(item, Mapping):
            errors.add(path, "must be an object with code, value, unit, interpretation and date")
            continue
        code = item.get("code")
        if (
            not isinstance(code, str)
            or not code
            or len(code) > 40
            or not (set(code.lower()) <= _LAB_CODE_CHARS)
        ):
            errors.add(f"{path}.code", "must be a lab code such as g6pd or creatinine")
            continue
        value = errors.number(item, "value", f"{path}.value", required=False)
        unit = errors.text(
            item, "unit", f"{path}.unit", required=False, max_length=MAX_LAB_UNIT_LENGTH
        )
        interpretation = item.get("interpretation") or ""
        if interpretation and (
            not isinstance(interpretation, str) or interpretation not in LAB_INTERPRETATIONS
        ):
            errors.add(f"{path}.interpretation", f"must be one of {', '.join(LAB_INTERPRETATIONS)}")
            continue
        if value is None and not interpretation:
            # A dated row with no result yet (the prescriber is still filling it in) is
            # kept in the order as typed, where its checks say it cannot be interpreted
            # at its own row: the other findings stay on screen beside this error.
            date = parse_date(item.get("date"), f"{path}.date", FieldErrors(), today)
            errors.add(path, "needs a value or an interpretation", value_kept=date is not None)
            if date is not None:
                labs.append(LabResult(code.lower(), date, None, unit, ""))
            continue
        date = parse_date(item.get("date"), f"{path}.date", errors, today)
        if date is not None:
            labs.append(LabResult(code.lower(), date, value, unit, str(interpretation)))
    return tuple(labs)


def _parse_acknowledgements(raw: Any, errors: FieldErrors) -> tuple[Acknowledgement, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_ACKNOWLEDGEMENTS:
        errors.add("acknowledgements", f"must be a list of at most {MAX_ACKNOWLEDGEMENTS}")
        return ()
    result: list[Acknowledgement] = []
    for index, item in enumerate(raw):
        path = f"acknowledgements[{index}]"
        if not isinstance(item, Mapping):
            errors.add(path, "must be an object with code and reason")
            continue
        code = errors.text(item, "code", f"{path}.code", max_length=MAX_CODE_LENGTH)
        reason = errors.text(
            item, "reason", f"{path}.reason", max_length=MAX_REASON_LENGTH, multi_line=True
        )
        field_path = errors.text(
            item, "field", f"{path}.field", required=False, max_length=MAX_CODE_LENGTH
        )
        if code and reason:
            result.append(Acknowledgement(code, reason, field_path))
    return tuple(result)


def _parse_patient(raw: Any, errors: FieldErrors, today: dt.date) -> Patient | None:
    if not isinstance(raw, Mapping):
        errors.add("patient", "is required")
        return None
    # A missing name leaves every check decidable: the order as typed keeps it empty.
    given = errors.text(raw, "given_name", "patient.given_name", name_only=True)
    family = errors.text(raw, "family_name", "patient.family_name", name_only=True)
    birth_date = parse_date(raw.get("birth_date"), "patient.birth_date", errors, today)
    if birth_date is not None and birth_date.year < today.year - 130:
        errors.add("patient.birth_date", "is more than 130 years ago")
        birth_date = None
    sex = raw.get("sex") or "unknown"
    if sex not in SEXES:
        errors.add("patient.sex", f"must be one of {', '.join(SEXES)}")
    weight = errors.number(
        raw, "weight_kg", "patient.weight_kg", required=False, minimum=0.3, maximum=400, unit="kg"
    )
    height = errors.number(
        raw, "height_cm", "patient.height_cm", required=False, minimum=20, maximum=260, unit="cm"
    )
    allergies = _parse_allergies(raw.get("allergies", []), errors)
    labs = _parse_labs(raw.get("labs"), errors, today)
    # Contact details change no check: a problem in them leaves the order decidable.
    address = errors.text(
        raw,
        "address",
        "patient.address",
        required=False,
        max_length=MAX_ADDRESS_LENGTH,
        multi_line=True,
        name_only=True,
    )
    phone = errors.text(
        raw, "phone", "patient.phone", required=False, max_length=MAX_PHONE_LENGTH, name_only=True
    )
    if birth_date is None or sex not in SEXES:
        return None
    return Patient(
        given, family, birth_date, str(sex), weight, height, allergies, labs, address, phone
    )


def _parse_ingredients(
    raw: Any, template: Template, errors: FieldErrors
) -> tuple[IngredientLine, ...]:
    if raw is None:  # a body naming only the template takes its defaults
        return tuple(IngredientLine(r.code, r.default_amount, r.unit) for r in template.ingredients)
    if not isinstance(raw, list):
        errors.add("ingredients", "must be a list")
        return ()
    lines: list[IngredientLine] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        path = f"ingredients[{index}]"
        if not isinstance(item, Mapping):
            errors.add(path, "must be an object with code, amount and unit")
            continue
        code = item.get("code")
        row = template.ingredient(code) if isinstance(code, str) else None
        if row is None:
            errors.add(f"{path}.code", f"{shown(code)} is not an ingredient of {template.name}")
            continue
        if code in seen:
            errors.add(f"{path}.code", f"{row.name} is listed twice")
            continue
        seen.add(row.code)
        unit = item.get("unit", row.unit)
        if unit != row.unit:
            # One entry mode per ingredient: never mix salt and ion units (the Abacus recall).
            errors.add(f"{path}.unit", f"{row.name} is ordered in {row.unit}, not {shown(unit)}")
            continue
        amount = errors.number(
            item,
            "amount",
            f"{path}.amount",
            required=True,
            minimum=0,
            maximum=row.max_amount,
            unit=row.unit,
        )
        if amount is not None:
            lines.append(IngredientLine(row.code, amount, row.unit))
    if not lines and not errors.errors:
        errors.add("ingredients", "at least one ingredient is required")
    if not lines:
        errors.value_lost = True  # an order of nothing: no check could say anything
    return tuple(lines)


def _parse_vehicle(raw: Any, template: Template, errors: FieldErrors) -> Vehicle | None:
    if not template.vehicles:
        if raw is not None:
            errors.add("vehicle", f"{template.name} takes no vehicle")
        return None
    if raw is None:
        default = template.vehicles[0]
        return Vehicle(default.code, default.default_volume_ml)
    if not isinstance(raw, Mapping):
        errors.add("vehicle", "must be an object with code and volume_ml")
        return None
    option = template.vehicle(str(raw.get("code")))
    if option is None:
        allowed = ", ".join(v.code for v in template.vehicles)
        errors.add("vehicle.code", f"must be one of {allowed}")
        return None
    volume = errors.number(
        raw,
        "volume_ml",
        "vehicle.volume_ml",
        required=False,
        minimum=option.min_volume_ml,
        maximum=option.max_volume_ml,
        unit="mL",
    )
    return Vehicle(option.code, option.default_volume_ml if volume is None else volume)


def _parse_lipid_hours(
    body: Mapping[str, Any], template: Template, errors: FieldErrors
) -> float | None:
    """The separately run lipid's infusion time: the template's default unless given."""
    spec = lipid_infusion_spec(template)
    if body.get(LIPID_HOURS) is None:
        return None if spec is None else spec.default_hours
    if spec is None:
        errors.add(LIPID_HOURS, f"{template.name} runs no separate lipid emulsion", value_kept=True)
        return None
    return errors.number(
        body,
        LIPID_HOURS,
        LIPID_HOURS,
        required=False,
        minimum=spec.min_hours,
        maximum=spec.max_hours,
        unit="h",
    )


@dataclass(frozen=True)
class OrderFields:
    """The parts of an order that are not about the patient: what a favorite keeps."""

    ingredients: tuple[IngredientLine, ...]
    access: str
    vehicle: Vehicle | None
    infusion_minutes: int | None
    lipid_infusion_hours: float | None


def parse_order_fields(
    body: Mapping[str, Any], template: Template, errors: FieldErrors
) -> OrderFields:
    """Ingredients, access, vehicle, infusion time and the lipid's hours of ``body``,
    checked against ``template``'s entry limits; problems go to ``errors``."""
    ingredients = _parse_ingredients(body.get("ingredients"), template, errors)
    # A nutrition bag needs the access device stated (ASPEN [34]); the engine reports a
    # missing one as required.field instead of silently assuming the default.
    access = body.get("access") or ("" if template.access_required else template.default_access)
    if access and access not in template.access_routes:
        errors.add("access", f"{template.name} may be given {', '.join(template.access_routes)}")
    vehicle = _parse_vehicle(body.get("vehicle"), template, errors)
    minutes: int | None = template.infusion_minutes_default
    if body.get("infusion_minutes") is not None:
        value = errors.number(
            body,
            "infusion_minutes",
            "infusion_minutes",
            required=False,
            minimum=template.infusion_minutes_min or 1,
            maximum=template.infusion_minutes_max or 24 * 60,
            unit="min",
        )
        minutes = None if value is None else round(value)
    return OrderFields(
        ingredients=ingredients,
        access=str(access),
        vehicle=vehicle,
        infusion_minutes=minutes,
        lipid_infusion_hours=_parse_lipid_hours(body, template, errors),
    )


def parse_prescription(
    body: Any, catalog: TemplateCatalog, *, today: dt.date | None = None
) -> Prescription:
    """Validate an untrusted prescription body against its template.

    Missing ingredients, access, vehicle and infusion time take the template's defaults.
    Raises ``InvalidPrescription`` with every problem found.
    """
    errors = FieldErrors()
    if not isinstance(body, Mapping):
        raise InvalidPrescription([FieldError("body", "must be a JSON object")])
    template_id = body.get("template_id")
    version = body.get("template_version")
    if not isinstance(template_id, str) or not template_id:
        errors.add("template_id", "is required")
    if isinstance(version, bool) or not isinstance(version, int):
        errors.add("template_version", "must be a whole number")
    template = None
    if not errors.errors:
        assert isinstance(template_id, str) and isinstance(version, int)
        template = catalog.get(template_id, version)
        if template is None:
            quoted = shown(template_id)
            errors.add("template_id", f"no published template {quoted} version {version}")
    patient = _parse_patient(body.get("patient"), errors, today or dt.date.today())
    if template is None:
        raise InvalidPrescription(errors.errors)

    fields = parse_order_fields(body, template, errors)
    notes = errors.text(
        body, "notes", "notes", required=False, max_length=MAX_NOTE_LENGTH, multi_line=True
    )
    acknowledgements = _parse_acknowledgements(body.get("acknowledgements"), errors)
    dispensing = parse_dispensing(
        body.get(DISPENSING),
        errors,
        today or dt.date.today(),
        patient_has_address=patient is not None and bool(patient.address),
    )
    order = None
    if patient is not None:
        order = Prescription(
            template_id=template.id,
            template_version=template.version,
            patient=patient,
            ingredients=fields.ingredients,
            access=fields.access,
            vehicle=fields.vehicle,
            infusion_minutes=fields.infusion_minutes,
            notes=notes,
            acknowledgements=acknowledgements,
            lipid_infusion_hours=fields.lipid_infusion_hours,
            dispensing=dispensing,
        )
    if errors.errors or order is None:
        raise InvalidPrescription(errors.errors, None if errors.value_lost else order)
    return order
