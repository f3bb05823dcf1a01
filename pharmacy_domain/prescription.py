"""The prescription as both sides understand it, and its structural validation.

``parse_prescription`` turns an untrusted JSON body into a ``Prescription`` or
raises ``InvalidPrescription`` listing *every* problem with the field it concerns,
so the client can point at each one and the server can answer 422 with them.
Clinical judgement (dose ranges per kg, osmolarity, prerequisites) belongs to the
check engine; this module only decides whether the order is well formed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pharmacy_domain.templates import Template, TemplateCatalog

SEXES = ("female", "male", "other", "unknown")
MAX_NAME_LENGTH = 100
MAX_ALLERGIES = 50
MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True)
class FieldError:
    """One problem with the submitted data, where ``field`` is a dotted path such as
    ``patient.weight_kg`` or ``ingredients[2].amount``."""

    field: str
    reason: str

    def to_wire(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


class InvalidPrescription(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Patient:
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    weight_kg: float | None = None
    height_cm: float | None = None
    allergies: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "weight_kg": self.weight_kg,
            "height_cm": self.height_cm,
            "allergies": list(self.allergies),
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

    def to_wire(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "template_version": self.template_version,
            "patient": self.patient.to_wire(),
            "ingredients": [line.to_wire() for line in self.ingredients],
            "access": self.access,
            "vehicle": None if self.vehicle is None else self.vehicle.to_wire(),
            "infusion_minutes": self.infusion_minutes,
            "notes": self.notes,
        }


class _Collector:
    """Gathers field errors so one pass reports all of them."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: str, reason: str) -> None:
        self.errors.append(FieldError(path, reason))

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True,
             max_length: int = MAX_NAME_LENGTH) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(path, "is required")
            return ""
        if not isinstance(value, str):
            self.add(path, "must be text")
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.add(path, f"must be at most {max_length} characters")
        if any(ord(ch) < 32 for ch in value if ch not in "\n\t"):
            self.add(path, "contains control characters")
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str, *, required: bool,
               minimum: float | None = None, maximum: float | None = None,
               unit: str = "") -> float | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.add(path, "must be a number")
            return None
        suffix = f" {unit}" if unit else ""
        if minimum is not None and value < minimum:
            self.add(path, f"must be at least {_fmt(minimum)}{suffix} (got {_fmt(value)})")
        elif maximum is not None and value > maximum:
            self.add(path, f"must be at most {_fmt(maximum)}{suffix} (got {_fmt(value)})")
        return float(value)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _parse_patient(raw: Any, errors: _Collector, today: dt.date) -> Patient | None:
    if not isinstance(raw, Mapping):
        errors.add("patient", "is required")
        return None
    given = errors.text(raw, "given_name", "patient.given_name")
    family = errors.text(raw, "family_name", "patient.family_name")
    birth_date: dt.date | None = None
    raw_birth = raw.get("birth_date")
    if not raw_birth:
        errors.add("patient.birth_date", "is required")
    else:
        try:
            birth_date = dt.date.fromisoformat(str(raw_birth))
        except ValueError:
            errors.add("patient.birth_date", "must be a date written YYYY-MM-DD")
        else:
            if birth_date > today:
                errors.add("patient.birth_date", "lies in the future")
            elif birth_date.year < today.year - 130:
                errors.add("patient.birth_date", "is more than 130 years ago")
    sex = raw.get("sex") or "unknown"
    if sex not in SEXES:
        errors.add("patient.sex", f"must be one of {', '.join(SEXES)}")
    weight = errors.number(raw, "weight_kg", "patient.weight_kg", required=False,
                           minimum=0.3, maximum=400, unit="kg")
    height = errors.number(raw, "height_cm", "patient.height_cm", required=False,
                           minimum=20, maximum=260, unit="cm")
    allergies_raw = raw.get("allergies", [])
    allergies: list[str] = []
    if not isinstance(allergies_raw, list):
        errors.add("patient.allergies", "must be a list")
    elif len(allergies_raw) > MAX_ALLERGIES:
        errors.add("patient.allergies", f"must list at most {MAX_ALLERGIES} allergies")
    else:
        for index, item in enumerate(allergies_raw):
            if not isinstance(item, str) or not item.strip():
                errors.add(f"patient.allergies[{index}]", "must be non-empty text")
            else:
                allergies.append(item.strip())
    if birth_date is None or not given or not family or sex not in SEXES:
        return None
    return Patient(given, family, birth_date, str(sex), weight, height, tuple(allergies))


def _parse_ingredients(raw: Any, template: Template, errors: _Collector
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
            errors.add(f"{path}.code", f"{code!r} is not an ingredient of {template.name}")
            continue
        if code in seen:
            errors.add(f"{path}.code", f"{row.name} is listed twice")
            continue
        seen.add(row.code)
        unit = item.get("unit", row.unit)
        if unit != row.unit:
            # One entry mode per ingredient: never mix salt and ion units (the Abacus recall).
            errors.add(f"{path}.unit", f"{row.name} is ordered in {row.unit}, not {unit}")
            continue
        amount = errors.number(item, "amount", f"{path}.amount", required=True,
                               minimum=0, maximum=row.max_amount, unit=row.unit)
        if amount is not None:
            lines.append(IngredientLine(row.code, amount, row.unit))
    if not lines and not errors.errors:
        errors.add("ingredients", "at least one ingredient is required")
    return tuple(lines)


def _parse_vehicle(raw: Any, template: Template, errors: _Collector) -> Vehicle | None:
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
    volume = errors.number(raw, "volume_ml", "vehicle.volume_ml", required=False,
                           minimum=option.min_volume_ml, maximum=option.max_volume_ml, unit="mL")
    return Vehicle(option.code, option.default_volume_ml if volume is None else volume)


def parse_prescription(body: Any, catalog: TemplateCatalog, *,
                       today: dt.date | None = None) -> Prescription:
    """Validate an untrusted prescription body against its template.

    Missing ingredients, access, vehicle and infusion time take the template's defaults.
    Raises ``InvalidPrescription`` with every problem found.
    """
    errors = _Collector()
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
            errors.add("template_id", f"no published template {template_id!r} version {version}")
    patient = _parse_patient(body.get("patient"), errors, today or dt.date.today())
    if template is None:
        raise InvalidPrescription(errors.errors)

    ingredients = _parse_ingredients(body.get("ingredients"), template, errors)
    access = body.get("access") or template.default_access
    if access not in template.access_routes:
        errors.add("access", f"{template.name} may be given {', '.join(template.access_routes)}")
    vehicle = _parse_vehicle(body.get("vehicle"), template, errors)
    minutes: int | None = template.infusion_minutes_default
    if body.get("infusion_minutes") is not None:
        value = errors.number(body, "infusion_minutes", "infusion_minutes", required=False,
                              minimum=template.infusion_minutes_min or 1,
                              maximum=template.infusion_minutes_max or 24 * 60, unit="min")
        minutes = None if value is None else round(value)
    notes = errors.text(body, "notes", "notes", required=False, max_length=MAX_NOTE_LENGTH)
    if errors.errors or patient is None:
        raise InvalidPrescription(errors.errors)
    return Prescription(
        template_id=template.id,
        template_version=template.version,
        patient=patient,
        ingredients=ingredients,
        access=str(access),
        vehicle=vehicle,
        infusion_minutes=minutes,
        notes=notes,
    )
