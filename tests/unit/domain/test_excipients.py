"""What an order contains: excipients, allergy cross-terms, the very young, sodium, G6PD.

Every case: an order that raises the finding and a close one that does not, with the source
and the arithmetic. The typical adult (conftest) is 70 kg, born 1980, with normal recent
labs including the answered sodium-restriction question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pharmacy_domain.engine import Evaluation
from pharmacy_domain.formulary import Formulary, FormularyError, formulary_from_dict
from pharmacy_domain.units import convert
from portal_client.core.presentation import computed_rows
from tests.unit.domain.conftest import Builder, Checker, adult


def labs_with(code: str, **fields: Any) -> list[dict[str, Any]]:
    labs = [lab for lab in adult()["labs"] if lab["code"] != code]
    if fields:
        labs.append({"code": code, **fields})
    return labs


def found(evaluation: Evaluation, code: str) -> list[tuple[str, str, str]]:
    return [(f.severity, f.field, f.rule) for f in evaluation.findings if f.code == code]


INFANT = "2026-05-20"  # 6 months old on 2026-11-26
NEONATE = "2026-11-16"  # 10 days old (ICH E11: neonates < 28 days)
TWO_YEARS = "2024-11-26"  # 2 years old: past the neonate and infant ages

Case = tuple[
    str, str, str, Callable[[Builder], dict[str, Any]], Callable[[Builder], dict[str, Any]]
]

CASES: list[Case] = [
    # (code, severity, field, raising order, close order)
    (  # MgCl2 20 % multiple-dose vial label: benzyl alcohol 1 % (gasping syndrome) [A]
        "excipient.young_patient",
        "block",
        "ingredients[0].code",
        lambda o: o("myers-infusion", patient=adult(birth_date=INFANT, weight_kg=7)),
        lambda o: o("myers-infusion", patient=adult(birth_date=TWO_YEARS, weight_kg=12)),
    ),
    (  # 21 CFR 201.323: calcium gluconate carries aluminium; a neonate is at risk
        "excipient.young_patient",
        "warn",
        "ingredients[1].code",
        lambda o: o("myers-infusion", patient=adult(birth_date=NEONATE, weight_kg=3.5)),
        lambda o: o(
            "myers-infusion",
            amounts={"calcium-gluconate-10": 0},
            patient=adult(birth_date=NEONATE, weight_kg=3.5),
        ),
    ),
    (  # dexpanthenol's label was not read: for an infant its excipients are UNKNOWN
        "excipient.unknown",
        "warn",
        "ingredients[4].code",
        lambda o: o("myers-infusion", patient=adult(birth_date=INFANT, weight_kg=7)),
        lambda o: o(
            "myers-infusion",
            amounts={"dexpanthenol-250": 0},
            patient=adult(birth_date=INFANT, weight_kg=7),
        ),
    ),
    (  # B-complex 100 label: a multiple-dose vial preserved with benzyl alcohol 2 %
        "excipient.young_patient",
        "block",
        "ingredients[5].code",
        lambda o: o("myers-infusion", patient=adult(birth_date=NEONATE, weight_kg=3.5)),
        lambda o: o(
            "myers-infusion",
            amounts={"b-complex-100": 0},
            patient=adult(birth_date=NEONATE, weight_kg=3.5),
        ),
    ),
    (  # the same vial and a benzyl alcohol allergy: the excipient is named on the order
        "allergy.ingredient",
        "block",
        "ingredients[1].code",
        lambda o: o(
            "hydration-magnesium",
            amounts={"b-complex-100": 1},
            patient=adult(allergies=["benzyl alcohol"]),
        ),
        lambda o: o("hydration-magnesium", patient=adult(allergies=["benzyl alcohol"])),
    ),
    (  # sulphites -> the amino acids' sodium metabisulfite (21 CFR 201.22 sulfite warning)
        "allergy.cross_reactive",
        "block",
        "ingredients[0].code",
        lambda o: o("tpn-adult-central", access="central", patient=adult(allergies=["sulphites"])),
        lambda o: o(
            "tpn-adult-central",
            amounts={"amino-acids-10": 0},
            access="central",
            patient=adult(allergies=["sulphites"]),
        ),
    ),
    (  # dextrose labels: "may be contraindicated in ... allergy to corn or corn products"
        "allergy.cross_reactive",
        "block",
        "vehicle.code",
        lambda o: o(
            "vitamin-c-labeled",
            vehicle={"code": "dextrose-5-water", "volume_ml": 50},
            patient=adult(allergies=["corn"]),
        ),
        lambda o: o(
            "vitamin-c-labeled",
            vehicle={"code": "sodium-chloride-0.9", "volume_ml": 50},
            patient=adult(allergies=["corn"]),
        ),
    ),
    (  # soybean-oil emulsion: egg phospholipids; "eggs" shares no word with "egg"
        "allergy.cross_reactive",
        "block",
        "ingredients[2].code",
        lambda o: o("tpn-adult-central", access="central", patient=adult(allergies=["eggs"])),
        lambda o: o(
            "tpn-adult-central",
            amounts={"lipid-soybean-20": 0},
            access="central",
            patient=adult(allergies=["eggs"]),
        ),
    ),
    (  # peanut -> soybean oil: reported cross-reaction [C], pharmacy to confirm
        "allergy.cross_reactive",
        "warn",
        "ingredients[2].code",
        lambda o: o("tpn-adult-central", access="central", patient=adult(allergies=["peanut"])),
        lambda o: o(
            "tpn-adult-central",
            amounts={"lipid-soybean-20": 0},
            access="central",
            patient=adult(allergies=["peanut"]),
        ),
    ),
    (  # hydroxocobalamin 30 mL vial label: methyl- and propylparaben
        "allergy.cross_reactive",
        "block",
        "ingredients[2].code",
        lambda o: o("myers-infusion", patient=adult(allergies=["parabens"])),
        lambda o: o(
            "myers-infusion",
            amounts={"hydroxocobalamin-1000": 0},
            patient=adult(allergies=["parabens"]),
        ),
    ),
    (  # B-complex and dexpanthenol labels not read: a latex allergy cannot be ruled out
        "allergy.excipients_unknown",
        "warn",
        "ingredients[4].code",
        lambda o: o("myers-infusion", patient=adult(allergies=["latex"])),
        lambda o: o(
            "myers-infusion",
            amounts={"dexpanthenol-250": 0, "b-complex-100": 0},
            patient=adult(allergies=["latex"]),
        ),
    ),
    (  # 25 g sodium ascorbate = 142 mEq sodium (> 7.9 g): ask about sodium restriction
        "prerequisite.missing",
        "warn",
        "patient.labs",
        lambda o: o("vitamin-c-high-dose", patient=adult(labs=labs_with("sodium_restriction"))),
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 7.5},
            patient=adult(labs=labs_with("sodium_restriction")),
        ),
    ),
    (  # a sodium-restricted patient (heart failure, kidney disease) warns, it is asked
        "prerequisite.failed",
        "warn",
        "patient.labs[10]",
        lambda o: o(
            "vitamin-c-high-dose",
            patient=adult(
                labs=labs_with("sodium_restriction", interpretation="present", date="2026-11-20")
            ),
        ),
        lambda o: o("vitamin-c-high-dose"),
    ),
    (  # [50] label: in G6PD deficiency do not exceed the RDA (75 mg women, 90 men; NIH ODS)
        "prerequisite.failed",
        "block",
        "patient.labs[10]",
        lambda o: o(
            "vitamin-c-labeled",
            amounts={"ascorbic-acid-500": 100},
            patient=adult(labs=labs_with("g6pd", interpretation="deficient", date="2024-03-01")),
        ),
        lambda o: o(
            "vitamin-c-labeled",
            amounts={"ascorbic-acid-500": 75},
            patient=adult(labs=labs_with("g6pd", interpretation="deficient", date="2024-03-01")),
        ),
    ),
]


@pytest.mark.parametrize(
    ("code", "severity", "field", "raising", "close"),
    CASES,
    ids=[f"{case[0]}-{case[1]}-{case[2]}" for case in CASES],
)
def test_each_rule_has_a_raising_and_a_close_order(
    code: str,
    severity: str,
    field: str,
    raising: Callable[[Builder], dict[str, Any]],
    close: Callable[[Builder], dict[str, Any]],
    order: Builder,
    check: Checker,
) -> None:
    raised = [f for f in check(raising(order)).findings if f.code == code and f.field == field]
    assert raised, f"{code} at {field} not raised"
    assert severity in {f.severity for f in raised}
    assert all(f.source and f.message for f in raised)
    assert not [
        f
        for f in check(close(order)).findings
        if f.code == code and f.field == field and f.severity == severity
    ]


def test_an_empty_excipient_list_is_unknown_until_the_label_is_checked(
    formulary: Formulary,
) -> None:
    for product in formulary.products.values():
        if product.excipients_checked:
            assert product.excipients_source, product.code
        else:
            assert "confirm" in product.excipients_source, product.code
    # Multiple-dose vials carry preservatives: both labels read say so.
    assert "benzyl alcohol" in formulary.products["magnesium-chloride-20"].excipients
    assert "methylparaben" in formulary.products["hydroxocobalamin-1000"].excipients
    assert not formulary.products["dexpanthenol-250"].excipients_checked
    with pytest.raises(FormularyError, match="label"):
        formulary_from_dict({"products": [{"code": "x", "name": "X", "excipients_checked": True}]})


def test_labels_read_clear_the_unknowns_and_name_what_they_carry(
    formulary: Formulary, order: Builder, check: Checker
) -> None:
    """Every product of the hydration bag had its label read (magnesium sulfate: sulfuric
    acid and sodium hydroxide; B-complex: benzyl alcohol; ascorbic acid: edetate), so an
    allergy that none of them names passes them, and "sulfite" does not reach a sulfate."""
    every_product = {"b-complex-100": 1, "ascorbic-acid-500": 1}
    for allergies in (["latex"], ["sulfites"]):
        evaluation = check(
            order("hydration-magnesium", amounts=every_product, patient=adult(allergies=allergies))
        )
        assert [f for f in evaluation.findings if f.code.startswith("allergy.")] == []
    # The products whose labels were not found stay unknown, each saying why.
    unknown = {code for code, p in formulary.products.items() if not p.excipients_checked}
    assert unknown == {
        "amino-acids-10",
        "dexpanthenol-250",
        "glutathione-200",
        "nad-100",
    }
    assert "pharmacy's own preparation" in formulary.products["nad-100"].excipients_source
    # Parenteral-nutrition products state their aluminium (21 CFR 201.323).
    for code in ("potassium-phosphate", "trace-elements-multi", "lipid-soybean-20"):
        assert "aluminium" in formulary.products[code].excipients, code


def test_sodium_chloride_in_trace_element_vials_counts_as_sodium(formulary: Formulary) -> None:
    """Their labels: sodium chloride 9 mg/mL, 9/58.44 = 0.154 mEq sodium per mL; osmolarity
    as the label states it (0.308 to 0.327 mOsmol/mL, nearly all of it that salt)."""
    for code, osmolarity in (
        ("magnesium-chloride-20", 2951),
        ("cupric-chloride", 327),
        ("manganese-chloride", 313),
        ("chromium-chloride", 308),
    ):
        product = formulary.products[code]
        assert product.content_per_ml["sodium_meq"] == pytest.approx(9 / 58.44, abs=0.001)
        assert "sodium chloride" in product.excipients
        assert product.osmolarity_mosm_l == osmolarity


def test_no_known_allergy_is_not_an_allergy(order: Builder, check: Checker) -> None:
    """ "NKDA" asks nothing of the excipients; a real allergy does."""
    none = check(order("tpn-adult-central", access="central", patient=adult(allergies=["NKDA"])))
    assert found(none, "allergy.excipients_unknown") == []
    latex = check(
        order("tpn-adult-central", access="central", patient=adult(allergies=["NKDA", "latex"]))
    )
    unknown = found(latex, "allergy.excipients_unknown")
    assert ("warn", "ingredients[0].code", "excipients-unchecked") in unknown  # amino acids
    message = next(f.message for f in latex.findings if f.code == "allergy.excipients_unknown")
    assert "'latex'" in message and "NKDA" not in message and "UNKNOWN" in message


def test_a_direct_match_is_not_repeated_as_a_cross_term(order: Builder, check: Checker) -> None:
    """ "soy" already names the lipid emulsion (allergy.ingredient): no second finding."""
    evaluation = check(
        order("tpn-adult-central", access="central", patient=adult(allergies=["soy"]))
    )
    assert [f.field for f in evaluation.findings if f.code == "allergy.ingredient"] == [
        "ingredients[2].code"
    ]
    assert found(evaluation, "allergy.cross_reactive") == []


def test_sodium_load_of_sodium_ascorbate(
    formulary: Formulary, order: Builder, check: Checker
) -> None:
    """§5.10 [calc]: sodium ascorbate MW 176.13, one Na per molecule: 500 mg/mL = 2.84 mEq/mL.
    50 g = 100 mL = 284 mEq (6.5 g sodium); in 1 L lactated Ringer's (130 mEq/L [42]) 414.
    Cross-check: the Mylan label's sodium hydroxide 110 mg/mL / 40.0 = 2.75 mEq/mL (275)."""
    product = formulary.products["ascorbic-acid-500"]
    assert convert(50_000, "mg", "mL", product.measures) == pytest.approx(100)
    in_water = check(
        order(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 50, "magnesium-chloride-20": 0},
            vehicle={"code": "sterile-water", "volume_ml": 1000},
            infusion_minutes=120,
        )
    )
    assert in_water.computed["sodium_meq"] == pytest.approx(284, abs=0.5)
    in_lr = check(
        order(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 50, "magnesium-chloride-20": 0},
            vehicle={"code": "lactated-ringers", "volume_ml": 1000},
            infusion_minutes=120,
        )
    )
    assert in_lr.computed["sodium_meq"] == pytest.approx(414, abs=0.5)
    rows = {row.key: row for row in computed_rows(in_water.computed, nutrition=False)}
    assert rows["sodium_meq"].label == "Sodium load" and rows["sodium_meq"].text == "284 mEq"
    # The MgCl2 20 % labels' sodium chloride 9 mg/mL: 9/58.44 = 0.154 mEq/mL, 5 mL = 0.77.
    no_ascorbate = check(order("myers-push", amounts={"ascorbic-acid-500": 0}))
    assert no_ascorbate.computed["sodium_meq"] == pytest.approx(0.77)
    # No sodium at all is 0, not "could not compute".
    none = check(order("myers-push", amounts={"ascorbic-acid-500": 0, "magnesium-chloride-20": 0}))
    assert none.computed["sodium_meq"] == 0.0


def test_an_old_normal_g6pd_warns_and_an_old_deficient_one_still_blocks(
    order: Builder, check: Checker
) -> None:
    """G6PD status is inherited: a normal result of 2025-11-01 (390 days, > 365) warns for
    confirmation instead of blocking; a deficient one from 2020 blocks; an indeterminate
    one is unknown (block above 200 mg, §5.10)."""
    old_normal = check(
        order(
            "myers-infusion",
            patient=adult(labs=labs_with("g6pd", interpretation="normal", date="2025-11-01")),
        )
    )
    assert found(old_normal, "prerequisite.stale") == [
        ("warn", "patient.labs[10]", "g6pd-for-vitamin-c")
    ]
    assert not old_normal.blocks
    old_deficient = check(
        order(
            "myers-infusion",
            patient=adult(labs=labs_with("g6pd", interpretation="deficient", date="2020-01-01")),
        )
    )
    assert ("block", "patient.labs[10]", "g6pd-for-vitamin-c") in found(
        old_deficient, "prerequisite.failed"
    )
    assert found(old_deficient, "prerequisite.stale") == []
    old_unclear = check(
        order(
            "myers-infusion",
            patient=adult(
                labs=labs_with("g6pd", interpretation="indeterminate", date="2020-01-01")
            ),
        )
    )
    assert ("block", "patient.labs[10]", "g6pd-for-vitamin-c") in found(
        old_unclear, "prerequisite.unknown"
    )


def test_the_rda_gate_says_when_it_lacks_a_result(order: Builder, check: Checker) -> None:
    """Between 75 and 200 mg a missing G6PD result is said (info), the > 200 mg gate is the
    one that requires it; a normal result passes."""
    missing = check(order("vitamin-c-labeled", patient=adult(labs=labs_with("g6pd"))))
    assert found(missing, "prerequisite.missing") == [
        ("info", "patient.labs", "g6pd-deficient-above-rda")
    ]
    assert not missing.blocks
    normal = check(order("vitamin-c-labeled"))
    assert found(normal, "prerequisite.missing") == found(normal, "prerequisite.failed") == []
