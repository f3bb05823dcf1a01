"""Property: an order with something unknown never passes.

"Passes" means no block and no warning: the prescriber could sign without a word. Each
generated order starts from a template's defaults for the typical adult and then makes one
thing unknown: an allergy against a product whose excipients were never checked, a neonate
or infant given such a product, a missing weight where the order needs one, a missing G6PD
result above the 200 mg gate, an old normal G6PD result, or a missing birth date. The
finding that says so must be there.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pharmacy_domain.engine import Evaluation, default_body, evaluate_body
from pharmacy_domain.excipients import real_allergies
from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import Template, load_template_catalog
from pharmacy_domain.units import parse_order_unit
from tests.unit.domain.conftest import TODAY, adult

CATALOG = load_template_catalog()
FORMULARY = load_formulary()
RULES = load_rules()
TEMPLATES = {t.id: t for t in CATALOG.latest()}
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def unchecked_rows(template: Template) -> list[str]:
    return [
        row.code
        for row in template.ingredients
        if not FORMULARY.products[row.code].excipients_checked and row.block_above > 0
    ]


def needs_weight(template: Template) -> bool:
    per_size = any(
        parse_order_unit(r.unit).per_kg or parse_order_unit(r.unit).per_m2
        for r in template.ingredients
    )
    return per_size or "patient.weight_kg" in template.required_fields


def evaluate(body: dict[str, Any]) -> Evaluation:
    return evaluate_body(body, CATALOG, FORMULARY, RULES, today=TODAY)


def passes(evaluation: Evaluation) -> bool:
    return not evaluation.blocked and not evaluation.warnings


def raised(evaluation: Evaluation, codes: set[str], field: str | None = None) -> bool:
    return any(
        f.code in codes and f.severity in ("warn", "block") and (field is None or f.field == field)
        for f in evaluation.findings
    )


def base(template: Template, **patient: Any) -> dict[str, Any]:
    body = default_body(template, adult(**patient))
    body["access"] = template.default_access
    return body


def set_amount(body: dict[str, Any], code: str, amount: float) -> int:
    index = next(i for i, line in enumerate(body["ingredients"]) if line["code"] == code)
    body["ingredients"][index]["amount"] = amount
    return index


ALLERGY_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=20).filter(
    lambda text: bool(real_allergies([text], FORMULARY.allergies))
)


@st.composite
def with_unchecked_product(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    template = TEMPLATES[
        draw(st.sampled_from(sorted(t for t in TEMPLATES if unchecked_rows(TEMPLATES[t]))))
    ]
    code = draw(st.sampled_from(unchecked_rows(template)))
    row = template.ingredient(code)
    assert row is not None
    body = base(template)
    index = set_amount(
        body, code, draw(st.floats(min_value=row.block_above / 100, max_value=row.block_above))
    )
    return body, f"ingredients[{index}].code"


@PROPERTY
@given(with_unchecked_product(), st.lists(ALLERGY_WORDS, min_size=1, max_size=3))
def test_an_allergy_never_passes_a_product_with_unchecked_excipients(
    order: tuple[dict[str, Any], str], allergies: list[str]
) -> None:
    body, field = order
    body = copy.deepcopy(body)
    body["patient"]["allergies"] = allergies
    evaluation = evaluate(body)
    assert not evaluation.errors
    assert not passes(evaluation)
    assert raised(
        evaluation,
        {"allergy.excipients_unknown", "allergy.ingredient", "allergy.cross_reactive"},
        field,
    )


@PROPERTY
@given(with_unchecked_product(), st.integers(min_value=0, max_value=729))
def test_a_young_patient_never_passes_a_product_with_unchecked_excipients(
    order: tuple[dict[str, Any], str], days_old: int
) -> None:
    body, field = order
    body = copy.deepcopy(body)
    born = TODAY.toordinal() - days_old
    body["patient"]["birth_date"] = type(TODAY).fromordinal(born).isoformat()
    body["patient"]["weight_kg"] = 3 + days_old / 80
    evaluation = evaluate(body)
    assert not evaluation.errors
    assert evaluation.blocked  # an adult template, and the unknown said at the product
    assert raised(evaluation, {"excipient.unknown"}, field)


@PROPERTY
@given(st.sampled_from(sorted(t for t in TEMPLATES if needs_weight(TEMPLATES[t]))))
def test_a_missing_weight_never_passes(template_id: str) -> None:
    evaluation = evaluate(base(TEMPLATES[template_id], weight_kg=None))
    assert not evaluation.errors
    assert not passes(evaluation)
    assert raised(evaluation, {"required.field", "population.unknown"}, "patient.weight_kg")


VITAMIN_C = [
    (template_id, row.code)
    for template_id, template in sorted(TEMPLATES.items())
    for row in template.ingredients
    if "ascorbic_acid_mg" in FORMULARY.products[row.code].content_per_ml
    and row.code == "ascorbic-acid-500"
]


@PROPERTY
@given(st.sampled_from(VITAMIN_C), st.data())
def test_vitamin_c_above_the_gate_never_passes_without_a_g6pd_result(
    choice: tuple[str, str], data: st.DataObject
) -> None:
    template_id, code = choice
    template = TEMPLATES[template_id]
    row = template.ingredient(code)
    assert row is not None
    labs = [lab for lab in adult()["labs"] if lab["code"] != "g6pd"]
    body = base(template, labs=labs)
    mg_per_unit = {"mg": 1.0, "g": 1000.0, "mL": 500.0}[row.unit]
    lowest = 200.5 / mg_per_unit  # just over the 200 mg gate
    if lowest > row.block_above:
        return  # this template cannot reach the gate
    set_amount(body, code, data.draw(st.floats(min_value=lowest, max_value=row.block_above)))
    evaluation = evaluate(body)
    assert not evaluation.errors
    assert evaluation.blocked
    assert raised(evaluation, {"prerequisite.missing"}, "patient.labs")


@PROPERTY
@given(st.sampled_from(VITAMIN_C), st.integers(min_value=366, max_value=20 * 365))
def test_an_old_normal_g6pd_result_never_passes_silently(
    choice: tuple[str, str], days_old: int
) -> None:
    template_id, code = choice
    template = TEMPLATES[template_id]
    row = template.ingredient(code)
    assert row is not None
    date = type(TODAY).fromordinal(TODAY.toordinal() - days_old).isoformat()
    labs = [lab for lab in adult()["labs"] if lab["code"] != "g6pd"]
    labs.append({"code": "g6pd", "interpretation": "normal", "date": date})
    body = base(template, labs=labs)
    set_amount(body, code, row.block_above)
    evaluation = evaluate(body)
    assert not evaluation.errors
    assert not passes(evaluation)
    assert raised(evaluation, {"prerequisite.stale"})


@PROPERTY
@given(st.sampled_from(sorted(TEMPLATES)))
def test_a_missing_birth_date_never_passes(template_id: str) -> None:
    body = base(TEMPLATES[template_id])
    del body["patient"]["birth_date"]
    evaluation = evaluate(body)
    assert evaluation.blocked
    assert "patient.birth_date" in {error.field for error in evaluation.errors}
