"""How long one full check of a 25-ingredient parenteral-nutrition order takes.

The order is the adult central TPN template (13 rows) plus 12 additives (trace elements,
vitamins, calcium chloride), for a 70 kg adult with ten lab results. Three loops run side by
side on the same machine, interleaved so that frequency scaling hits them alike:

* ``evaluate_body``: parse the untrusted body + every check (what the client runs per
  keystroke and the server per submission);
* ``evaluate``: every check on an already parsed prescription;
* baseline: the same loop computing only the osmolarity sum over the 25 lines.

The figures are printed in µs and as ratios to the baseline, so they can be compared across
machines. Target: well under 1 ms per full evaluation.
Run: ``.venv/bin/python -m bench.evaluate [runs]``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.harness import Benchmark, table
from pharmacy_domain.engine import default_body, evaluate, evaluate_body
from pharmacy_domain.formulary import Formulary, load_formulary
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import TemplateCatalog, load_template_catalog, template_from_dict
from pharmacy_domain.units import parse_order_unit

TODAY = dt.date(2026, 11, 26)
ADDITIVES: list[tuple[str, str, float]] = [  # (product, unit, amount per day)
    ("zinc-sulfate", "mg/day", 2),
    ("selenious-acid", "mcg/day", 40),
    ("cupric-chloride", "mg/day", 0.2),
    ("manganese-chloride", "mcg/day", 20),
    ("chromium-chloride", "mcg/day", 4),
    ("hydroxocobalamin-1000", "mcg/day", 100),
    ("pyridoxine-100", "mg/day", 10),
    ("dexpanthenol-250", "mg/day", 50),
    ("b-complex-100", "mL/day", 0.5),
    ("ascorbic-acid-500", "mg/day", 150),
    ("magnesium-chloride-20", "mL/day", 1),
    ("calcium-chloride-10", "mEq/day", 2),
]
LABS = [
    {"code": code, "value": value, "unit": unit, "date": "2026-11-20"}
    for code, value, unit in [
        ("glucose", 100, "mg/dL"),
        ("triglycerides", 150, "mg/dL"),
        ("bun", 15, "mg/dL"),
        ("creatinine", 0.9, "mg/dL"),
        ("sodium", 140, "mEq/L"),
        ("potassium", 4.0, "mEq/L"),
        ("magnesium", 1.8, "mEq/L"),
        ("phosphate", 3.5, "mg/dL"),
    ]
] + [
    {"code": "g6pd", "interpretation": "normal", "date": "2026-11-20"},
    {"code": "oxalate_stones", "interpretation": "absent", "date": "2026-11-20"},
]


def build_order(formulary: Formulary) -> tuple[TemplateCatalog, dict[str, Any]]:
    base = load_template_catalog().get("tpn-adult-central", 1)
    assert base is not None
    wire = base.to_wire()
    wire["id"] = "bench-tpn-25"
    for code, unit, amount in ADDITIVES:
        product = formulary.product(code)
        assert product is not None
        wire["ingredients"].append(
            {
                "code": code,
                "name": product.name,
                "unit": unit,
                "default_amount": amount,
                "min_amount": 0,
                "max_amount": amount * 10,
                "hard_max": amount * 5,
                "dosing_basis": "per_day",
                "source": "benchmark additive",
            }
        )
    template = template_from_dict(wire)
    catalog = TemplateCatalog([template])
    patient = {
        "given_name": "Bench",
        "family_name": "Mark",
        "birth_date": "1970-05-05",
        "sex": "male",
        "weight_kg": 70,
        "height_cm": 175,
        "allergies": ["penicillin"],
        "labs": LABS,
    }
    body = default_body(template, patient) | {"access": "central"}
    assert len(body["ingredients"]) == 25
    return catalog, body


def measure(loops: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Interleave the loops; return per-call µs for each."""
    samples: dict[str, list[float]] = {name: [] for name in loops}
    batch = 20
    for _ in range(runs // batch):
        for name, call in loops.items():
            start = time.perf_counter_ns()
            for _ in range(batch):
                call()
            samples[name].append((time.perf_counter_ns() - start) / batch / 1000)
    return samples


BASELINE = "baseline (osmolarity sum only)"


def run(smoke: bool = False, runs: int | None = None) -> Benchmark:
    runs = runs or (40 if smoke else 20_000)
    formulary = load_formulary()
    rules = load_rules()
    catalog, body = build_order(formulary)
    prescription = parse_prescription(body, catalog, today=TODAY)
    template = catalog.get("bench-tpn-25", 1)
    assert template is not None
    evaluation = evaluate(prescription, None, formulary, rules, template=template, today=TODAY)
    assert not evaluation.blocks, evaluation.blocks

    # The baseline: only the volume-weighted osmolarity sum, same lines, same lookups.
    rows = [
        (template.ingredient(line.code), formulary.product(line.code), line.amount)
        for line in prescription.ingredients
    ]
    vehicle = formulary.vehicle("sterile-water")
    assert vehicle is not None

    def osmolarity_only() -> float:
        volume = prescription.vehicle.volume_ml if prescription.vehicle else 0.0
        mosm = volume * vehicle.osmolarity_mosm_l / 1000
        for row, product, amount in rows:
            assert row is not None and product is not None
            unit = parse_order_unit(row.unit)
            total = amount * 70 if unit.per_kg else amount
            ml = product.to_ml(total, unit.measure)
            if not row.separate_container:
                volume += ml
                mosm += ml * (product.osmolarity_mosm_l or 0.0) / 1000
        return mosm * 1000 / volume

    assert abs(osmolarity_only() - (evaluation.computed["osmolarity_mosm_l"] or 0)) < 1e-6
    loops: dict[str, Callable[[], object]] = {
        BASELINE: osmolarity_only,
        "evaluate (checks only)": lambda: evaluate(
            prescription, None, formulary, rules, template=template, today=TODAY
        ),
        "evaluate_body (parse + checks)": lambda: evaluate_body(
            body, catalog, formulary, rules, today=TODAY
        ),
    }
    measure(loops, 20 if smoke else 1000)  # warm-up
    samples = measure(loops, runs)
    bench = Benchmark(
        "evaluate",
        "One full check of a 25-ingredient PN order, µs per call (batches of 20)",
        notes={
            "findings": len(evaluation.findings),
            "computed_values": len(evaluation.computed),
            "runs_per_loop": runs,
        },
    )
    for name, values in samples.items():
        bench.add(name, "µs", values, baseline=None if name == BASELINE else BASELINE)
    return bench


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else None
    print(table([run(runs=runs)]))


if __name__ == "__main__":
    main()
