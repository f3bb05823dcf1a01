"""The pharmacy's rule table (``resources/rules.json``), typed.

In the spirit of TPNCDS [63]: each threshold rule names a computed quantity and a warning
and an unacceptable ("block") bound, optionally scoped to templates, categories or access
routes. Everything is data, so the pharmacy can edit every limit without a code change.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pharmacy_domain.excipients import (
    ExcipientDataError,
    YoungExcipientRules,
    young_rules_from_dict,
)
from pharmacy_domain.prerequisites import (
    SEVERITIES,
    LabPrerequisite,
    PrerequisiteError,
    prerequisite_from_dict,
)
from pharmacy_domain.resources import load_json, resource_path


class RulesError(ValueError):
    """The rules data file is malformed."""


@dataclass(frozen=True)
class Scope:
    """Where a rule applies; an empty tuple means everywhere."""

    templates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    access: tuple[str, ...] = ()

    def matches(self, template_id: str, category: str, access: str) -> bool:
        return (
            (not self.templates or template_id in self.templates)
            and (not self.categories or category in self.categories)
            and (not self.access or access in self.access)
        )


@dataclass(frozen=True)
class ThresholdRule:
    id: str
    code: str
    label: str
    quantity: str
    unit: str
    message: str
    field: str
    scope: Scope = Scope()
    warn_above: float | None = None
    block_above: float | None = None
    warn_below: float | None = None
    block_below: float | None = None
    applies_if_present: str | None = None
    unknown_severity: str = "warn"
    source: str = ""
    to_confirm: bool = False


@dataclass(frozen=True)
class NoteRule:
    """A note raised when every listed content exceeds its amount."""

    id: str
    code: str
    severity: str
    all_above: Mapping[str, float]
    message: str
    field: str
    with_other_ingredients: bool = False
    scope: Scope = Scope()
    source: str = ""
    to_confirm: bool = False


@dataclass(frozen=True)
class SimpleRule:
    severity: str
    source: str = ""


@dataclass(frozen=True)
class CalciumPhosphateCurve:
    """A pharmacist-configured solubility curve for one amino-acid product.

    ``points``: (phosphate mmol/L, maximum calcium mEq/L) pairs in rising phosphate order;
    valid for final amino acids at or above ``min_amino_acids_pct``.
    """

    amino_acid_product: str
    min_amino_acids_pct: float
    points: tuple[tuple[float, float], ...]
    source: str = ""
    id: str = ""
    to_confirm: bool = False

    def max_calcium_meq_l(self, phosphate_mmol_l: float) -> float | None:
        """Linear interpolation; ``None`` outside the curve (unknown, never OK)."""
        points = self.points
        if not points or phosphate_mmol_l < points[0][0] or phosphate_mmol_l > points[-1][0]:
            return None
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if x0 <= phosphate_mmol_l <= x1:
                if x1 == x0:
                    return min(y0, y1)
                return y0 + (y1 - y0) * (phosphate_mmol_l - x0) / (x1 - x0)
        return points[0][1] if len(points) == 1 else None


@dataclass(frozen=True)
class InterimBand:
    """Calcium (mEq/L) x phosphate (mmol/L) limits from a final amino-acid concentration up."""

    min_amino_acids_pct: float
    warn_above: float
    block_above: float


@dataclass(frozen=True)
class InterimCalciumPhosphate:
    """The conservative rule used when no configured curve covers the bag."""

    bands: tuple[InterimBand, ...]
    source: str = ""
    to_confirm: bool = True

    def band(self, amino_acids_pct: float) -> InterimBand | None:
        usable = [b for b in self.bands if amino_acids_pct >= b.min_amino_acids_pct]
        return max(usable, key=lambda b: b.min_amino_acids_pct, default=None)


@dataclass(frozen=True)
class CalciumPhosphateRule:
    unknown_severity: str = "warn"
    precipitation_severity: str = "block"
    curves: tuple[CalciumPhosphateCurve, ...] = ()
    source: str = ""
    #: Calcium at or above this share of the curve's maximum is "near the curve" (warn).
    near_curve_fraction: float = 0.9
    interim: InterimCalciumPhosphate | None = None
    calcium_chloride: SimpleRule | None = None


@dataclass(frozen=True)
class ThreeInOneRule:
    min_amino_acids_pct: float = 4.0
    min_dextrose_pct: float = 10.0
    min_lipid_pct: float = 2.0
    severity: str = "warn"
    source: str = ""


@dataclass(frozen=True)
class RefeedingRule:
    categories: tuple[str, ...] = ("parenteral-nutrition",)
    bmi_significant_below: float = 16.0
    bmi_moderate_below: float = 18.5
    low_lab_codes: tuple[str, ...] = ("potassium", "phosphate", "magnesium")
    low_interpretations: tuple[str, ...] = ("low", "critical")
    start_dextrose_max_g_day: float = 150.0
    start_kcal_max_per_kg: float = 20.0
    severity: str = "warn"
    source: str = ""


@dataclass(frozen=True)
class Rules:
    version: int
    thresholds: tuple[ThresholdRule, ...]
    prerequisites: tuple[LabPrerequisite, ...]
    notes: tuple[NoteRule, ...]
    calcium_phosphate: CalciumPhosphateRule
    three_in_one: ThreeInOneRule
    refeeding: RefeedingRule
    allergy: SimpleRule = SimpleRule("block")
    dosing_weight: SimpleRule = SimpleRule("block")
    osmolarity_incomplete: SimpleRule = SimpleRule("info")
    young_excipients: YoungExcipientRules = field(default_factory=YoungExcipientRules)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_wire(self) -> dict[str, Any]:
        """The rule table as loaded (it is the pharmacy's editable document)."""
        return dict(self.raw)


def _severity(value: Any, where: str) -> str:
    if value not in SEVERITIES:
        raise RulesError(f"{where}: severity {value!r} is not one of {', '.join(SEVERITIES)}")
    return str(value)


def _opt(raw: Mapping[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return None if value is None else float(value)


def _scope(raw: Mapping[str, Any]) -> Scope:
    return Scope(
        templates=tuple(raw.get("templates") or ()),
        categories=tuple(raw.get("categories") or ()),
        access=tuple(raw.get("access") or ()),
    )


def _threshold(raw: Mapping[str, Any]) -> ThresholdRule:
    where = f"threshold {raw.get('id', '?')}"
    rule = ThresholdRule(
        id=str(raw["id"]),
        code=str(raw["code"]),
        label=str(raw.get("label", raw["quantity"])),
        quantity=str(raw["quantity"]),
        unit=str(raw.get("unit", "")),
        message=str(raw["message"]),
        field=str(raw.get("field", "")),
        scope=_scope(raw),
        warn_above=_opt(raw, "warn_above"),
        block_above=_opt(raw, "block_above"),
        warn_below=_opt(raw, "warn_below"),
        block_below=_opt(raw, "block_below"),
        applies_if_present=raw.get("applies_if_present"),
        unknown_severity=_severity(raw.get("unknown_severity", "warn"), where),
        source=str(raw.get("source", "")),
        to_confirm=bool(raw.get("to_confirm", False)),
    )
    if None not in (rule.warn_above, rule.block_above):
        assert rule.warn_above is not None and rule.block_above is not None
        if rule.warn_above > rule.block_above:
            raise RulesError(f"{where}: warn_above lies above block_above")
    if all(
        v is None for v in (rule.warn_above, rule.block_above, rule.warn_below, rule.block_below)
    ):
        raise RulesError(f"{where}: no threshold given")
    return rule


def _note(raw: Mapping[str, Any]) -> NoteRule:
    where = f"note {raw.get('id', '?')}"
    return NoteRule(
        id=str(raw["id"]),
        code=str(raw["code"]),
        severity=_severity(raw.get("severity", "info"), where),
        all_above={str(k): float(v) for k, v in raw["all_above"].items()},
        message=str(raw["message"]),
        field=str(raw.get("field", "ingredients")),
        with_other_ingredients=bool(raw.get("with_other_ingredients", False)),
        scope=_scope(raw),
        source=str(raw.get("source", "")),
        to_confirm=bool(raw.get("to_confirm", False)),
    )


def curve_from_dict(
    raw: Mapping[str, Any], *, allow_example: bool = False
) -> CalciumPhosphateCurve:
    """One curve in its file form (see ``resources/calcium_phosphate_curves.json``)."""
    where = f"calcium-phosphate curve {raw.get('id', '?')}"
    if raw.get("example") and not allow_example:
        raise RulesError(f"{where} is marked as an example: it may not decide real orders")
    points = tuple(sorted((float(p[0]), float(p[1])) for p in raw["points"]))
    if len(points) < 2 or any(x < 0 or y < 0 for x, y in points):
        raise RulesError(f"{where}: needs at least two (phosphate, calcium) points ≥ 0")
    return CalciumPhosphateCurve(
        amino_acid_product=str(raw["amino_acid_product"]),
        min_amino_acids_pct=float(raw.get("min_amino_acids_pct", 0)),
        points=points,
        source=str(raw.get("source", "")),
        id=str(raw.get("id", "")),
        to_confirm=bool(raw.get("to_confirm", False)),
    )


def curves_from_dict(
    data: Mapping[str, Any], *, allow_example: bool = False
) -> tuple[CalciumPhosphateCurve, ...]:
    """The curves of one curves file."""
    if int(data.get("format", 0)) != 1:
        raise RulesError("calcium-phosphate curves file: 'format' must be 1")
    return tuple(curve_from_dict(c, allow_example=allow_example) for c in data.get("curves", []))


def _interim(raw: Mapping[str, Any] | None) -> InterimCalciumPhosphate | None:
    if not raw:
        return None
    bands = tuple(
        InterimBand(
            min_amino_acids_pct=float(b.get("min_amino_acids_pct", 0)),
            warn_above=float(b["warn_above"]),
            block_above=float(b["block_above"]),
        )
        for b in raw["bands"]
    )
    if any(b.warn_above > b.block_above for b in bands):
        raise RulesError("calcium_phosphate.interim: warn_above lies above block_above")
    return InterimCalciumPhosphate(
        bands, str(raw.get("source", "")), bool(raw.get("to_confirm", True))
    )


def _calcium_phosphate(
    raw: Mapping[str, Any], file_curves: tuple[CalciumPhosphateCurve, ...] = ()
) -> CalciumPhosphateRule:
    curves = tuple(curve_from_dict(c) for c in raw.get("curves", [])) + file_curves
    fraction = float(raw.get("near_curve_fraction", 0.9))
    if not 0 < fraction <= 1:
        raise RulesError("calcium_phosphate.near_curve_fraction must lie in (0, 1]")
    chloride = raw.get("calcium_chloride")
    return CalciumPhosphateRule(
        unknown_severity=_severity(raw.get("unknown_severity", "warn"), "calcium_phosphate"),
        precipitation_severity=_severity(
            raw.get("precipitation_severity", "block"), "calcium_phosphate"
        ),
        curves=curves,
        source=str(raw.get("source", "")),
        near_curve_fraction=fraction,
        interim=_interim(raw.get("interim")),
        calcium_chloride=None
        if chloride is None
        else _simple(chloride, "warn", "calcium_phosphate.calcium_chloride"),
    )


def _simple(raw: Mapping[str, Any] | None, default: str, where: str) -> SimpleRule:
    raw = raw or {}
    return SimpleRule(_severity(raw.get("severity", default), where), str(raw.get("source", "")))


def rules_from_dict(data: Mapping[str, Any], curves: Mapping[str, Any] | None = None) -> Rules:
    """Build the rule table from its file form, refusing anything malformed. ``curves`` is
    the pharmacy's calcium-phosphate curves file, when it has one."""
    try:
        file_curves = () if curves is None else curves_from_dict(curves)
        three = data.get("three_in_one") or {}
        refeeding = data.get("refeeding") or {}
        return Rules(
            version=int(data.get("version", 1)),
            thresholds=tuple(_threshold(r) for r in data.get("thresholds", [])),
            prerequisites=tuple(prerequisite_from_dict(p) for p in data.get("prerequisites", [])),
            notes=tuple(_note(n) for n in data.get("notes", [])),
            calcium_phosphate=_calcium_phosphate(data.get("calcium_phosphate") or {}, file_curves),
            three_in_one=ThreeInOneRule(
                min_amino_acids_pct=float(three.get("min_amino_acids_pct", 4)),
                min_dextrose_pct=float(three.get("min_dextrose_pct", 10)),
                min_lipid_pct=float(three.get("min_lipid_pct", 2)),
                severity=_severity(three.get("severity", "warn"), "three_in_one"),
                source=str(three.get("source", "")),
            ),
            refeeding=RefeedingRule(
                categories=tuple(refeeding.get("categories", ("parenteral-nutrition",))),
                bmi_significant_below=float(refeeding.get("bmi_significant_below", 16)),
                bmi_moderate_below=float(refeeding.get("bmi_moderate_below", 18.5)),
                low_lab_codes=tuple(
                    refeeding.get("low_lab_codes", ("potassium", "phosphate", "magnesium"))
                ),
                low_interpretations=tuple(
                    refeeding.get("low_interpretations", ("low", "critical"))
                ),
                start_dextrose_max_g_day=float(refeeding.get("start_dextrose_max_g_day", 150)),
                start_kcal_max_per_kg=float(refeeding.get("start_kcal_max_per_kg", 20)),
                severity=_severity(refeeding.get("severity", "warn"), "refeeding"),
                source=str(refeeding.get("source", "")),
            ),
            allergy=_simple(data.get("allergy"), "block", "allergy"),
            dosing_weight=_simple(data.get("dosing_weight"), "block", "dosing_weight"),
            osmolarity_incomplete=_simple(
                data.get("osmolarity_incomplete"), "info", "osmolarity_incomplete"
            ),
            young_excipients=young_rules_from_dict(data.get("excipients_young")),
            raw=data,
        )
    except RulesError:
        raise
    except (PrerequisiteError, ExcipientDataError) as error:
        raise RulesError(str(error)) from None
    except (KeyError, TypeError, ValueError) as error:
        raise RulesError(f"malformed rules: {error!r}") from None


def load_rules(path: Path | None = None) -> Rules:
    """Read ``resources/rules.json`` (or ``path``) and the calcium-phosphate curves file it
    names (``calcium_phosphate.curves_file``, beside it)."""
    if path is None:
        data = load_json("rules.json")
        folder = resource_path()
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        folder = path.parent
    name = (data.get("calcium_phosphate") or {}).get("curves_file")
    curves = None
    if name:
        curves_path = folder / str(name)
        if curves_path.parent != folder:
            raise RulesError("calcium_phosphate.curves_file must name a file beside rules.json")
        curves = json.loads(curves_path.read_text(encoding="utf-8"))
    return rules_from_dict(data, curves)
