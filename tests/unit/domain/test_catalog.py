"""The shipped data: twelve templates, a consistent formulary, and safe defaults."""

from __future__ import annotations

import pytest

from pharmacy_domain.engine import Evaluation, default_body, evaluate_body, template_problems
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_domain.units import parse_order_unit
from tests.unit.domain.conftest import TODAY, adult

TEMPLATE_IDS = [
    "myers-push",
    "myers-infusion",
    "vitamin-c-labeled",
    "vitamin-c-high-dose",
    "glutathione-push",
    "glutathione-infusion",
    "nad-infusion",
    "hydration-magnesium",
    "trace-elements",
    "tpn-adult-central",
    "ppn-adult-peripheral",
    "hpn-cycled",
]


def test_the_twelve_templates_exist(catalog: TemplateCatalog) -> None:
    assert sorted(t.id for t in catalog.latest()) == sorted(TEMPLATE_IDS)
    assert catalog.get("myers-infusion", 1) is not None
    assert catalog.get("hydration-magnesium", 1) is not None


def test_templates_and_formulary_agree(catalog: TemplateCatalog, formulary: Formulary) -> None:
    assert template_problems(catalog, formulary) == []


def test_every_row_is_sourced_with_one_entry_mode(
    catalog: TemplateCatalog, formulary: Formulary
) -> None:
    for template in catalog.latest():
        assert template.sources, template.id
        for row in template.ingredients:
            assert row.source, (template.id, row.code)
            product = formulary.product(row.code)
            assert product is not None
            measure = parse_order_unit(row.unit).measure
            # "mg" / "mEq" / "mmol" of a product always names what it is of (salt or ion).
            if measure in ("mg", "g", "mcg", "mEq", "mmol"):
                assert any(m in product.measure_of for m in (measure, "mg", "mcg", "g")), row
            wire = row.to_wire()
            assert {
                "code",
                "name",
                "unit",
                "default_amount",
                "min_amount",
                "max_amount",
                "typical_min",
                "typical_max",
                "dosing_basis",
                "to_confirm",
                "source",
                "hard_max",
            } <= set(wire)


def test_every_formulary_number_is_sourced(formulary: Formulary) -> None:
    for product in formulary.products.values():
        assert product.source, product.code
        if any(tag in product.source for tag in ("[unverified]", "[C]", "[calc]")):
            assert product.to_confirm, product.code
    for vehicle in formulary.vehicles.values():
        assert vehicle.source
        assert vehicle.osmolarity_mosm_l >= 0
    assert formulary.vehicles["sodium-chloride-0.9"].osmolarity_mosm_l == 308  # [42]
    assert formulary.vehicles["lactated-ringers"].osmolarity_mosm_l == 273  # [42]
    assert formulary.vehicles["dextrose-5-water"].osmolarity_mosm_l == 252  # [42]


def test_unverified_rules_are_marked(rules: Rules) -> None:
    for rule in rules.thresholds:
        assert rule.source, rule.id
        if "[unverified]" in rule.source or "[C]" in rule.source:
            assert rule.to_confirm, rule.id


def _defaults(
    template_id: str, catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> Evaluation:
    template = next(t for t in catalog.latest() if t.id == template_id)
    body = default_body(template, adult())
    if template.access_required:
        body["access"] = template.default_access
    return evaluate_body(body, catalog, formulary, rules, today=TODAY)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_defaults_raise_no_block_for_a_typical_adult(
    template_id: str, catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> None:
    """70 kg, 175 cm, prerequisite labs present, recent and normal."""
    evaluation = _defaults(template_id, catalog, formulary, rules)
    assert evaluation.errors == []
    assert evaluation.blocks == [], [f.message for f in evaluation.blocks]


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_wire_round_trip(template_id: str, catalog: TemplateCatalog) -> None:
    from pharmacy_domain.templates import template_from_dict

    template = next(t for t in catalog.latest() if t.id == template_id)
    assert template_from_dict(template.to_wire()) == template
