"""Shared fixtures for the domain tests: the shipped catalog, formulary and rules, a typical
adult (70 kg, 175 cm) with normal, recent prerequisite labs, and order builders."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from pharmacy_domain.engine import Evaluation, default_body, evaluate_body
from pharmacy_domain.formulary import Formulary, load_formulary
from pharmacy_domain.rules import Rules, load_rules
from pharmacy_domain.templates import TemplateCatalog, load_template_catalog

TODAY = dt.date(2026, 11, 26)
RECENT = "2026-11-20"

NORMAL_LABS: list[dict[str, Any]] = [
    {"code": "g6pd", "interpretation": "normal", "date": RECENT},
    {
        "code": "creatinine",
        "value": 0.9,
        "unit": "mg/dL",
        "interpretation": "normal",
        "date": RECENT,
    },
    {"code": "glucose", "value": 100, "unit": "mg/dL", "interpretation": "normal", "date": RECENT},
    {"code": "triglycerides", "value": 150, "unit": "mg/dL", "date": RECENT},
    {"code": "bun", "value": 15, "unit": "mg/dL", "date": RECENT},
    {"code": "sodium", "value": 140, "unit": "mEq/L", "date": RECENT},
    {"code": "potassium", "value": 4.0, "unit": "mEq/L", "date": RECENT},
    {"code": "magnesium", "value": 1.8, "unit": "mEq/L", "date": RECENT},
    {"code": "phosphate", "value": 3.5, "unit": "mg/dL", "date": RECENT},
    {"code": "oxalate_stones", "interpretation": "absent", "date": RECENT},
    {"code": "sodium_restriction", "interpretation": "absent", "date": RECENT},
]


def adult(**changes: Any) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "given_name": "Ada",
        "family_name": "Example",
        "birth_date": "1980-01-01",
        "sex": "female",
        "weight_kg": 70,
        "height_cm": 175,
        "allergies": [],
        "labs": copy.deepcopy(NORMAL_LABS),
    }
    patient.update(changes)
    return patient


@pytest.fixture(scope="session")
def catalog() -> TemplateCatalog:
    return load_template_catalog()


@pytest.fixture(scope="session")
def formulary() -> Formulary:
    return load_formulary()


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules()


Builder = Callable[..., dict[str, Any]]
Checker = Callable[[dict[str, Any]], Evaluation]


@pytest.fixture
def order(catalog: TemplateCatalog) -> Builder:
    """``order("tpn-adult-central", amounts={"dextrose-70": 500}, access="central", ...)``:
    a body at the template's defaults for the typical adult, with changes applied."""

    def build(
        template_id: str,
        *,
        amounts: dict[str, float] | None = None,
        patient: dict[str, Any] | None = None,
        **top: Any,
    ) -> dict[str, Any]:
        template = next(t for t in catalog.latest() if t.id == template_id)
        body = default_body(template, patient if patient is not None else adult())
        for line in body["ingredients"]:
            if amounts and line["code"] in amounts:
                line["amount"] = amounts[line["code"]]
        body.update(top)
        return body

    return build


@pytest.fixture
def check(catalog: TemplateCatalog, formulary: Formulary, rules: Rules) -> Checker:
    def run(body: dict[str, Any]) -> Evaluation:
        evaluation = evaluate_body(body, catalog, formulary, rules, today=TODAY)
        assert not evaluation.errors, evaluation.errors
        return evaluation

    return run
