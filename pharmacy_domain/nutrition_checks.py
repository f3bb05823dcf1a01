"""Checks of a nutrition bag's physical stability: calcium–phosphate solubility and the
3-in-1 emulsion's minimum concentrations."""

from __future__ import annotations

from pharmacy_domain.check_run import CheckRun
from pharmacy_domain.compatibility import BagMinerals
from pharmacy_domain.compatibility import check_calcium_phosphate as solubility
from pharmacy_domain.numbers import format_rounded as _fmt


def check_calcium_phosphate(run: CheckRun) -> None:
    bag = run.bag_contents()
    volume = run.computed.get("total_volume_ml")
    in_bag = [line for line in run.lines if line.in_bag]
    result = solubility(
        run.rules.calcium_phosphate,
        BagMinerals(
            calcium_meq=bag.get("calcium_meq", 0.0),
            phosphate_mmol=bag.get("phosphate_mmol", 0.0),
            bag_ml=volume,
            volume_known=not run.incomplete_volume,
            amino_acids_pct=run.computed.get("amino_acids_pct")
            or (bag.get("amino_acids_g", 0.0) * 100 / volume if volume else 0.0),
            amino_acid_products={line.product.code for line in in_bag},
            calcium_chloride=any(
                {"calcium", "chloride"} <= set(line.product.salt_of) for line in in_bag
            ),
        ),
    )
    run.computed.update(result.figures)
    where = run.field_for("ingredient:phosphate_mmol")
    for verdict in result.verdicts:
        run.add(
            verdict.code,
            verdict.severity,
            verdict.message,
            where,
            verdict.source,
            to_confirm=verdict.to_confirm,
        )


def check_three_in_one(run: CheckRun) -> None:
    lipid_pct = run.computed.get("lipid_pct")
    if not lipid_pct:
        return
    rule = run.rules.three_in_one
    aa = run.computed.get("amino_acids_pct") or 0.0
    dex = run.computed.get("dextrose_pct") or 0.0
    short = []
    if aa < rule.min_amino_acids_pct:
        short.append(f"amino acids {_fmt(aa)} % (< {_fmt(rule.min_amino_acids_pct)} %)")
    if dex < rule.min_dextrose_pct:
        short.append(f"dextrose {_fmt(dex)} % (< {_fmt(rule.min_dextrose_pct)} %)")
    if lipid_pct < rule.min_lipid_pct:
        short.append(f"lipid {_fmt(lipid_pct)} % (< {_fmt(rule.min_lipid_pct)} %)")
    if short:
        run.add(
            "stability.three_in_one",
            rule.severity,
            "3-in-1 emulsion stability not assured: "
            + ", ".join(short)
            + ". Consider a 2-in-1 with separate lipid.",
            run.field_for("ingredient:lipid_g"),
            rule.source,
        )
