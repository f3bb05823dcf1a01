"""Units of an order line, and conversions through each stock product's own factors.

An amount is entered in exactly one *measure* per ingredient and template (``mL``, a mass
``mcg``/``mg``/``g``, or ``mEq``/``mmol``). What "mg" or "mEq" of a product *means* (salt or
ion, and which ion) is fixed once, in the formulary, for that product: "500 mg calcium
gluconate" can therefore never be read as "500 mg calcium", the > 10x error behind the
Abacus recall (reference §5.1, [26]).

A template unit may carry a dosing basis: ``g/kg/day`` (per kg of dosing weight, per day),
``mg/m2`` (per m² of body-surface area) or ``mEq/day``. The *measure* is the part before
the first slash.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

# Mass units relative to one milligram.
MASS_IN_MG: Mapping[str, float] = {"mcg": 0.001, "mg": 1.0, "g": 1000.0}
VOLUME_IN_ML: Mapping[str, float] = {"mL": 1.0, "L": 1000.0}
AMOUNT_MEASURES = ("mEq", "mmol")
MEASURES = (*MASS_IN_MG, *VOLUME_IN_ML, *AMOUNT_MEASURES)
DOSING_BASES = ("per_bag", "per_day", "per_kg", "per_m2")


class UnitError(ValueError):
    """A unit is unknown, or a product cannot be measured in it."""


@dataclass(frozen=True)
class OrderUnit:
    """A template unit taken apart: ``g/kg/day`` is measure ``g``, per kg, per day."""

    text: str
    measure: str
    per_kg: bool
    per_m2: bool
    per_day: bool

    @property
    def dosing_basis(self) -> str:
        if self.per_kg:
            return "per_kg"
        if self.per_m2:
            return "per_m2"
        return "per_day" if self.per_day else "per_bag"


@lru_cache(maxsize=256)
def parse_order_unit(text: str) -> OrderUnit:
    """Split a template unit such as ``mEq/kg/day`` into its measure and basis."""
    parts = text.split("/")
    measure, qualifiers = parts[0], parts[1:]
    if measure not in MEASURES:
        raise UnitError(f"unknown measure {measure!r} in unit {text!r}")
    allowed = {"kg", "m2", "day"}
    if any(q not in allowed for q in qualifiers) or len(set(qualifiers)) != len(qualifiers):
        raise UnitError(f"unit {text!r}: only /kg, /m2 and /day may follow the measure")
    if "kg" in qualifiers and "m2" in qualifiers:
        raise UnitError(f"unit {text!r}: per kg and per m² cannot both apply")
    return OrderUnit(text, measure, "kg" in qualifiers, "m2" in qualifiers, "day" in qualifiers)


def convert_mass(amount: float, from_unit: str, to_unit: str) -> float:
    """Convert between mcg, mg and g."""
    try:
        return amount * MASS_IN_MG[from_unit] / MASS_IN_MG[to_unit]
    except KeyError as unknown:
        raise UnitError(f"not a mass unit: {unknown}") from None


def per_ml(measures: Mapping[str, float], measure: str) -> float:
    """How much of ``measure`` one mL of a product holds.

    ``measures`` is the product's own table (e.g. ``{"mg": 100, "mEq": 0.465}`` for
    calcium gluconate 10 %). Mass units convert among themselves; ``mEq`` and ``mmol`` are
    never derived from one another here, because the valence belongs to the product data.
    """
    if measure in VOLUME_IN_ML:
        return 1.0 / VOLUME_IN_ML[measure]
    if measure in measures:
        return measures[measure]
    if measure in MASS_IN_MG:
        for known, value in measures.items():
            if known in MASS_IN_MG:
                return convert_mass(value, known, measure)
    raise UnitError(f"the product cannot be measured in {measure}")


def amount_to_ml(amount: float, measure: str, measures: Mapping[str, float]) -> float:
    """Volume of stock product that delivers ``amount`` of ``measure``."""
    concentration = per_ml(measures, measure)
    if concentration <= 0 or not math.isfinite(concentration):
        raise UnitError(f"the product has no usable concentration in {measure}")
    return amount / concentration


def ml_to_amount(volume_ml: float, measure: str, measures: Mapping[str, float]) -> float:
    """Amount of ``measure`` delivered by ``volume_ml`` of stock product."""
    return volume_ml * per_ml(measures, measure)


def convert(
    amount: float, from_measure: str, to_measure: str, measures: Mapping[str, float]
) -> float:
    """Convert an amount of one product between two of its measures (through mL)."""
    return ml_to_amount(amount_to_ml(amount, from_measure, measures), to_measure, measures)


def body_surface_area_m2(weight_kg: float, height_cm: float) -> float:
    """Mosteller body-surface area: sqrt(height cm × weight kg / 3600)."""
    return math.sqrt(height_cm * weight_kg / 3600.0)
