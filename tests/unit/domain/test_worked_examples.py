"""Worked examples computed by hand from the reference (section and source numbers given)."""

from __future__ import annotations

import pytest

from pharmacy_domain.formulary import Formulary
from pharmacy_domain.units import body_surface_area_m2, convert, convert_mass
from tests.unit.domain.conftest import Builder, Checker, adult

# (product, amount, from measure, to measure, expected, source)
CONVERSIONS = [
    ("calcium-gluconate-10", 500, "mg", "mL", 5.0, "§5.1 [26]: 500 mg Ca gluconate 10 % = 5 mL"),
    ("calcium-gluconate-10", 1, "mEq", "mg", 215.05, "§5.5 [37]: 1 mEq Ca = 215 mg Ca gluconate"),
    ("calcium-gluconate-10", 1, "mL", "mEq", 0.465, "§5.5 [43]: 0.465 mEq Ca/mL"),
    ("calcium-gluconate-10", 1, "mEq", "mmol", 0.5, "§5.5 [37]: 1 mEq Ca = 0.5 mmol"),
    ("magnesium-sulfate-50", 1, "g", "mEq", 8.12, "§5.5 [42]: MgSO4 1 g = 8.12 mEq"),
    ("magnesium-sulfate-50", 2, "g", "mEq", 16.24, "T8 [42]: 1–2 g = 8–16 mEq"),
    ("potassium-phosphate", 1, "mL", "mmol", 3.0, "§5.5 [64]: 3 mmol P per mL"),
    ("magnesium-chloride-20", 5, "mL", "mg", 1000, "T1 [48]: 5 mL = 1,000 mg"),
    ("magnesium-chloride-20", 5, "mL", "mmol", 4.92, "T1 [calc]: 1,000 mg ≈ 4.9 mmol"),
    ("magnesium-chloride-20", 5, "mL", "mEq", 9.84, "T1 [calc]: ≈ 9.8 mEq Mg"),
    ("calcium-gluconate-10", 3, "mL", "mEq", 1.395, "T1 [43]: 3 mL = 300 mg (1.4 mEq)"),
    ("ascorbic-acid-500", 25, "g", "mL", 50, "§5.10 [50]: 25 g = 50 mL of 500 mg/mL"),
    ("dextrose-70", 250, "g", "mL", 357.14, "D70 = 0.7 g/mL [42]"),
]


@pytest.mark.parametrize(
    ("code", "amount", "source_unit", "target", "expected", "source"),
    CONVERSIONS,
    ids=[c[5] for c in CONVERSIONS],
)
def test_conversions(
    formulary: Formulary,
    code: str,
    amount: float,
    source_unit: str,
    target: str,
    expected: float,
    source: str,
) -> None:
    product = formulary.product(code)
    assert product is not None
    assert convert(amount, source_unit, target, product.measures) == pytest.approx(
        expected, rel=2e-3
    ), source


def test_salt_versus_ion_is_more_than_tenfold(formulary: Formulary) -> None:
    """§5.1 [26] (the Abacus recall): 500 mg calcium gluconate = 5 mL, but 500 mg of calcium
    *ion* = 500 / 9.3 mg per mL = 53.76 mL. "mg" of this product always means the salt."""
    product = formulary.product("calcium-gluconate-10")
    assert product is not None
    salt_ml = product.to_ml(500, "mg")
    ion_ml = 500 / product.content_per_ml["calcium_mg"]
    assert salt_ml == pytest.approx(5.0)
    assert ion_ml == pytest.approx(53.76, abs=0.01)
    assert ion_ml / salt_ml > 10
    assert product.measure_of["mg"] == "calcium gluconate (salt)"


def test_mass_units() -> None:
    assert convert_mass(1, "g", "mg") == 1000
    assert convert_mass(60, "mcg", "mg") == pytest.approx(0.06)


def test_body_surface_area() -> None:
    """Mosteller: sqrt(175 x 70 / 3600) = 1.845 m²."""
    assert body_surface_area_m2(70, 175) == pytest.approx(1.8447, abs=1e-4)


def test_gir_reference_example(order: Builder, check: Checker) -> None:
    """§5.3 [41] [calc]: 300 g dextrose/day at 70 kg -> 300,000 / (70 x 1,440) = 2.98."""
    evaluation = check(order("tpn-adult-central", access="central", amounts={"dextrose-70": 300}))
    assert evaluation.computed["dextrose_g_day"] == pytest.approx(300)
    assert evaluation.computed["gir_mg_kg_min"] == pytest.approx(2.976, abs=1e-3)


def test_gir_over_a_cycle_uses_the_infusion_time(order: Builder, check: Checker) -> None:
    """[41] GIR follows the rate: 200 g over 12 h at 70 kg = 200,000 / (70 x 720) = 3.97."""
    evaluation = check(order("hpn-cycled", access="central"))
    assert evaluation.computed["gir_mg_kg_min"] == pytest.approx(3.968, abs=1e-3)


@pytest.mark.parametrize(
    ("grams", "water_ml", "expected", "source"),
    [
        (25, 250, 950, "§5.10 [calc]: 25 g in 250 mL SWFI + 50 mL ≈ 950 mOsm/L"),
        (25, 500, 520, "§5.10 [calc]: 25 g in 500 mL SWFI + 50 mL ≈ 520 mOsm/L"),
        (50, 500, 950, "§5.10 [calc]: 50 g in 500 mL + 100 mL ≈ 950 mOsm/L"),
    ],
)
def test_vitamin_c_osmolarity(
    order: Builder, check: Checker, grams: float, water_ml: float, expected: float, source: str
) -> None:
    """Sodium ascorbate, MW 176, 2 particles: 5,678 mOsm/L of stock (the reference rounds)."""
    evaluation = check(
        order(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": grams, "magnesium-chloride-20": 0},
            vehicle={"code": "sterile-water", "volume_ml": water_ml},
        )
    )
    assert evaluation.computed["osmolarity_mosm_l"] == pytest.approx(expected, rel=0.01), source


def test_myers_push_osmolarity(order: Builder, check: Checker) -> None:
    """T1 [calc]: MgCl2 4.9 mmol x 3 + Ca gluconate 3 mL x 0.68 + ascorbate 14.2 mmol x 2 +
    B vitamins ≈ 49 mOsm in 37 mL ≈ 1,300 mOsm/L (B12 has no value on file)."""
    evaluation = check(order("myers-push"))
    assert evaluation.computed["total_volume_ml"] == pytest.approx(37)
    mosm = 5 * 2.951 + 3 * 0.680 + 5 * 5.678 + 1 * 0.973 + 1 * 1.218 + 1 * 1.640
    assert mosm == pytest.approx(49, abs=0.5)
    assert evaluation.computed["osmolarity_mosm_l"] == pytest.approx(mosm * 1000 / 37)
    assert evaluation.computed["osmolarity_mosm_l"] == pytest.approx(1300, rel=0.03)


def test_myers_infusion_osmolarity(order: Builder, check: Checker) -> None:
    """T2 [calc]: ≈ 49 mOsm of actives + 250 mL NS x 0.308 = 77 mOsm, in 17 + 250 mL."""
    evaluation = check(order("myers-infusion"))
    mosm = 5 * 2.951 + 3 * 0.680 + 5 * 5.678 + 0.973 + 1.218 + 1.640 + 250 * 0.308
    assert evaluation.computed["total_volume_ml"] == pytest.approx(267)
    assert evaluation.computed["osmolarity_mosm_l"] == pytest.approx(mosm * 1000 / 267)


def test_central_tpn_by_hand(order: Builder, check: Checker) -> None:
    """T10 defaults at 70 kg, every volume from the formulary factors:

    AA 1.2 g/kg = 84 g = 840 mL (1,000 mOsm/L [44]); dextrose 250 g = 357.1 mL of D70
    (3,535 [42]); NaCl 70 mEq = 17.5 mL (8,008, label); Na acetate 20 mEq = 10 mL (4,000);
    KCl 50 mEq = 25 mL (4,000 [42]); K phosphate 20 mmol = 6.67 mL (7,400); Ca gluconate
    10 mEq = 21.51 mL (680 [43]); MgSO4 12 mEq = 2.956 mL (4,057 [42]); MVI 10 mL and trace
    elements 1 mL (no value on file); sterile water 300 mL. Lipid 0.8 g/kg = 56 g = 280 mL
    runs separately (2 kcal/mL [75]).
    """
    volumes = {
        "aa": 840,
        "dex": 250 / 0.7,
        "nacl": 17.5,
        "naac": 10,
        "kcl": 25,
        "kphos": 20 / 3,
        "ca": 10 / 0.465,
        "mg": 12 / 4.06,
        "mvi": 10,
        "te": 1,
        "sw": 300,
    }
    osm = {
        "aa": 1000,
        "dex": 3535,
        "nacl": 8008,  # the Hospira 23.4 % label (8,008 mOsmol/L)
        "naac": 4000,
        "kcl": 4000,
        "kphos": 7400,
        "ca": 680,
        "mg": 4057,
        "mvi": 0,
        "te": 0,
        "sw": 0,
    }
    total = sum(volumes.values())
    mosm = sum(volumes[k] * osm[k] / 1000 for k in volumes)
    evaluation = check(order("tpn-adult-central", access="central"))
    c = evaluation.computed
    assert c["total_volume_ml"] == pytest.approx(total)
    assert c["osmolarity_mosm_l"] == pytest.approx(mosm * 1000 / total)
    assert c["osmolarity_mosm_l"] == pytest.approx(1544, abs=1)
    kcal = 250 * 3.4 + 84 * 4 + 280 * 2
    assert c["kcal_total"] == pytest.approx(kcal)
    assert c["kcal_per_kg"] == pytest.approx(kcal / 70)
    assert c["protein_g_per_kg"] == pytest.approx(1.2)
    assert c["lipid_g_per_kg"] == pytest.approx(0.8)
    assert c["lipid_g_day"] == pytest.approx(56)
    assert c["dextrose_pct"] == pytest.approx(250 * 100 / total)
    assert c["amino_acids_pct"] == pytest.approx(84 * 100 / total)
    assert c["lipid_pct"] is None  # 2-in-1: the lipid is not in the bag
    assert c["lipid_kcal_pct"] == pytest.approx(560 * 100 / kcal)
    assert c["infusion_rate_ml_h"] == pytest.approx(total / 24)
    assert c["potassium_meq"] == pytest.approx(50 + 20 / 3 * 4.4)
    assert c["fluid_ml_per_kg"] == pytest.approx((total + 280) / 70)


def test_potassium_from_a_vehicle_counts(order: Builder, check: Checker) -> None:
    """LR carries 4 mEq K/L [unverified label composition]: 1 L over 60 min = 4 mEq/h."""
    evaluation = check(order("hydration-magnesium"))
    assert evaluation.computed["potassium_meq"] == pytest.approx(4)
    assert evaluation.computed["osmolarity_mosm_l"] == pytest.approx(
        (273 + 2 * 4.057) * 1000 / 1002
    )


def test_body_without_weight_is_still_checked_structurally(order: Builder, check: Checker) -> None:
    evaluation = check(order("myers-infusion", patient=adult(weight_kg=None)))
    assert not evaluation.blocks
