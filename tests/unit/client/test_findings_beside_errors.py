"""One error never hides another finding: a dose out of range keeps every other check."""

from __future__ import annotations

import datetime as dt

import pytest

from pharmacy_domain.engine import evaluate_body
from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.prescription import InvalidPrescription, parse_prescription
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import Template, TemplateCatalog, load_template_catalog
from portal_client.core.composer import ComposerState, LabEntry

TODAY = dt.date(2026, 12, 1)


def template(template_id: str) -> Template:
    return next(t for t in load_template_catalog().latest() if t.id == template_id)


def deficient_and_renal(template_id: str) -> ComposerState:
    """A G6PD-deficient patient with a high creatinine: the G6PD block and the renal check."""
    state = ComposerState()
    state.select_template(template(template_id))
    state.given_name, state.family_name = "Ada", "Lovelace"
    state.birth_date, state.sex, state.weight_kg = "1980-02-03", "female", "61"
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="deficient"),
        LabEntry("creatinine", "2026-11-01", "3.2", "mg/dL", "high"),
    ]
    return state


def clinical(state: ComposerState) -> set[tuple[str, str, str]]:
    evaluation = state.check(TODAY).evaluation
    assert evaluation is not None
    return {(f.code, f.severity, f.field) for f in evaluation.findings}


@pytest.mark.parametrize(
    ("template_id", "ingredient"),
    [("myers-infusion", "magnesium-chloride-20"), ("vitamin-c-high-dose", "ascorbic-acid-500")],
)
def test_a_dose_out_of_range_keeps_the_g6pd_and_renal_findings(
    template_id: str, ingredient: str
) -> None:
    state = deficient_and_renal(template_id)
    before = clinical(state)
    assert ("prerequisite.failed", "block", "patient.labs[0]") in before  # G6PD deficient
    assert ("prerequisite.failed", "warn", "patient.labs[1]") in before  # creatinine high
    row = state.template.ingredient(ingredient) if state.template else None
    assert row is not None

    state.edit_amount(ingredient, f"{row.max_amount * 3:g}")
    review = state.review(TODAY)

    place = f"ingredient:{ingredient}"
    assert review.shown(place).startswith("Must be at most")  # the dose's own error…
    after = clinical(state)
    assert before - after == set()  # …beside every finding there was
    assert {f.code for f in review.blocks} >= {"prerequisite.failed"}
    assert not review.can_sign
    assert review.result.evaluation is not None and review.result.evaluation.checked
    computed = review.result.evaluation.computed
    assert computed["total_volume_ml"] is not None  # the figures are the order as typed


def test_a_dose_back_in_range_leaves_the_same_findings_as_before() -> None:
    state = deficient_and_renal("myers-infusion")
    before = clinical(state)
    state.edit_amount("magnesium-chloride-20", "30")
    state.edit_amount("magnesium-chloride-20", "5")
    assert clinical(state) == before
    assert "ingredient:magnesium-chloride-20" not in state.review(TODAY).errors


def test_a_missing_name_hides_no_finding() -> None:
    state = deficient_and_renal("myers-infusion")
    before = clinical(state)
    state.edit("patient.given_name", "given_name", "")
    review = state.review(TODAY)
    assert "patient.given_name" in review.errors
    assert clinical(state) == before


def test_an_unreadable_amount_is_not_judged_as_if_it_were_absent() -> None:
    """Text instead of a number leaves the dose unknown: no figure or finding is made up
    without it, and the panel is told nothing was checked."""
    state = deficient_and_renal("myers-infusion")
    state.edit_amount("magnesium-chloride-20", "five")
    result = state.check(TODAY)
    assert result.evaluation is not None and not result.evaluation.checked
    assert result.evaluation.findings == [] and result.evaluation.computed == {}
    assert [e.field for e in result.errors] == ["ingredients[0].amount"]


def test_the_domain_still_refuses_the_order_and_says_what_was_typed() -> None:
    state = deficient_and_renal("vitamin-c-high-dose")
    state.edit_amount("ascorbic-acid-500", "150")
    catalog = TemplateCatalog([template("vitamin-c-high-dose")])
    with pytest.raises(InvalidPrescription) as refused:
        parse_prescription(state.to_body(), catalog, today=TODAY)
    as_typed = refused.value.as_typed
    assert as_typed is not None
    assert {line.code: line.amount for line in as_typed.ingredients}["ascorbic-acid-500"] == 150
    body = state.to_body()
    evaluation = evaluate_body(body, catalog, load_formulary(), load_rules(), today=TODAY)
    assert evaluation.blocked and evaluation.prescription is None
    assert [e.field for e in evaluation.errors] == ["ingredients[0].amount"]
    assert "dose.above_hard_limit" in evaluation.codes()


def test_the_doses_block_does_not_say_the_same_thing_twice_at_the_field() -> None:
    state = deficient_and_renal("myers-infusion")
    state.edit_amount("magnesium-chloride-20", "30")
    fields = [e.field for e in state.check(TODAY).errors]
    assert fields.count("ingredients[0].amount") == 1


def test_a_lab_row_still_being_filled_in_hides_no_other_finding() -> None:
    """The prescriber has picked G6PD and its date, not yet the result: the renal finding
    stays, and the G6PD row's own check says its result cannot be read (never that it
    passes) at that very row."""
    state = deficient_and_renal("myers-infusion")
    before = clinical(state)
    state.labs = [LabEntry("g6pd", "2026-10-01"), state.labs[1]]
    review = state.review(TODAY)
    assert not review.can_sign
    result = state.check(TODAY)
    assert [e.field for e in result.errors] == ["patient.labs[0]"]
    assert result.evaluation is not None and result.evaluation.checked
    after = clinical(state)
    assert ("prerequisite.failed", "warn", "patient.labs[1]") in after  # creatinine high
    g6pd = {(code, field) for code, _severity, field in after if field == "patient.labs[0]"}
    assert g6pd == {("prerequisite.unknown", "patient.labs[0]")}
    assert before - after == {("prerequisite.failed", "block", "patient.labs[0]")}


def test_an_empty_lab_row_without_a_date_still_leaves_the_order_unjudged() -> None:
    """With no date either, the row says nothing about when: nothing is judged as typed
    (the other rows' findings could not be placed), as before."""
    state = deficient_and_renal("myers-infusion")
    state.labs = [LabEntry("g6pd"), state.labs[1]]
    result = state.check(TODAY)
    assert [e.field for e in result.errors] == ["patient.labs[0]"]
    assert result.evaluation is not None and not result.evaluation.checked


def test_the_allowed_column_stops_at_the_hard_limit() -> None:
    """Magnesium in the Myers' bag is blocked above 5 mL though the field takes up to 10:
    the composer's "Allowed" says 0–5 mL, what can be signed."""
    from portal_client.core.form_review import allowed_range

    magnesium = template("myers-infusion").ingredient("magnesium-chloride-20")
    assert magnesium is not None
    assert (magnesium.max_amount, magnesium.block_above) == (10, 5)
    assert allowed_range(magnesium) == "0–5 mL"
    state = deficient_and_renal("myers-infusion")
    state.edit_amount("magnesium-chloride-20", "6")  # inside the field's range, over the limit
    assert "dose.above_hard_limit" in {code for code, _s, _f in clinical(state)}
