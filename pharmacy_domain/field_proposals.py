"""A pharmacist's proposed change to one field of an order, and the differences between
two versions of an order (issue 12).

A proposal names a *path* into the order the template understands:

* ``ingredients.<code>.amount``: an ingredient's dose, in the template row's unit and entry
  range;
* ``vehicle.code`` (one of the template's vehicles) and ``vehicle.volume_ml`` (the chosen
  vehicle's range);
* ``infusion_minutes``: the time over which the bag runs (the template's range);
* ``access``: the route (one of the template's access routes).

``check_proposal`` refuses a path the template does not offer and a value outside its
unit, range or choices, naming the field; ``apply_proposal`` makes the new order content
from the old one; ``diff_contents`` lists what changed between two versions. Client and
server use these same functions, so the body the prescriber signs is the one the server
rebuilds.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pharmacy_domain.field_checks import FieldError
from pharmacy_domain.numbers import format_amount
from pharmacy_domain.templates import Template

ProposalValue = float | int | str
FieldKind = Literal["number", "integer", "choice"]

INGREDIENT_PREFIX = "ingredients."
AMOUNT_SUFFIX = ".amount"
VEHICLE_CODE = "vehicle.code"
VEHICLE_VOLUME = "vehicle.volume_ml"
INFUSION_MINUTES = "infusion_minutes"
ACCESS = "access"
#: How a proposal's fields are named in a refusal (the request's members).
FIELD_MEMBER = "field"
VALUE_MEMBER = "value"


class ProposalError(ValueError):
    """The path or the value cannot be proposed; ``errors`` name the member and the field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class ProposableField:
    """One field of an order a pharmacist may propose a value for."""

    path: str
    label: str
    kind: FieldKind
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    """One difference between two versions of an order."""

    path: str
    label: str
    old: Any
    new: Any
    unit: str = ""


def _ingredient_code(path: str) -> str | None:
    if path.startswith(INGREDIENT_PREFIX) and path.endswith(AMOUNT_SUFFIX):
        code = path[len(INGREDIENT_PREFIX) : -len(AMOUNT_SUFFIX)]
        return code or None
    return None


def ingredient_path(code: str) -> str:
    return f"{INGREDIENT_PREFIX}{code}{AMOUNT_SUFFIX}"


def _vehicle_code(content: Mapping[str, Any]) -> str | None:
    vehicle = content.get("vehicle")
    if isinstance(vehicle, Mapping) and isinstance(vehicle.get("code"), str):
        return str(vehicle["code"])
    return None


def proposable_fields(template: Template, content: Mapping[str, Any]) -> list[ProposableField]:
    """What may be proposed for this order: its ingredients, vehicle, time and route."""
    fields: list[ProposableField] = []
    ordered = {
        str(line.get("code"))
        for line in content.get("ingredients") or []
        if isinstance(line, Mapping)
    }
    for row in template.ingredients:
        if row.code in ordered:
            fields.append(
                ProposableField(
                    ingredient_path(row.code),
                    row.name,
                    "number",
                    row.unit,
                    row.min_amount,
                    row.max_amount,
                )
            )
    vehicle = template.vehicle(_vehicle_code(content) or "")
    if vehicle is not None:
        fields.append(
            ProposableField(
                VEHICLE_CODE,
                "Vehicle",
                "choice",
                choices=tuple(option.code for option in template.vehicles),
            )
        )
        fields.append(
            ProposableField(
                VEHICLE_VOLUME,
                "Vehicle volume",
                "number",
                "mL",
                vehicle.min_volume_ml,
                vehicle.max_volume_ml,
            )
        )
    if template.infusion_minutes_min is not None or template.infusion_minutes_max is not None:
        fields.append(
            ProposableField(
                INFUSION_MINUTES,
                "Infusion time",
                "integer",
                "min",
                None if template.infusion_minutes_min is None else template.infusion_minutes_min,
                None if template.infusion_minutes_max is None else template.infusion_minutes_max,
            )
        )
    if len(template.access_routes) > 1:
        fields.append(
            ProposableField(ACCESS, "Access route", "choice", choices=template.access_routes)
        )
    return fields


def field_for(template: Template, content: Mapping[str, Any], path: str) -> ProposableField:
    """The proposable field at ``path``, or ``ProposalError`` naming it."""
    for candidate in proposable_fields(template, content):
        if candidate.path == path:
            return candidate
    raise ProposalError(
        [FieldError(FIELD_MEMBER, f"{path!r} is not a field of this order that can be changed")]
    )


def check_proposal(
    template: Template, content: Mapping[str, Any], path: str, value: Any
) -> ProposalValue:
    """The value as the order will hold it, or ``ProposalError`` naming the field and why."""
    target = field_for(template, content, path)
    if target.kind == "choice":
        if not isinstance(value, str) or value not in target.choices:
            raise ProposalError(
                [FieldError(VALUE_MEMBER, f"{path} must be one of {', '.join(target.choices)}")]
            )
        if value == current_value(content, path):
            raise ProposalError([FieldError(VALUE_MEMBER, f"{path} is already {value}")])
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProposalError([FieldError(VALUE_MEMBER, f"{path} must be a number")])
    number: float | int = float(value)
    if target.kind == "integer":
        if float(value) != int(value):
            raise ProposalError([FieldError(VALUE_MEMBER, f"{path} must be a whole number")])
        number = int(value)
    unit = f" {target.unit}" if target.unit else ""
    if target.minimum is not None and number < target.minimum:
        raise ProposalError(
            [
                FieldError(
                    VALUE_MEMBER, f"{path} must be at least {format_amount(target.minimum)}{unit}"
                )
            ]
        )
    if target.maximum is not None and number > target.maximum:
        raise ProposalError(
            [
                FieldError(
                    VALUE_MEMBER, f"{path} must be at most {format_amount(target.maximum)}{unit}"
                )
            ]
        )
    if current_value(content, path) == number:
        raise ProposalError(
            [FieldError(VALUE_MEMBER, f"{path} is already {format_amount(number)}{unit}")]
        )
    return number


def current_value(content: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` in an order's content (None where absent)."""
    code = _ingredient_code(path)
    if code is not None:
        for line in content.get("ingredients") or []:
            if isinstance(line, Mapping) and line.get("code") == code:
                return line.get("amount")
        return None
    if path in (VEHICLE_CODE, VEHICLE_VOLUME):
        vehicle = content.get("vehicle")
        if not isinstance(vehicle, Mapping):
            return None
        return vehicle.get(path.split(".", 1)[1])
    return content.get(path)


def apply_proposal(content: Mapping[str, Any], path: str, value: ProposalValue) -> dict[str, Any]:
    """A copy of ``content`` with ``path`` set to ``value`` (checked by ``check_proposal``);
    nothing else changes, so the two versions differ in that field alone."""
    changed = copy.deepcopy(dict(content))
    code = _ingredient_code(path)
    if code is not None:
        lines = [dict(line) for line in changed.get("ingredients") or []]
        for line in lines:
            if line.get("code") == code:
                line["amount"] = value
        changed["ingredients"] = lines
    elif path in (VEHICLE_CODE, VEHICLE_VOLUME):
        vehicle = dict(changed.get("vehicle") or {})
        vehicle[path.split(".", 1)[1]] = value
        changed["vehicle"] = vehicle
    else:
        changed[path] = value
    return changed


def _ingredient_amounts(content: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(line.get("code")): line.get("amount")
        for line in content.get("ingredients") or []
        if isinstance(line, Mapping)
    }


def _same(old: Any, new: Any) -> bool:
    numbers = (int, float)
    if isinstance(old, numbers) and isinstance(new, numbers):
        return not isinstance(old, bool) and not isinstance(new, bool) and float(old) == float(new)
    return bool(old == new)


def diff_contents(
    old: Mapping[str, Any], new: Mapping[str, Any], template: Template | None = None
) -> list[FieldChange]:
    """What changed from ``old`` to ``new``: each ingredient's amount (a line added or
    dropped shows None on the missing side), the vehicle, the time, the route, then any
    other member, in that order."""
    changes: list[FieldChange] = []
    before, after = _ingredient_amounts(old), _ingredient_amounts(new)
    for code in list(before) + [code for code in after if code not in before]:
        if not _same(before.get(code), after.get(code)):
            row = None if template is None else template.ingredient(code)
            changes.append(
                FieldChange(
                    ingredient_path(code),
                    code if row is None else row.name,
                    before.get(code),
                    after.get(code),
                    "" if row is None else row.unit,
                )
            )
    labels = {
        VEHICLE_CODE: ("Vehicle", ""),
        VEHICLE_VOLUME: ("Vehicle volume", "mL"),
        INFUSION_MINUTES: ("Infusion time", "min"),
        ACCESS: ("Access route", ""),
    }
    for path, (label, unit) in labels.items():
        was, now = current_value(old, path), current_value(new, path)
        if not _same(was, now):
            changes.append(FieldChange(path, label, was, now, unit))
    handled = {"ingredients", "vehicle", INFUSION_MINUTES, ACCESS}
    for key in sorted(set(old) | set(new)):
        if key not in handled and not _same(old.get(key), new.get(key)):
            changes.append(
                FieldChange(key, key.replace("_", " ").capitalize(), old.get(key), new.get(key))
            )
    return changes


def shown_value(value: Any, unit: str = "") -> str:
    """A value as a line of the diff shows it: ``2 mL``, ``central``, ``—`` when absent."""
    if value is None:
        return "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = format_amount(float(value))
        return f"{text} {unit}" if unit else text
    return str(value)


def proposal_summary(label: str, old: Any, new: Any, unit: str = "") -> str:
    """``Magnesium chloride 2 mL → 1 mL``: the proposal in one line (English, stored)."""
    return f"{label} {shown_value(old, unit)} → {shown_value(new, unit)}"
