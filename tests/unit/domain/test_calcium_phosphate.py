"""Calcium-phosphate compatibility: the interim rule, the pharmacy's curves, and "unknown".

The adult central TPN at its defaults is 1,591.8 mL; calcium gluconate 15 mEq (+10.75 mL
at 0.465 mEq/mL) and potassium phosphates 40 mmol (+6.67 mL at 3 mmol/mL) make it
1,609.2 mL: Ca 15 / 1.6092 = 9.32 mEq/L, P 40 / 1.6092 = 24.86 mmol/L, product 231.7 at
5.2 % amino acids. Without the 300 mL of sterile water it is 1,309.2 mL: 11.46 x 30.55 = 350.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pharmacy_domain.engine import Evaluation, evaluate, evaluate_body
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.resources import resource_path
from pharmacy_domain.rules import Rules, RulesError, curves_from_dict, load_rules, rules_from_dict
from pharmacy_domain.templates import TemplateCatalog, template_from_dict
from tests.unit.domain.conftest import TODAY, Builder, Checker

HIGH = {"calcium-gluconate-10": 15, "potassium-phosphate": 40}
NO_WATER = {"code": "sterile-water", "volume_ml": 0}


def _codes(evaluation: Evaluation) -> dict[str, str]:
    return {f.code: f.severity for f in evaluation.findings if f.code.startswith("calcium_")}


def test_interim_rule_blocks_past_the_edge_and_warns_near_it(
    order: Builder, check: Checker
) -> None:
    """Band >= 4 % amino acids: warn above 150, incompatible above 300 (interim, [C])."""
    far = check(order("tpn-adult-central", access="central"))
    near = check(order("tpn-adult-central", access="central", amounts=HIGH))
    past = check(order("tpn-adult-central", access="central", amounts=HIGH, vehicle=NO_WATER))
    assert _codes(far) == {"calcium_phosphate.interim": "info"}  # 6.28 x 12.56 = 78.9
    assert _codes(near) == {"calcium_phosphate.near_limit": "warn"}  # 231.7
    assert _codes(past) == {"calcium_phosphate.precipitation_risk": "block"}  # 350
    c = near.computed
    assert c["calcium_meq_l"] == pytest.approx(15_000 / 1609.19, rel=1e-4)
    assert c["calcium_mmol_l"] == pytest.approx(c["calcium_meq_l"] / 2)  # type: ignore[operator]
    assert c["phosphate_mmol_l"] == pytest.approx(40_000 / 1609.19, rel=1e-4)
    assert c["calcium_phosphate_product"] == pytest.approx(231.7, abs=0.1)
    finding = next(f for f in past.findings if f.code == "calcium_phosphate.precipitation_risk")
    assert finding.to_confirm and "interim" in finding.source


def test_less_amino_acid_means_a_lower_interim_limit(order: Builder, check: Checker) -> None:
    """PPN at 3.4 % amino acids sits in the 2.5 % band (warn above 100): Ca 20 mEq and P 30
    mmol (+21.5 and +6.7 mL) make it 2,045.3 mL, 9.78 x 14.67 = 143.4, which warns here
    though the >= 4 % band (warn above 150) would have let it pass."""
    ppn = check(
        order(
            "ppn-adult-peripheral", amounts={"calcium-gluconate-10": 20, "potassium-phosphate": 30}
        )
    )
    assert ppn.computed["amino_acids_pct"] == pytest.approx(3.4, abs=0.1)
    product = ppn.computed["calcium_phosphate_product"]
    assert product is not None and 100 < product < 150
    assert _codes(ppn) == {"calcium_phosphate.near_limit": "warn"}


def _with_curves(rules: Rules, *curves: dict[str, Any], interim: bool = True) -> Rules:
    data = dict(rules.raw)
    section = dict(data["calcium_phosphate"], curves=list(curves))
    if not interim:
        section.pop("interim")
    data["calcium_phosphate"] = section
    return rules_from_dict(data)


def _flat(calcium_meq_l: float, up_to_phosphate: float = 60) -> dict[str, Any]:
    """A test-only curve (not clinical): the same calcium limit at every phosphate."""
    return {
        "id": f"flat-{calcium_meq_l}",
        "amino_acid_product": "amino-acids-10",
        "min_amino_acids_pct": 4,
        "points": [[0, calcium_meq_l], [up_to_phosphate, calcium_meq_l]],
        "source": "test curve",
    }


@pytest.mark.parametrize(
    ("curve", "expected"),
    [
        (_flat(8), {"calcium_phosphate.precipitation_risk": "block"}),  # 9.32 > 8
        (_flat(10), {"calcium_phosphate.near_limit": "warn"}),  # 9.32 >= 0.9 x 10
        (_flat(20), {}),  # 9.32 well under 20: the curve passes what the interim rule warned
        (_flat(20, up_to_phosphate=20), {"calcium_phosphate.near_limit": "warn"}),  # P 24.9 off it
    ],
)
def test_a_curve_when_present_decides(
    curve: dict[str, Any],
    expected: dict[str, str],
    rules: Rules,
    catalog: TemplateCatalog,
    formulary: Formulary,
    order: Builder,
) -> None:
    body = order("tpn-adult-central", access="central", amounts=HIGH)
    evaluation = evaluate_body(body, catalog, formulary, _with_curves(rules, curve), today=TODAY)
    assert _codes(evaluation) == expected


def test_without_curve_or_interim_rule_compatibility_is_unknown(
    rules: Rules, catalog: TemplateCatalog, formulary: Formulary, order: Builder
) -> None:
    bare = _with_curves(rules, interim=False)
    body = order("tpn-adult-central", access="central")
    evaluation = evaluate_body(body, catalog, formulary, bare, today=TODAY)
    assert _codes(evaluation) == {"calcium_phosphate.unknown": "warn"}


def test_calcium_chloride_with_phosphate_warns(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules, order: Builder
) -> None:
    """[45] prefer calcium gluconate with inorganic phosphate. 10 mEq of calcium chloride is
    7.35 mL at 1.36 mEq/mL."""
    base = catalog.get("tpn-adult-central", 1)
    assert base is not None
    wire = base.to_wire()
    for row in wire["ingredients"]:
        if row["code"] == "calcium-gluconate-10":
            row["code"] = "calcium-chloride-10"
    chloride = template_from_dict(wire)
    body = order("tpn-adult-central", access="central")
    for line in body["ingredients"]:
        if line["code"] == "calcium-gluconate-10":
            line["code"] = "calcium-chloride-10"
    prescription = parse_prescription(body, TemplateCatalog([chloride]), today=TODAY)
    evaluation = evaluate(prescription, None, formulary, rules, template=chloride, today=TODAY)
    assert _codes(evaluation)["calcium_phosphate.calcium_chloride"] == "warn"
    assert "calcium_phosphate.calcium_chloride" not in _codes(
        evaluate_body(order("tpn-adult-central", access="central"), catalog, formulary, rules)
    )


def test_the_example_curve_file_shows_the_format_but_cannot_decide() -> None:
    example = json.loads(
        resource_path("calcium_phosphate_curves.example.json").read_text(encoding="utf-8")
    )
    with pytest.raises(RulesError, match="example"):
        curves_from_dict(example)
    (curve,) = curves_from_dict(example, allow_example=True)
    assert curve.to_confirm
    assert curve.max_calcium_meq_l(15) == pytest.approx(17)  # halfway between 22 and 12
    live = json.loads(resource_path("calcium_phosphate_curves.json").read_text(encoding="utf-8"))
    assert curves_from_dict(live) == ()  # shipped empty: the interim rule decides


def test_the_pharmacy_loads_its_curves_from_the_file_beside_the_rules(tmp_path: Path) -> None:
    shutil.copy(resource_path("rules.json"), tmp_path / "rules.json")
    example = json.loads(
        resource_path("calcium_phosphate_curves.example.json").read_text(encoding="utf-8")
    )
    (tmp_path / "calcium_phosphate_curves.json").write_text(json.dumps(example), encoding="utf-8")
    with pytest.raises(RulesError, match="example"):
        load_rules(tmp_path / "rules.json")
    for curve in example["curves"]:
        curve["example"] = False
    (tmp_path / "calcium_phosphate_curves.json").write_text(json.dumps(example), encoding="utf-8")
    loaded = load_rules(tmp_path / "rules.json")
    assert [c.id for c in loaded.calcium_phosphate.curves] == ["example-amino-acids-10-at-4-pct"]
    assert load_rules().calcium_phosphate.interim is not None
