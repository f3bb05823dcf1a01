"""What changed between two versions of one template, said row by row.

A repeated order or a saved favorite names the template version it was written on. When
the pharmacy has published a newer version since, the prescriber is shown what changed
before signing: an ingredient added or removed, a limit moved, a vehicle or access route
added or withdrawn, the infusion times' range. Pure data in, plain sentences out, so the
client's composer and the server's favorites say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pharmacy_domain.numbers import format_amount
from pharmacy_domain.templates import Template, TemplateIngredient, VehicleOption

# The limits of an ingredient row a prescriber relies on, in the order they are said.
_ROW_LIMITS: tuple[tuple[str, Callable[[TemplateIngredient], float | None]], ...] = (
    ("entry minimum", lambda row: row.min_amount),
    ("entry maximum", lambda row: row.max_amount),
    ("usual minimum", lambda row: row.typical_min),
    ("usual maximum", lambda row: row.typical_max),
    ("hard limit", lambda row: row.block_above),
    ("default", lambda row: row.default_amount),
)

_VEHICLE_LIMITS: tuple[tuple[str, Callable[[VehicleOption], float]], ...] = (
    ("minimum volume", lambda vehicle: vehicle.min_volume_ml),
    ("maximum volume", lambda vehicle: vehicle.max_volume_ml),
    ("default volume", lambda vehicle: vehicle.default_volume_ml),
)


@dataclass(frozen=True)
class TemplateChange:
    """One difference: what it is about (an ingredient, a vehicle, the template) and the
    sentence that says it."""

    subject: str
    text: str


@dataclass(frozen=True)
class TemplateChanges:
    """Every difference from ``old_version`` to ``new_version`` of ``template_id``."""

    template_id: str
    template_name: str
    old_version: int
    new_version: int
    changes: tuple[TemplateChange, ...]

    @property
    def changed(self) -> bool:
        return self.old_version != self.new_version or bool(self.changes)

    def summary(self) -> str:
        """One line naming the template and its versions (the heading of the list)."""
        return (
            f"{self.template_name} changed since version {self.old_version} "
            f"(now version {self.new_version})"
        )

    def lines(self) -> list[str]:
        """The heading then one line per change; a new version with nothing a prescriber
        relies on changed says so rather than showing an empty list."""
        if not self.changed:
            return []
        details = [change.text for change in self.changes] or [
            "No dose, limit, vehicle or access route changed."
        ]
        return [self.summary(), *details]


def _number(value: float | None, unit: str) -> str:
    return "none" if value is None else f"{format_amount(value)} {unit}"


def _row_changes(old: TemplateIngredient, new: TemplateIngredient) -> Iterable[TemplateChange]:
    if old.unit != new.unit:
        yield TemplateChange(new.name, f"{new.name}: unit {old.unit} → {new.unit}")
    if old.dosing_basis != new.dosing_basis:
        yield TemplateChange(new.name, f"{new.name}: dosed {old.dosing_basis} → {new.dosing_basis}")
    for label, read in _ROW_LIMITS:
        before, after = read(old), read(new)
        if before != after:
            yield TemplateChange(
                new.name,
                f"{new.name}: {label} {_number(before, old.unit)} → {_number(after, new.unit)}",
            )
    if old.to_confirm != new.to_confirm:
        state = "marked to confirm" if new.to_confirm else "confirmed by the pharmacy"
        yield TemplateChange(new.name, f"{new.name}: limits now {state}")


def _vehicle_changes(old: VehicleOption, new: VehicleOption) -> Iterable[TemplateChange]:
    for label, read in _VEHICLE_LIMITS:
        before, after = read(old), read(new)
        if before != after:
            yield TemplateChange(
                new.name, f"{new.name}: {label} {_number(before, 'mL')} → {_number(after, 'mL')}"
            )


def _minutes(value: int | None) -> str:
    return "none" if value is None else f"{value} min"


def _rows_added_and_changed(old: Template, new: Template) -> Iterable[TemplateChange]:
    old_rows = {row.code: row for row in old.ingredients}
    new_codes = {row.code for row in new.ingredients}
    for row in old.ingredients:
        if row.code not in new_codes:
            yield TemplateChange(row.name, f"{row.name}: removed from the template")
    for row in new.ingredients:
        before = old_rows.get(row.code)
        if before is None:
            yield TemplateChange(row.name, f"{row.name}: added to the template")
        else:
            yield from _row_changes(before, row)


def _vehicles_added_and_changed(old: Template, new: Template) -> Iterable[TemplateChange]:
    old_vehicles = {vehicle.code: vehicle for vehicle in old.vehicles}
    new_codes = {vehicle.code for vehicle in new.vehicles}
    for vehicle in old.vehicles:
        if vehicle.code not in new_codes:
            yield TemplateChange(vehicle.name, f"{vehicle.name}: no longer offered")
    for vehicle in new.vehicles:
        previous = old_vehicles.get(vehicle.code)
        if previous is None:
            yield TemplateChange(vehicle.name, f"{vehicle.name}: now offered")
        else:
            yield from _vehicle_changes(previous, vehicle)


def _access_and_time_changes(old: Template, new: Template) -> Iterable[TemplateChange]:
    for route in old.access_routes:
        if route not in new.access_routes:
            yield TemplateChange("access", f"Access {route}: no longer allowed")
    for route in new.access_routes:
        if route not in old.access_routes:
            yield TemplateChange("access", f"Access {route}: now allowed")
    for label, before, after in (
        ("shortest", old.infusion_minutes_min, new.infusion_minutes_min),
        ("longest", old.infusion_minutes_max, new.infusion_minutes_max),
    ):
        if before != after:
            yield TemplateChange(
                "infusion time", f"Infusion time: {label} {_minutes(before)} → {_minutes(after)}"
            )


def diff_templates(old: Template, new: Template) -> TemplateChanges:
    """What a prescriber must know moving an order from ``old`` to ``new`` (same template)."""
    if old.id != new.id:
        raise ValueError(f"not two versions of one template: {old.id} and {new.id}")
    changes = (
        *_rows_added_and_changed(old, new),
        *_vehicles_added_and_changed(old, new),
        *_access_and_time_changes(old, new),
    )
    return TemplateChanges(
        template_id=new.id,
        template_name=new.name,
        old_version=old.version,
        new_version=new.version,
        changes=changes,
    )
