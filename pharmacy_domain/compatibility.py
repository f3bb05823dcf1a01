"""Calcium-phosphate compatibility at the bag's final volume.

ASPEN gives no single number [32]: the answer belongs to the amino-acid product's own
solubility curve. So, in order:

1. A curve the pharmacy configured (``resources/calcium_phosphate_curves.json``) for an
   amino-acid product in the bag, at or above its amino-acid concentration, decides:
   calcium above the curve at this phosphate blocks, within ``near_curve_fraction`` of it
   warns, below passes.
2. Otherwise the interim rule (``calcium_phosphate.interim`` in ``rules.json``): calcium
   (mEq/L) x phosphate (mmol/L), with limits by final amino-acid concentration. Past the
   block limit blocks, past the warning limit warns, and below it the result says it was
   checked by the interim rule only: never a silent pass.
3. With neither, compatibility is unknown (a warning that says so).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pharmacy_domain.numbers import format_rounded as _fmt
from pharmacy_domain.rules import CalciumPhosphateCurve, CalciumPhosphateRule


@dataclass(frozen=True)
class Verdict:
    code: str
    severity: str
    message: str
    source: str
    to_confirm: bool = False


@dataclass(frozen=True)
class BagMinerals:
    """The bag's calcium and phosphate (all in-bag sources, vehicle included)."""

    calcium_meq: float
    phosphate_mmol: float
    bag_ml: float | None
    volume_known: bool
    amino_acids_pct: float
    amino_acid_products: Collection[str]
    calcium_chloride: bool


@dataclass
class Result:
    figures: dict[str, float]
    verdicts: list[Verdict]


def _curve_for(rule: CalciumPhosphateRule, bag: BagMinerals) -> CalciumPhosphateCurve | None:
    usable = [
        curve
        for curve in rule.curves
        if (curve.amino_acid_product in bag.amino_acid_products or curve.amino_acid_product == "*")
        and bag.amino_acids_pct >= curve.min_amino_acids_pct
    ]
    return max(usable, key=lambda c: c.min_amino_acids_pct, default=None)


def check_calcium_phosphate(rule: CalciumPhosphateRule, bag: BagMinerals) -> Result:
    result = Result({}, [])
    if bag.calcium_meq <= 0 or bag.phosphate_mmol <= 0:
        return result
    verdicts = result.verdicts
    if bag.calcium_chloride and rule.calcium_chloride is not None:
        verdicts.append(
            Verdict(
                "calcium_phosphate.calcium_chloride",
                rule.calcium_chloride.severity,
                "Calcium chloride with phosphate in one bag: use calcium gluconate "
                "(it stays in solution at higher concentrations).",
                rule.calcium_chloride.source,
            )
        )
    if not bag.bag_ml:
        if bag.volume_known:
            verdicts.append(
                Verdict(
                    "calcium_phosphate.unknown",
                    rule.unknown_severity,
                    "Calcium and phosphate are both present and the volume is unknown: "
                    "compatibility cannot be checked.",
                    rule.source,
                )
            )
        return result
    ca_l = bag.calcium_meq * 1000 / bag.bag_ml
    p_l = bag.phosphate_mmol * 1000 / bag.bag_ml
    product = ca_l * p_l
    result.figures.update(
        calcium_meq_l=ca_l,
        calcium_mmol_l=ca_l / 2,  # Ca2+: 1 mmol = 2 mEq
        phosphate_mmol_l=p_l,
        calcium_phosphate_product=product,
    )
    levels = (
        f"Calcium {_fmt(ca_l)} mEq/L ({_fmt(ca_l / 2)} mmol/L) with phosphate {_fmt(p_l)} mmol/L"
    )
    curve = _curve_for(rule, bag)
    limit = None if curve is None else curve.max_calcium_meq_l(p_l)
    if curve is not None and limit is not None:
        verdicts.extend(_by_curve(rule, curve, limit, ca_l, levels))
        return result
    interim = rule.interim
    band = None if interim is None else interim.band(bag.amino_acids_pct)
    if interim is None or band is None:
        verdicts.append(
            Verdict(
                "calcium_phosphate.unknown",
                rule.unknown_severity,
                f"{levels}: no solubility curve is configured for this amino-acid product and "
                "concentration, so compatibility is UNKNOWN (not OK). The pharmacist must "
                "check it.",
                rule.source,
            )
        )
        return result
    at = f"{levels} (product {_fmt(product)}; amino acids {_fmt(bag.amino_acids_pct)} %)"
    if product > band.block_above:
        verdicts.append(
            Verdict(
                "calcium_phosphate.precipitation_risk",
                rule.precipitation_severity,
                f"{at} is past the interim limit of {_fmt(band.block_above)}: precipitation "
                "is likely. Lower the calcium or phosphate, or raise the volume.",
                interim.source,
                interim.to_confirm,
            )
        )
    elif product > band.warn_above:
        verdicts.append(
            Verdict(
                "calcium_phosphate.near_limit",
                "warn",
                f"{at} is near the interim limit (warning above {_fmt(band.warn_above)}, "
                f"incompatible above {_fmt(band.block_above)}). No curve is configured for "
                "this product: the pharmacist checks it.",
                interim.source,
                interim.to_confirm,
            )
        )
    else:
        verdicts.append(
            Verdict(
                "calcium_phosphate.interim",
                "info",
                f"{at} is below the interim warning limit of {_fmt(band.warn_above)}. No curve "
                "is configured for this product: this is the interim rule, not a product "
                "curve.",
                interim.source,
                interim.to_confirm,
            )
        )
    return result


def _by_curve(
    rule: CalciumPhosphateRule,
    curve: CalciumPhosphateCurve,
    limit: float,
    ca_l: float,
    levels: str,
) -> list[Verdict]:
    name = f" {curve.id}" if curve.id else ""
    source = curve.source or rule.source
    if ca_l > limit:
        return [
            Verdict(
                "calcium_phosphate.precipitation_risk",
                rule.precipitation_severity,
                f"{levels} is above the solubility curve{name} ({_fmt(limit)} mEq/L at this "
                "phosphate): precipitation risk.",
                source,
                curve.to_confirm,
            )
        ]
    if ca_l >= limit * rule.near_curve_fraction:
        return [
            Verdict(
                "calcium_phosphate.near_limit",
                "warn",
                f"{levels} is within {_fmt((1 - rule.near_curve_fraction) * 100)} % of the "
                f"solubility curve{name} ({_fmt(limit)} mEq/L at this phosphate).",
                source,
                curve.to_confirm,
            )
        ]
    return []
