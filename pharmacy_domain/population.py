"""Whom a template is for, and the patient's age on the order's date.

Each template states its population (``"population"`` in its file): an age range in years
and, where dosing depends on size, a weight range in kg, each with its source. An order for
a patient outside it blocks (pharmacist only) with the reason; a weight the population needs
but the order lacks is "unknown" (a warning that says so), never a pass. Age is computed
from the birth date on the order's date (the engine's ``today``), never the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from pharmacy_domain.numbers import format_amount

SEVERITIES = ("info", "warn", "block")


class PopulationError(ValueError):
    """A population definition is malformed."""


class Concern(NamedTuple):
    """A finding as the new check modules report it; the engine turns it into a ``Finding``.
    (A named tuple: it is made per keystroke, and is cheaper to make than a dataclass.)"""

    code: str
    severity: str
    message: str
    field: str
    source: str
    to_confirm: bool = False
    rule: str = ""


@dataclass(frozen=True)
class Age:
    """Completed years, completed months and days since birth, on one date."""

    years: int
    months: int
    days: int

    def text(self) -> str:
        if self.years >= 2:
            return f"{self.years} years old"
        if self.months >= 1:
            return f"{self.months} months old"
        return f"{self.days} days old"


def age_on(birth_date: dt.date, on: dt.date) -> Age:
    """The age on ``on``: a birthday counts from its day (29 February from 1 March)."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    return Age(years=months // 12, months=months, days=(on - birth_date).days)


@dataclass(frozen=True)
class Population:
    """Whom a template's doses and limits were written for.

    ``min_age_years`` is inclusive and ``max_age_years`` exclusive (``18``/``None``: adults);
    the weight bounds are inclusive. ``label`` says it in words ("Adults (18 years and over)").
    """

    label: str
    min_age_years: float | None = None
    max_age_years: float | None = None
    min_weight_kg: float | None = None
    max_weight_kg: float | None = None
    source: str = ""
    to_confirm: bool = False

    @property
    def needs_weight(self) -> bool:
        return self.min_weight_kg is not None or self.max_weight_kg is not None

    def to_wire(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "min_age_years": self.min_age_years,
            "max_age_years": self.max_age_years,
            "min_weight_kg": self.min_weight_kg,
            "max_weight_kg": self.max_weight_kg,
            "source": self.source,
            "to_confirm": self.to_confirm,
        }


def _bound(raw: Mapping[str, Any], key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PopulationError(f"{where}: '{key}' must be a non-negative number")
    return float(value)


def population_from_dict(raw: Any, where: str = "population") -> Population:
    if not isinstance(raw, Mapping):
        raise PopulationError(f"{where} must be an object")
    population = Population(
        label=str(raw.get("label", "")),
        min_age_years=_bound(raw, "min_age_years", where),
        max_age_years=_bound(raw, "max_age_years", where),
        min_weight_kg=_bound(raw, "min_weight_kg", where),
        max_weight_kg=_bound(raw, "max_weight_kg", where),
        source=str(raw.get("source", "")),
        to_confirm=bool(raw.get("to_confirm", False)),
    )
    if not population.label or not population.source:
        raise PopulationError(f"{where}: a label and a source are required")
    for low, high in (
        (population.min_age_years, population.max_age_years),
        (population.min_weight_kg, population.max_weight_kg),
    ):
        if low is not None and high is not None and low >= high:
            raise PopulationError(f"{where}: a lower bound lies at or above its upper bound")
    return population


def _years(years: float) -> str:
    return f"{format_amount(years)} years"


def check_population(
    population: Population | None,
    *,
    template_name: str,
    birth_date: dt.date | None,
    weight_kg: float | None,
    today: dt.date,
) -> list[Concern]:
    """Block an order for a patient outside the template's population; say "unknown" when
    the population cannot be checked (no population stated, no birth date, no weight)."""
    if population is None:
        return [
            Concern(
                "population.unknown",
                "warn",
                f"{template_name} does not state whom it is for: the patient's age and "
                "weight cannot be checked against it.",
                "template_id",
                "templates: each template states its population",
                to_confirm=True,
            )
        ]
    found: list[Concern] = []
    source, confirm = population.source, population.to_confirm
    if birth_date is None:
        found.append(
            Concern(
                "population.unknown",
                "warn",
                f"{template_name} is for {population.label}: without a birth date the "
                "patient's age cannot be checked.",
                "patient.birth_date",
                source,
                confirm,
            )
        )
    else:
        age = age_on(birth_date, today)
        exact_years = age.months / 12
        too_young = population.min_age_years is not None and exact_years < population.min_age_years
        too_old = population.max_age_years is not None and exact_years >= population.max_age_years
        if too_young or too_old:
            limit = (
                f"under {_years(population.min_age_years)}"
                if too_young and population.min_age_years is not None
                else f"{_years(population.max_age_years or 0)} or older"
            )
            found.append(
                Concern(
                    "population.outside",
                    "block",
                    f"{template_name} is for {population.label}; the patient is "
                    f"{age.text()} on {today.isoformat()} ({limit}).",
                    "patient.birth_date",
                    source,
                    confirm,
                )
            )
    if population.needs_weight:
        low, high = population.min_weight_kg, population.max_weight_kg
        if weight_kg is None:
            found.append(
                Concern(
                    "population.unknown",
                    "warn",
                    f"{template_name} is for {population.label}: without a weight the "
                    "patient cannot be checked against its weight range.",
                    "patient.weight_kg",
                    source,
                    confirm,
                )
            )
        elif (low is not None and weight_kg < low) or (high is not None and weight_kg > high):
            bounds = f"{format_amount(low or 0)}–{'' if high is None else format_amount(high)} kg"
            found.append(
                Concern(
                    "population.outside",
                    "block",
                    f"{template_name} is for {population.label} ({bounds}); the patient "
                    f"weighs {format_amount(weight_kg)} kg.",
                    "patient.weight_kg",
                    source,
                    confirm,
                )
            )
    return found
