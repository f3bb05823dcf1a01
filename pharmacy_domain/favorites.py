"""A prescriber's favorite: a composed order saved under a name, for one template version.

A favorite keeps only what is not about a patient (``FAVORITE_FIELDS``: the doses, the
vehicle, the access route, the infusion time and the lipid's hours), never a patient,
a lab or a note. It is checked against its template's limits when saved: the entry
ranges ``parse_prescription`` applies and the hard limit the check engine blocks above.

When the pharmacy publishes a newer version of the template, ``apply_to_current`` moves
the favorite onto it and says every difference: what changed in the template
(``template_changes``) and what that does to this favorite (a dose left out, a vehicle
replaced, a dose now outside the limits). Nothing is changed without being said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pharmacy_domain.field_checks import FieldError, FieldErrors, is_number
from pharmacy_domain.numbers import format_amount
from pharmacy_domain.prescription import LIPID_HOURS, OrderFields, parse_order_fields
from pharmacy_domain.template_changes import TemplateChanges, diff_templates
from pharmacy_domain.templates import Template
from pharmacy_domain.text_limits import MAX_FAVORITE_NAME_LENGTH
from pharmacy_domain.text_rules import clean_text

#: The members of a prescription body a favorite keeps; everything else is left behind.
FAVORITE_FIELDS = ("ingredients", "access", "vehicle", "infusion_minutes", LIPID_HOURS)


class InvalidFavorite(ValueError):
    """Every problem of a favorite, each naming its field (``name``, ``content.…``)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors


def order_content(body: Mapping[str, Any]) -> dict[str, Any]:
    """The favorite's part of a prescription body (or draft): no patient, labs, notes,
    acknowledgements or dispensing details, whatever ``body`` holds."""
    return {key: body[key] for key in FAVORITE_FIELDS if body.get(key) is not None}


def check_favorite_name(raw: Any) -> str:
    """The name cleaned by the text rules; ``InvalidFavorite`` naming ``name`` otherwise."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidFavorite([FieldError("name", "is required")])
    cleaned, reason = clean_text(raw, max_length=MAX_FAVORITE_NAME_LENGTH)
    if reason is not None:
        raise InvalidFavorite([FieldError("name", reason)])
    return cleaned


def name_key(name: str) -> str:
    """What makes two names the same name ("My usual" and "my usual ")."""
    return " ".join(name.casefold().split())


def _check_hard_limits(fields: OrderFields, template: Template, errors: FieldErrors) -> None:
    for index, line in enumerate(fields.ingredients):
        row = template.ingredient(line.code)
        if row is not None and line.amount > row.block_above:
            errors.add(
                f"ingredients[{index}].amount",
                f"{row.name}: {format_amount(line.amount)} {row.unit} is above the hard limit "
                f"of {format_amount(row.block_above)} {row.unit}",
                value_kept=True,
            )


def check_favorite_content(content: Any, template: Template) -> dict[str, Any]:
    """``content`` checked against ``template``'s limits, as the canonical wire form
    (only ``FAVORITE_FIELDS``). Raises ``InvalidFavorite`` with every problem, each
    field under ``content.``."""
    if not isinstance(content, Mapping):
        raise InvalidFavorite([FieldError("content", "must be an object")])
    unknown = sorted(set(content) - set(FAVORITE_FIELDS))
    errors = FieldErrors()
    for key in unknown:
        errors.add(str(key)[:40], "is not kept in a favorite (only the order, never a patient)")
    fields = parse_order_fields(content, template, errors)
    _check_hard_limits(fields, template, errors)
    if errors.errors:
        raise InvalidFavorite([FieldError(f"content.{e.field}", e.reason) for e in errors.errors])
    return fields_to_wire(fields)


def fields_to_wire(fields: OrderFields) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "ingredients": [line.to_wire() for line in fields.ingredients],
        "access": fields.access,
        "vehicle": None if fields.vehicle is None else fields.vehicle.to_wire(),
        "infusion_minutes": fields.infusion_minutes,
    }
    if fields.lipid_infusion_hours is not None:
        wire[LIPID_HOURS] = fields.lipid_infusion_hours
    return wire


@dataclass(frozen=True)
class FavoriteOnCurrent:
    """A favorite moved onto the template's current version: the order content to open,
    what changed in the template (``None``: the same version, or the old one unknown) and
    what that did to this favorite, one sentence each."""

    content: dict[str, Any]
    template: Template
    saved_version: int
    changes: TemplateChanges | None
    adjustments: tuple[str, ...]

    @property
    def template_changed(self) -> bool:
        return self.saved_version != self.template.version

    def lines(self) -> list[str]:
        """What the prescriber reads before signing: the template's changes, then this
        favorite's adjustments."""
        lines = [] if self.changes is None else self.changes.lines()
        if self.template_changed and self.changes is None:
            lines.append(
                f"{self.template.name} changed since version {self.saved_version} "
                f"(now version {self.template.version}); review every dose."
            )
        return lines + list(self.adjustments)


def _outside(value: Any, low: float | None, high: float | None) -> bool:
    return is_number(value) and (
        (low is not None and value < low) or (high is not None and value > high)
    )


def _ingredients_on(
    content: Mapping[str, Any], saved_on: Template | None, current: Template, said: list[str]
) -> list[Any]:
    kept: list[Any] = []
    for line in content.get("ingredients") or []:
        code = line.get("code") if isinstance(line, Mapping) else None
        row = current.ingredient(code) if isinstance(code, str) else None
        if row is None:
            old = saved_on.ingredient(code) if saved_on and isinstance(code, str) else None
            said.append(
                f"{code if old is None else old.name}: no longer in the template, left out "
                "of this order"
            )
            continue
        if line.get("unit", row.unit) != row.unit:
            said.append(
                f"{row.name}: now ordered in {row.unit}, not {line.get('unit')}; left out, "
                "enter the dose again"
            )
            continue
        amount = line.get("amount")
        if _outside(amount, row.min_amount, min(row.max_amount, row.block_above)):
            said.append(
                f"{row.name}: {format_amount(amount)} {row.unit} is outside this version's "
                "limits; kept as saved, the checks will block it until you change it"
            )
        kept.append(dict(line))
    return kept


def _vehicle_on(content: Mapping[str, Any], current: Template, said: list[str]) -> Any:
    vehicle = content.get("vehicle")
    if not isinstance(vehicle, Mapping):
        return vehicle
    option = current.vehicle(str(vehicle.get("code")))
    if option is None:
        if not current.vehicles:
            said.append(f"Vehicle {vehicle.get('code')}: the template takes none now; left out")
            return None
        default = current.vehicles[0]
        said.append(
            f"Vehicle {vehicle.get('code')}: no longer offered; {default.name} "
            f"{format_amount(default.default_volume_ml)} mL instead"
        )
        return {"code": default.code, "volume_ml": default.default_volume_ml}
    if _outside(vehicle.get("volume_ml"), option.min_volume_ml, option.max_volume_ml):
        said.append(
            f"{option.name}: {format_amount(vehicle['volume_ml'])} mL is outside this "
            "version's limits; kept as saved, change it before signing"
        )
    return dict(vehicle)


def apply_to_current(
    content: Mapping[str, Any],
    saved_version: int,
    saved_on: Template | None,
    current: Template,
) -> FavoriteOnCurrent:
    """``content`` (saved on version ``saved_version``: ``saved_on``, ``None`` when that
    version cannot be read) as an
    order on ``current``. Doses the current version no longer offers are left out, and
    said; doses outside its limits stay as saved, and said, so the checks block them."""
    said: list[str] = []
    moved: dict[str, Any] = dict(order_content(content))
    moved["ingredients"] = _ingredients_on(content, saved_on, current, said)
    if "vehicle" in moved:
        moved["vehicle"] = _vehicle_on(content, current, said)
    access = moved.get("access")
    if access and access not in current.access_routes:
        said.append(f"Access {access}: no longer allowed; choose the access again")
        moved["access"] = ""
    minutes = moved.get("infusion_minutes")
    if _outside(minutes, current.infusion_minutes_min, current.infusion_minutes_max):
        said.append(
            f"Infusion time {minutes} min is outside this version's range; kept as saved, "
            "change it before signing"
        )
    changes = None
    if saved_on is not None and saved_on.version != current.version:
        changes = diff_templates(saved_on, current)
    return FavoriteOnCurrent(
        content=moved,
        template=current,
        saved_version=saved_version,
        changes=changes,
        adjustments=tuple(said),
    )
