"""Properties of the engine and the units, checked over many generated orders."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pharmacy_domain.engine import default_body, evaluate_body
from pharmacy_domain.formulary import Formulary, load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import TemplateCatalog, load_template_catalog
from pharmacy_domain.units import MASS_IN_MG, convert
from tests.unit.domain.conftest import TODAY, adult

CATALOG: TemplateCatalog = load_template_catalog()
FORMULARY: Formulary = load_formulary()
RULES = load_rules()
TEMPLATES = {t.id: t for t in CATALOG.latest()}
INFUSIONS = [
    "myers-infusion",
    "vitamin-c-high-dose",
    "hydration-magnesium",
    "nad-infusion",
    "trace-elements",
    "glutathione-push",
    "tpn-adult-central",
    "ppn-adult-peripheral",
]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _osmolarity(body: dict[str, Any]) -> float:
    evaluation = evaluate_body(body, CATALOG, FORMULARY, RULES, today=TODAY)
    assert not evaluation.errors, evaluation.errors
    value = evaluation.computed["osmolarity_mosm_l"]
    assert value is not None
    return value


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    template = TEMPLATES[draw(st.sampled_from(INFUSIONS))]
    body = default_body(template, adult())
    body["access"] = template.default_access
    for line in body["ingredients"]:
        row = template.ingredient(line["code"])
        assert row is not None
        line["amount"] = draw(st.floats(0, row.block_above, allow_nan=False))
    vehicle = template.vehicles[0]
    body["vehicle"]["volume_ml"] = draw(
        st.floats(max(vehicle.min_volume_ml, 10), vehicle.max_volume_ml, allow_nan=False)
    )
    return body


@FAST
@given(orders(), st.data())
def test_adding_hypertonic_solute_never_lowers_osmolarity(
    body: dict[str, Any], data: st.DataObject
) -> None:
    """Adding a stock product whose own osmolarity is at least the mixture's can only raise
    the volume-weighted estimate (weighted-average property)."""
    before = _osmolarity(body)
    template = TEMPLATES[body["template_id"]]
    index = data.draw(st.integers(0, len(body["ingredients"]) - 1))
    line = body["ingredients"][index]
    row = template.ingredient(line["code"])
    product = FORMULARY.product(line["code"])
    assert row is not None and product is not None
    if product.osmolarity_mosm_l is None or product.osmolarity_mosm_l < before:
        return
    if row.separate_container:
        return
    more = copy.deepcopy(body)
    more["ingredients"][index]["amount"] = data.draw(
        st.floats(line["amount"], row.block_above, allow_nan=False)
    )
    assert _osmolarity(more) >= before - 1e-9


@FAST
@given(orders(), st.data())
def test_more_diluent_never_raises_osmolarity(body: dict[str, Any], data: st.DataObject) -> None:
    before = _osmolarity(body)
    vehicle_code = body["vehicle"]["code"]
    vehicle = FORMULARY.vehicle(vehicle_code)
    option = TEMPLATES[body["template_id"]].vehicle(vehicle_code)
    assert vehicle is not None and option is not None
    if vehicle.osmolarity_mosm_l > before:
        return  # a diluent above the mixture's osmolarity is not a diluent
    more = copy.deepcopy(body)
    more["vehicle"]["volume_ml"] = data.draw(
        st.floats(body["vehicle"]["volume_ml"], option.max_volume_ml, allow_nan=False)
    )
    assert _osmolarity(more) <= before + 1e-9


@st.composite
def product_measures(draw: st.DrawFn) -> tuple[dict[str, float], str, str]:
    product = draw(st.sampled_from(list(FORMULARY.products.values())))
    measures = ["mL", *product.measures]
    if any(m in MASS_IN_MG for m in product.measures):
        measures += list(MASS_IN_MG)
    return dict(product.measures), draw(st.sampled_from(measures)), draw(st.sampled_from(measures))


@given(product_measures(), st.floats(1e-3, 1e5, allow_nan=False))
def test_unit_conversions_round_trip(
    spec: tuple[dict[str, float], str, str], amount: float
) -> None:
    measures, first, second = spec
    there = convert(amount, first, second, measures)
    back = convert(there, second, first, measures)
    assert abs(back - amount) <= 1e-9 * max(1.0, amount)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(TEMPLATES)), st.floats(50, 120), st.floats(150, 200))
def test_defaults_raise_no_block_for_adults(template_id: str, weight: float, height: float) -> None:
    """Any adult of 50–120 kg and 150–200 cm with normal, recent labs."""
    template = TEMPLATES[template_id]
    body = default_body(template, adult(weight_kg=round(weight, 1), height_cm=round(height, 1)))
    evaluation = evaluate_body(
        body | {"access": template.default_access}, CATALOG, FORMULARY, RULES, today=TODAY
    )
    assert not evaluation.errors
    assert not evaluation.blocks, [f.message for f in evaluation.blocks]
