"""Whom an order is for: the template's population, age on the order's date, weight.

Each case gives the order that raises the finding and a close one that does not, with the
arithmetic. The order's date is the conftest's TODAY, 2026-11-26 (the engine's clock input;
the server passes the date of submission), never the wall clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pharmacy_domain.engine import Evaluation, evaluate_body
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.population import (
    PopulationError,
    age_on,
    check_population,
    population_from_dict,
)
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import TemplateCatalog, TemplateError, template_from_dict
from tests.unit.domain.conftest import TODAY, Builder, Checker, adult


def codes_at(evaluation: Evaluation, code: str) -> list[tuple[str, str]]:
    return [(f.severity, f.field) for f in evaluation.findings if f.code == code]


def test_every_template_states_its_population_with_a_source(catalog: TemplateCatalog) -> None:
    for template in catalog.latest():
        population = template.population
        assert population is not None, template.id
        assert population.label and population.source, template.id
        assert population.min_age_years is not None, template.id
        if "[unverified]" in population.source or "[C]" in population.source:
            assert population.to_confirm, template.id


@pytest.mark.parametrize(
    ("birth", "on", "years", "months", "days"),
    [
        ("2008-11-26", TODAY, 18, 216, 6574),  # the 18th birthday itself
        ("2008-11-27", TODAY, 17, 215, 6573),  # one day short
        ("2008-02-29", dt.date(2026, 2, 28), 17, 215, 6574),  # leap day: not yet
        ("2008-02-29", dt.date(2026, 3, 1), 18, 216, 6575),
        ("2026-11-16", TODAY, 0, 0, 10),  # a neonate (< 28 days, ICH E11)
        ("2026-05-20", TODAY, 0, 6, 190),
    ],
)
def test_age_in_completed_years_months_and_days(
    birth: str, on: dt.date, years: int, months: int, days: int
) -> None:
    age = age_on(dt.date.fromisoformat(birth), on)
    assert (age.years, age.months, age.days) == (years, months, days)


def test_an_adult_template_blocks_a_seventeen_year_old(order: Builder, check: Checker) -> None:
    """Adult templates: 18 years and over [unverified bound]. Born 2008-11-27 is 17 on
    2026-11-26 (one day short); born 2008-11-26 turns 18 that day."""
    minor = check(order("myers-infusion", patient=adult(birth_date="2008-11-27")))
    assert codes_at(minor, "population.outside") == [("block", "patient.birth_date")]
    message = next(f.message for f in minor.findings if f.code == "population.outside")
    assert "17 years old on 2026-11-26" in message and "adults (18 years and over)" in message
    eighteen = check(order("myers-infusion", patient=adult(birth_date="2008-11-26")))
    assert codes_at(eighteen, "population.outside") == []


def test_the_labeled_vitamin_c_dose_is_for_eleven_and_over(order: Builder, check: Checker) -> None:
    """[50][A] label: 200 mg daily from 11 years (100 mg at 1–10 years). Born 2015-11-27 is
    10 on 2026-11-26; born 2015-11-26 is 11."""
    ten = check(order("vitamin-c-labeled", patient=adult(birth_date="2015-11-27", weight_kg=32)))
    assert codes_at(ten, "population.outside") == [("block", "patient.birth_date")]
    assert not next(f for f in ten.findings if f.code == "population.outside").to_confirm
    eleven = check(order("vitamin-c-labeled", patient=adult(birth_date="2015-11-26", weight_kg=35)))
    assert codes_at(eleven, "population.outside") == []


def test_age_is_taken_on_the_orders_date_not_the_wall_clock(
    order: Builder, catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> None:
    """Born 2008-12-01: 17 on 2026-11-26, 18 on 2026-12-01. The same body, two order dates."""
    body = order("myers-infusion", patient=adult(birth_date="2008-12-01"))
    before = evaluate_body(body, catalog, formulary, rules, today=TODAY)
    after = evaluate_body(body, catalog, formulary, rules, today=dt.date(2026, 12, 1))
    assert "population.outside" in before.codes()
    assert "population.outside" not in after.codes()


def _with_population(
    catalog: TemplateCatalog, population: dict[str, Any] | None, template_id: str = "nad-infusion"
) -> TemplateCatalog:
    template = catalog.get(template_id, 1)
    assert template is not None
    wire = template.to_wire() | {"version": 99, "population": population}
    return TemplateCatalog([*catalog.latest(), template_from_dict(wire)])


def _evaluate(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules, **patient: Any
) -> Evaluation:
    body = {"template_id": "nad-infusion", "template_version": 99, "patient": adult(**patient)}
    evaluation = evaluate_body(body, catalog, formulary, rules, today=TODAY)
    assert not evaluation.errors, evaluation.errors
    return evaluation


def test_a_weight_range_blocks_outside_and_is_unknown_without_a_weight(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> None:
    """A population with a weight range (here 3–40 kg, a made-up paediatric template):
    45 kg blocks, 40 kg (inclusive) passes, no weight is "unknown", never a pass."""
    ranged = _with_population(
        catalog,
        {"label": "children 3–40 kg", "min_age_years": 0, "max_age_years": 18,
         "min_weight_kg": 3, "max_weight_kg": 40, "source": "test"},
    )  # fmt: skip
    child = {"birth_date": "2016-05-01"}
    heavy = _evaluate(ranged, formulary, rules, weight_kg=45, **child)
    assert codes_at(heavy, "population.outside") == [("block", "patient.weight_kg")]
    edge = _evaluate(ranged, formulary, rules, weight_kg=40, **child)
    assert codes_at(edge, "population.outside") == []
    unknown = _evaluate(ranged, formulary, rules, weight_kg=None, **child)
    assert ("warn", "patient.weight_kg") in codes_at(unknown, "population.unknown")
    adult_patient = _evaluate(ranged, formulary, rules, weight_kg=40)  # born 1980: 46 years
    assert codes_at(adult_patient, "population.outside") == [("block", "patient.birth_date")]


def test_a_template_that_does_not_say_whom_it_is_for_warns(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> None:
    silent = _with_population(catalog, None)
    evaluation = _evaluate(silent, formulary, rules)
    assert codes_at(evaluation, "population.unknown") == [("warn", "template_id")]


def test_a_malformed_population_is_refused(catalog: TemplateCatalog) -> None:
    with pytest.raises(PopulationError):
        population_from_dict({"label": "adults", "min_age_years": 18})  # no source
    with pytest.raises(PopulationError):
        population_from_dict({"label": "x", "source": "s", "min_age_years": 18, "max_age_years": 2})
    template = catalog.get("nad-infusion", 1)
    assert template is not None
    with pytest.raises(TemplateError, match="population"):
        template_from_dict(template.to_wire() | {"population": {"label": "x", "source": "s",
                                                                "min_weight_kg": -1}})  # fmt: skip


def test_without_a_birth_date_the_age_is_unknown_not_a_pass() -> None:
    """The parser requires a birth date; a patient record without one (the server may pass
    its own) still cannot pass the population check."""
    adults = population_from_dict({"label": "adults", "min_age_years": 18, "source": "test"})
    concerns = check_population(
        adults, template_name="T", birth_date=None, weight_kg=70, today=TODAY
    )
    assert [(c.code, c.severity, c.field) for c in concerns] == [
        ("population.unknown", "warn", "patient.birth_date")
    ]
