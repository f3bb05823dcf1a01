"""Infusion figures the rule table checks (``rules.json`` thresholds).

- The separately run lipid: its rate in g/kg/h over the order's lipid infusion time, and
  that time as the emulsion's hang time. A lipid inside the bag (3-in-1) runs with the bag.
- Concentrations at the bag's final volume: potassium in mEq/L (checked per access route).
- A cycled bag's plateau: the pump runs faster between the tapers than the average, so the
  glucose infusion rate is worked out at the plateau as well.

The template says what applies: ``lipid_infusion_hours`` (the order field's default and
range) on templates that run lipid separately, and ``cycle`` (taper lengths) on cycled ones.
Both are plain template data, so a new template opts in without a code change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # templates.py calls check_template_specs while it loads
    from pharmacy_domain.templates import Template


class InfusionSpecError(ValueError):
    """A template's ``lipid_infusion_hours`` or ``cycle`` block is malformed."""


@dataclass(frozen=True)
class LipidInfusionSpec:
    """The order's lipid infusion time for a template that runs lipid separately."""

    default_hours: float | None
    min_hours: float
    max_hours: float
    source: str = ""


@dataclass(frozen=True)
class Cycle:
    """A cycled infusion: the rate ramps up over the first taper and down over the last.

    A linear ramp from zero to the plateau delivers half the plateau volume over the taper,
    and so does the common "first and last hour at half rate": either way the bag runs at
    its plateau for ``total - (up + down) / 2`` minutes' worth of volume.
    """

    taper_up_minutes: float
    taper_down_minutes: float

    def plateau_equivalent_minutes(self, total_minutes: float) -> float | None:
        """Minutes at the plateau rate that deliver the whole bag; ``None`` when the tapers
        leave no plateau (the figure cannot be worked out)."""
        if total_minutes <= self.taper_up_minutes + self.taper_down_minutes:
            return None
        return total_minutes - (self.taper_up_minutes + self.taper_down_minutes) / 2


def _number(raw: Mapping[str, Any], key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InfusionSpecError(f"{where}: '{key}' must be a number ≥ 0, got {value!r}")
    return float(value)


def lipid_infusion_spec(template: Template) -> LipidInfusionSpec | None:
    """The template's ``lipid_infusion_hours`` block, or ``None`` when it has none."""
    raw = template.extra.get("lipid_infusion_hours")
    if raw is None:
        return None
    where = f"template {template.id} lipid_infusion_hours"
    if not isinstance(raw, Mapping):
        raise InfusionSpecError(f"{where}: must be an object")
    low = _number(raw, "min", where)
    high = _number(raw, "max", where)
    default = None if raw.get("default") is None else _number(raw, "default", where)
    if not 0 < low <= high or (default is not None and not low <= default <= high):
        raise InfusionSpecError(f"{where}: needs 0 < min ≤ default ≤ max")
    return LipidInfusionSpec(default, low, high, str(raw.get("source", "")))


def cycle_of(template: Template) -> Cycle | None:
    """The template's ``cycle`` block, or ``None`` for a continuous infusion."""
    raw = template.extra.get("cycle")
    if raw is None:
        return None
    where = f"template {template.id} cycle"
    if not isinstance(raw, Mapping):
        raise InfusionSpecError(f"{where}: must be an object")
    return Cycle(_number(raw, "taper_up_minutes", where), _number(raw, "taper_down_minutes", where))


def check_template_specs(template: Template) -> None:
    """Raise ``InfusionSpecError`` when either block is malformed (catalog load time)."""
    lipid_infusion_spec(template)
    cycle_of(template)


@dataclass(frozen=True)
class InfusionInputs:
    """What the engine has worked out for one order; ``None`` where it is not known."""

    template: Template
    weight_kg: float | None
    bag_ml: float | None
    bag_minutes: int | None
    bag_contents: Mapping[str, float]
    separate_lipid_g: float
    lipid_infusion_hours: float | None
    volume_known: bool


def infusion_figures(given: InfusionInputs) -> dict[str, float | None]:
    """The computed quantities this module adds (``None``: needed but not known, which the
    threshold rules report as ``*.unknown``). Absent keys do not apply to the order."""
    figures: dict[str, float | None] = {}
    _lipid_figures(given, figures)
    _per_litre(given, figures)
    _plateau(given, figures)
    return figures


def _lipid_figures(given: InfusionInputs, figures: dict[str, float | None]) -> None:
    # A lipid whose volume is not known yet (no weight) still counts when the template
    # runs one separately: its figures are then unknown rather than absent.
    maybe_unseen = not given.volume_known and lipid_infusion_spec(given.template) is not None
    if given.separate_lipid_g <= 0 and not maybe_unseen:
        return
    hours = given.lipid_infusion_hours
    figures["lipid_hang_hours"] = hours
    kg = given.weight_kg
    figures["lipid_rate_g_kg_h"] = (
        given.separate_lipid_g / kg / hours
        if given.volume_known and kg and hours and given.separate_lipid_g > 0
        else None
    )


def _per_litre(given: InfusionInputs, figures: dict[str, float | None]) -> None:
    potassium = given.bag_contents.get("potassium_meq", 0.0)
    if potassium <= 0 and given.volume_known:
        return
    volume = given.bag_ml
    figures["potassium_meq_l"] = (
        potassium * 1000 / volume if given.volume_known and volume else None
    )


def _plateau(given: InfusionInputs, figures: dict[str, float | None]) -> None:
    cycle = cycle_of(given.template)
    if cycle is None:
        return
    minutes = given.bag_minutes
    plateau = None if minutes is None else cycle.plateau_equivalent_minutes(minutes)
    volume = given.bag_ml if given.volume_known else None
    figures["plateau_rate_ml_h"] = (
        volume * 60 / plateau if plateau is not None and volume is not None else None
    )
    dextrose = given.bag_contents.get("dextrose_g", 0.0)
    if dextrose <= 0 and given.volume_known:
        return
    kg = given.weight_kg
    figures["gir_plateau_mg_kg_min"] = (
        dextrose * 1000 / (kg * plateau) if given.volume_known and kg and plateau else None
    )
