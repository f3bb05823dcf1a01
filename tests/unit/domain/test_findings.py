"""Every finding code: one order that raises it and a close one that does not.

Each case names the rule's source in the reference (§11 numbers) and the arithmetic that
puts the raising order over the limit and the close one under it. The typical adult is
70 kg, 175 cm, with normal labs dated six days ago (see conftest).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from pharmacy_domain.engine import evaluate
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.rules import Rules, rules_from_dict
from pharmacy_domain.templates import TemplateCatalog, template_from_dict
from tests.unit.domain.conftest import TODAY, Builder, Checker, adult


def labs_with(code: str, **fields: Any) -> list[dict[str, Any]]:
    labs = adult()["labs"]
    labs = [lab for lab in labs if lab["code"] != code]
    if fields:
        labs.append({"code": code, **fields})
    return labs


Case = tuple[str, str, Callable[[Builder], dict[str, Any]], Callable[[Builder], dict[str, Any]]]

CASES: list[Case] = [
    # (code, expected severity, raising order, close order that does not raise it)
    (  # T4: hard block above 50 g [unverified, proposed]
        "dose.above_hard_limit",
        "block",
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 55},
            vehicle={"code": "sterile-water", "volume_ml": 1000},
            infusion_minutes=120,
        ),
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 50},
            vehicle={"code": "sterile-water", "volume_ml": 1000},
            infusion_minutes=120,
        ),
    ),
    (  # T1: MgCl2 20 % usual 2–5 mL [47][49]
        "dose.outside_typical_range",
        "warn",
        lambda o: o("myers-infusion", amounts={"magnesium-chloride-20": 1.5}),
        lambda o: o("myers-infusion", amounts={"magnesium-chloride-20": 2}),
    ),
    (  # [36] K 1–2 mEq/kg/day: (150 + 20 mmol P x 4.4/3) / 70 = 2.56 vs (100 + 29.3) / 70 = 1.85
        "dose.per_kg_above_limit",
        "warn",
        lambda o: o("tpn-adult-central", amounts={"potassium-chloride-2": 150}),
        lambda o: o("tpn-adult-central", amounts={"potassium-chloride-2": 100}),
    ),
    (  # [32] 900 mOsm/L; §5.10 calc: 25 g in 250 mL SWFI + 50 mL = 947 mOsm/L; central passes
        "osmolarity.peripheral_limit",
        "block",
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"magnesium-chloride-20": 0},
            vehicle={"code": "sterile-water", "volume_ml": 250},
            access="peripheral",
        ),
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"magnesium-chloride-20": 0},
            vehicle={"code": "sterile-water", "volume_ml": 250},
            access="central",
        ),
    ),
    (  # [40] GIR 5: 550 g / (70 kg x 1440) = 5.46 vs 480 g -> 4.76 mg/kg/min
        "gir.above_limit",
        "warn",
        lambda o: o("tpn-adult-central", amounts={"dextrose-70": 550}, access="central"),
        lambda o: o("tpn-adult-central", amounts={"dextrose-70": 480}, access="central"),
    ),
    (  # [39] lipid max 2.5 g/kg/day (2.4 only warns: soybean > 1 g/kg/day [38])
        "lipid.above_limit",
        "block",
        lambda o: o("tpn-adult-central", amounts={"lipid-soybean-20": 2.6}, access="central"),
        lambda o: o("tpn-adult-central", amounts={"lipid-soybean-20": 2.4}, access="central"),
    ),
    (  # [39] lipid <= 60 % of kcal: PPN lipid 2.0 g/kg -> 1,400 of 2,190 kcal = 64 % vs 47 %
        "lipid.energy_share",
        "warn",
        lambda o: o("ppn-adult-peripheral", amounts={"lipid-soybean-20": 2.0}, access="peripheral"),
        lambda o: o("ppn-adult-peripheral", amounts={"lipid-soybean-20": 1.0}, access="peripheral"),
    ),
    (  # [36] energy 25–35 kcal/kg/day: 450 g dextrose + lipid 1 g/kg -> 36.7 kcal/kg
        "energy.above_goal",
        "warn",
        lambda o: o(
            "tpn-adult-central",
            amounts={"dextrose-70": 450, "lipid-soybean-20": 1.0},
            access="central",
        ),
        lambda o: o(
            "tpn-adult-central",
            amounts={"dextrose-70": 400, "lipid-soybean-20": 1.0},
            access="central",
        ),
    ),
    (  # [32] no curve configured: the interim rule says it checked (never a silent OK);
        # 6.28 mEq/L x 12.6 mmol/L = 79 at 5.3 % amino acids, under the warning limit of 150
        "calcium_phosphate.interim",
        "info",
        lambda o: o("tpn-adult-central", access="central"),
        lambda o: o("tpn-adult-central", amounts={"potassium-phosphate": 0}, access="central"),
    ),
    (  # [50][51] G6PD gate above 200 mg vitamin C; the labeled 200 mg needs none
        "prerequisite.missing",
        "block",
        lambda o: o("myers-infusion", patient=adult(labs=labs_with("g6pd"))),
        lambda o: o("vitamin-c-labeled", patient=adult(labs=labs_with("g6pd"))),
    ),
    (  # G6PD status is inherited: a normal result older than 365 days [unverified] warns
        "prerequisite.stale",
        "warn",
        lambda o: o(
            "myers-infusion",
            patient=adult(labs=labs_with("g6pd", interpretation="normal", date="2025-11-01")),
        ),
        lambda o: o(
            "myers-infusion",
            patient=adult(labs=labs_with("g6pd", interpretation="normal", date="2025-12-01")),
        ),
    ),
    (  # [51][52] deficient G6PD blocks gram-dose vitamin C
        "prerequisite.failed",
        "block",
        lambda o: o(
            "vitamin-c-high-dose",
            patient=adult(labs=labs_with("g6pd", interpretation="deficient", date="2026-01-05")),
        ),
        lambda o: o(
            "vitamin-c-high-dose",
            patient=adult(labs=labs_with("g6pd", interpretation="normal", date="2026-01-05")),
        ),
    ),
    (  # §5.10: "block if the result is deficient or unknown"
        "prerequisite.unknown",
        "block",
        lambda o: o(
            "myers-push",
            patient=adult(
                labs=labs_with("g6pd", interpretation="indeterminate", date="2026-01-05")
            ),
        ),
        lambda o: o(
            "myers-push",
            patient=adult(labs=labs_with("g6pd", interpretation="normal", date="2026-01-05")),
        ),
    ),
    (  # [49] B-complex has 2 % benzyl alcohol; the MgCl2 20 % vial label 1 % (preservative)
        "allergy.ingredient",
        "block",
        lambda o: o("myers-infusion", patient=adult(allergies=["Benzyl alcohol"])),
        lambda o: o(
            "myers-infusion",
            amounts={"b-complex-100": 0, "magnesium-chloride-20": 0},
            patient=adult(allergies=["Benzyl alcohol"]),
        ),
    ),
    (  # vitamin C <= 0.5 g/min [unverified]: 25 g in 30 min = 833 mg/min vs 60 min = 417
        "rate.above_limit",
        "warn",
        lambda o: o("vitamin-c-high-dose", infusion_minutes=30),
        lambda o: o("vitamin-c-high-dose", infusion_minutes=60),
    ),
    (  # [47][48] B12 with high-dose C in one bag
        "compatibility.note",
        "info",
        lambda o: o("myers-infusion"),
        lambda o: o("myers-infusion", amounts={"ascorbic-acid-500": 0}),
    ),
    (  # [35] BMI 45 / 1.75² = 14.7 (< 16) with 250 g dextrose (> 150 g start)
        "refeeding.risk",
        "warn",
        lambda o: o("tpn-adult-central", access="central", patient=adult(weight_kg=45)),
        lambda o: o("tpn-adult-central", access="central", patient=adult(weight_kg=60)),
    ),
    (  # [34] access device required for a PN bag
        "required.field",
        "block",
        lambda o: o("tpn-adult-central", access=None),
        lambda o: o("tpn-adult-central", access="central"),
    ),
    (  # T1: the push is hypertonic (~1,300 mOsm/L); without vitamin C it is 644
        "osmolarity.hypertonic_push",
        "warn",
        lambda o: o("myers-push"),
        lambda o: o("myers-push", amounts={"ascorbic-acid-500": 0}),
    ),
    (  # hemolytic: 7.5 g in 1 L SWFI = 87 mOsm/L (< 150: blocks); in LR it is 356
        "osmolarity.hypotonic",
        "block",
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 7.5},
            vehicle={"code": "sterile-water", "volume_ml": 1000},
        ),
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 7.5},
            vehicle={"code": "lactated-ringers", "volume_ml": 1000},
        ),
    ),
    (  # [C] PPN dextrose <= 10 %: 200 g in ~2.09 L = 9.6 % is fine, 230 g = 10.9 % is not
        "dextrose.concentration_limit",
        "warn",
        lambda o: o("ppn-adult-peripheral", amounts={"dextrose-70": 230}, access="peripheral"),
        lambda o: o("ppn-adult-peripheral", amounts={"dextrose-70": 200}, access="peripheral"),
    ),
    (  # [53] T6 total 600–2,500 mg: 1,400 mg/m² x 1.845 m² = 2,583 vs 1,300 -> 2,398
        "dose.total_above_limit",
        "warn",
        lambda o: o("glutathione-infusion", amounts={"glutathione-200": 1400}),
        lambda o: o("glutathione-infusion", amounts={"glutathione-200": 1300}),
    ),
    (  # [50][C] fingerstick glucose interference from 15 g
        "interference.glucose_meter",
        "info",
        lambda o: o("vitamin-c-high-dose", amounts={"ascorbic-acid-500": 25}),
        lambda o: o("vitamin-c-high-dose", amounts={"ascorbic-acid-500": 10}),
    ),
    (  # [54] first NAD+ infusion flag
        "nad.first_infusion",
        "info",
        lambda o: o("nad-infusion"),
        lambda o: o("nad-infusion", amounts={"nad-100": 0}),
    ),
    (  # hydroxocobalamin has no osmolarity on file: the estimate says so
        "osmolarity.incomplete",
        "info",
        lambda o: o("myers-infusion"),
        lambda o: o("myers-infusion", amounts={"hydroxocobalamin-1000": 0}),
    ),
    (  # [35] BMI needs height: refeeding risk cannot be assessed without it
        "refeeding.unknown",
        "info",
        lambda o: o("tpn-adult-central", access="central", patient=adult(height_cm=None)),
        lambda o: o("tpn-adult-central", access="central"),
    ),
]


@pytest.mark.parametrize(
    ("code", "severity", "raising", "close"), CASES, ids=[case[0] for case in CASES]
)
def test_each_finding_has_a_raising_and_a_close_order(
    code: str,
    severity: str,
    raising: Callable[[Builder], dict[str, Any]],
    close: Callable[[Builder], dict[str, Any]],
    order: Builder,
    check: Checker,
) -> None:
    raised = [f for f in check(raising(order)).findings if f.code == code]
    assert raised, f"{code} not raised"
    assert severity in {f.severity for f in raised}
    assert all(f.source and f.message and f.field for f in raised)
    # The close order stays under this tier (a lower tier of the same rule may remain).
    rank = {"info": 0, "warn": 1, "block": 2}
    assert not [
        f
        for f in check(close(order)).findings
        if f.code == code and rank[f.severity] >= rank[severity]
    ]


def test_peripheral_tpn_blocks_and_central_passes(order: Builder, check: Checker) -> None:
    """[32] A central TPN (≈1,544 mOsm/L) through a peripheral line is blocked."""
    peripheral = check(order("tpn-adult-central", access="peripheral"))
    blocks = [f for f in peripheral.blocks if f.code == "osmolarity.peripheral_limit"]
    assert blocks and blocks[0].field == "access"
    assert (
        "osmolarity.peripheral_limit"
        not in check(order("tpn-adult-central", access="central")).codes()
    )


def test_gir_blocks_above_seven(order: Builder, check: Checker) -> None:
    """T10: block above 7 mg/kg/min: 550 g / (50 kg x 1440) = 7.64."""
    evaluation = check(
        order(
            "tpn-adult-central",
            access="central",
            amounts={"dextrose-70": 550},
            patient=adult(weight_kg=50),
        )
    )
    gir = [f for f in evaluation.findings if f.code == "gir.above_limit"]
    assert [f.severity for f in gir] == ["block"]
    assert gir[0].field == "ingredients[1].amount"


def test_rate_blocks_above_one_gram_per_minute(order: Builder, check: Checker) -> None:
    evaluation = check(
        order(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 50},
            vehicle={"code": "sterile-water", "volume_ml": 1000},
            infusion_minutes=40,
        )
    )
    assert any(
        f.code == "rate.above_limit" and f.severity == "block" and f.field == "infusion_minutes"
        for f in evaluation.findings
    )


def test_nad_and_potassium_rates(order: Builder, check: Checker) -> None:
    """NAD+ 500 mg over 120 min = 250 mg/h (> 200 [54][C]); HPN KCl 150 mEq + 29 mEq from
    K phosphate over 12 h = 14.9 mEq/h (> 10 [unverified])."""
    nad = check(order("nad-infusion", amounts={"nad-100": 500}, infusion_minutes=120))
    assert "rate.above_limit" in nad.codes()
    assert (
        "rate.above_limit"
        not in check(order("nad-infusion", amounts={"nad-100": 500}, infusion_minutes=180)).codes()
    )
    hpn = check(order("hpn-cycled", access="central", amounts={"potassium-chloride-2": 150}))
    assert any(f.code == "rate.above_limit" and f.rule == "potassium-rate" for f in hpn.findings)
    assert (
        "rate.above_limit"
        not in check(
            order("hpn-cycled", access="central", amounts={"potassium-chloride-2": 80})
        ).codes()
    )


def test_soy_allergy_matches_the_lipid_emulsion(order: Builder, check: Checker) -> None:
    evaluation = check(
        order("tpn-adult-central", access="central", patient=adult(allergies=["soy", "NKDA"]))
    )
    allergy = [f for f in evaluation.findings if f.code == "allergy.ingredient"]
    assert [f.field for f in allergy] == ["ingredients[2].code"]
    assert "sulfa" not in str(allergy)
    # A sulfa allergy is not a sulfate allergy: words must match, not substrings.
    sulfa = check(order("hydration-magnesium", patient=adult(allergies=["sulfa"])))
    assert "allergy.ingredient" not in sulfa.codes()


def test_glutathione_mixed_with_others_warns(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> None:
    data = catalog.get("glutathione-infusion", 1)
    assert data is not None
    wire = data.to_wire()
    wire["ingredients"][0] = wire["ingredients"][0] | {
        "unit": "mg",
        "dosing_basis": "per_bag",
        "default_amount": 600,
        "typical_min": 600,
        "typical_max": 1200,
        "hard_max": 2400,
        "max_amount": 4800,
    }
    magnesium = catalog.get("myers-infusion", 1).ingredient("magnesium-chloride-20")  # type: ignore[union-attr]
    assert magnesium is not None
    wire["ingredients"].append(magnesium.to_wire())
    mixed = template_from_dict(wire)
    body = {"template_id": mixed.id, "template_version": 1, "patient": adult()}
    prescription = parse_prescription(body, TemplateCatalog([mixed]), today=TODAY)
    evaluation = evaluate(prescription, None, formulary, rules, template=mixed, today=TODAY)
    notes = [f for f in evaluation.findings if f.code == "compatibility.note"]
    assert {f.severity for f in notes} == {"info", "warn"}


def _three_in_one(catalog: TemplateCatalog) -> TemplateCatalog:
    base = catalog.get("tpn-adult-central", 1)
    assert base is not None
    wire = base.to_wire()
    wire["admixture"] = "3-in-1"
    for row in wire["ingredients"]:
        row["separate_container"] = False
    return TemplateCatalog([template_from_dict(wire)])


@pytest.mark.parametrize(("amino_acids", "raised"), [(0.9, True), (1.2, False)])
def test_three_in_one_stability(
    catalog: TemplateCatalog,
    formulary: Formulary,
    rules: Rules,
    order: Builder,
    amino_acids: float,
    raised: bool,
) -> None:
    """[32] 3-in-1 needs AA >= 4 %: 63 g in 1,662 mL = 3.8 % vs 84 g in 1,872 mL = 4.5 %
    (dextrose 13.4 %, lipid 3.0 % both fine)."""
    three = _three_in_one(catalog)
    template = three.get("tpn-adult-central", 1)
    assert template is not None
    body = order("tpn-adult-central", access="central", amounts={"amino-acids-10": amino_acids})
    prescription = parse_prescription(body, three, today=TODAY)
    evaluation = evaluate(prescription, None, formulary, rules, template=template, today=TODAY)
    total_volume_ml = evaluation.computed["total_volume_ml"]
    assert total_volume_ml is not None
    assert evaluation.computed["lipid_pct"] == pytest.approx(56 * 100 / total_volume_ml)
    assert ("stability.three_in_one" in evaluation.codes()) is raised


TEST_CURVE = {  # test-only numbers, not clinical: pharmacies configure their own curves
    "amino_acid_product": "amino-acids-10",
    "min_amino_acids_pct": 0,
    "points": [[0, 30], [20, 10], [40, 5]],
    "source": "test curve",
}


@pytest.mark.parametrize(("calcium", "raised"), [(30, True), (25, False)])
def test_calcium_phosphate_curve(
    rules: Rules,
    order: Builder,
    check: Checker,
    catalog: TemplateCatalog,
    formulary: Formulary,
    calcium: float,
    raised: bool,
) -> None:
    """Ca 30 mEq in 1,635 mL = 18.4 mEq/L at P 12.2 mmol/L, above the curve's 17.8;
    Ca 25 mEq -> 15.4 mEq/L is under it. With a curve there is no 'unknown'."""
    data = dict(rules.raw)
    data["calcium_phosphate"] = dict(data["calcium_phosphate"], curves=[TEST_CURVE])
    with_curve = rules_from_dict(data)
    body = order("tpn-adult-central", access="central", amounts={"calcium-gluconate-10": calcium})
    prescription = parse_prescription(body, catalog, today=TODAY)
    template = catalog.get("tpn-adult-central", 1)
    assert template is not None
    evaluation = evaluate(prescription, None, formulary, with_curve, template=template, today=TODAY)
    assert ("calcium_phosphate.precipitation_risk" in evaluation.codes()) is raised
    assert "calcium_phosphate.unknown" not in evaluation.codes()


def test_missing_infusion_time_is_unknown_not_ok(
    order: Builder, catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> None:
    prescription = parse_prescription(order("vitamin-c-high-dose"), catalog, today=TODAY)
    prescription = dataclasses.replace(prescription, infusion_minutes=None)
    template = catalog.get("vitamin-c-high-dose", 1)
    assert template is not None
    evaluation = evaluate(prescription, None, formulary, rules, template=template, today=TODAY)
    assert "rate.unknown" in evaluation.codes()
    assert evaluation.computed["infusion_rate_ml_h"] is None


def test_missing_weight_blocks_per_kg_orders_without_noise(order: Builder, check: Checker) -> None:
    evaluation = check(order("tpn-adult-central", access="central", patient=adult(weight_kg=None)))
    assert [f.field for f in evaluation.blocks] == ["patient.weight_kg"]
    assert evaluation.computed["gir_mg_kg_min"] is None
    assert evaluation.computed["osmolarity_mosm_l"] is None
    assert not any(
        f.code.endswith(".unknown") and f.code != "calcium_phosphate.unknown"
        for f in evaluation.findings
    )
