"""The composer's plain state: form text → request body, and errors → form fields."""

from __future__ import annotations

import datetime as dt

import pytest

from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.composer import ComposerState, LabEntry, parse_number
from portal_client.core.form_review import typical_range

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def myers() -> Template:
    return next(t for t in load_template_catalog().latest() if t.id == "myers-infusion")


def filled(template: Template) -> ComposerState:
    state = ComposerState()
    state.select_template(template)
    state.given_name, state.family_name = "  Ada ", "Lovelace"
    state.birth_date, state.sex = "1980-02-03", "female"
    state.weight_kg, state.height_cm = "61,5", "170"
    state.allergies = "penicillin, latex;  \n sulfa"
    state.labs = [
        LabEntry("G6PD", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    return state


def test_a_filled_form_is_valid_and_becomes_the_wire_body(myers: Template) -> None:
    state = filled(myers)
    assert state.validate(today=TODAY) == []
    body = state.to_body()
    assert body["template_id"] == "myers-infusion" and body["template_version"] == myers.version
    assert body["patient"] == {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "birth_date": "1980-02-03",
        "sex": "female",
        "weight_kg": 61.5,
        "height_cm": 170.0,
        "allergies": ["penicillin", "latex", "sulfa"],
        "labs": [
            {
                "code": "g6pd",
                "date": "2026-10-01",
                "value": None,
                "unit": "",
                "interpretation": "normal",
            },
            {
                "code": "creatinine",
                "date": "2026-11-01",
                "value": 0.9,
                "unit": "mg/dL",
                "interpretation": "normal",
            },
        ],
    }
    assert [line["code"] for line in body["ingredients"]] == [
        row.code for row in myers.ingredients if row.default_amount
    ]
    units = {row.code: row.unit for row in myers.ingredients}
    assert all(line["unit"] == units[line["code"]] for line in body["ingredients"])
    assert body["access"] == myers.default_access
    assert body["vehicle"]["code"] == myers.vehicles[0].code
    assert body["infusion_minutes"] == myers.infusion_minutes_default


def test_empty_and_zero_amounts_are_not_ordered(myers: Template) -> None:
    state = filled(myers)
    first, second = myers.ingredients[0].code, myers.ingredients[1].code
    state.amounts[first] = ""
    state.amounts[second] = "0"
    codes = [line["code"] for line in state.to_body()["ingredients"]]
    assert first not in codes and second not in codes


def test_errors_name_their_fields(myers: Template) -> None:
    state = ComposerState()
    state.select_template(myers)
    state.weight_kg = "heavy"
    fields = {error.field: error.reason for error in state.validate(today=TODAY)}
    assert fields["patient.given_name"] == "is required"
    assert fields["patient.birth_date"] == "is required"
    assert "number" in fields["patient.weight_kg"]


def test_ingredient_errors_map_back_to_the_ingredient_row(myers: Template) -> None:
    state = filled(myers)
    skipped = myers.ingredients[0]
    over = myers.ingredients[2]
    state.amounts[skipped.code] = ""  # not sent, so indexes shift by one
    state.amounts[over.code] = str(over.max_amount + 1)
    errors = state.validate(today=TODAY)
    assert [e.field for e in errors] == ["ingredients[1].amount"]
    assert state.field_for_error("ingredients[1].amount") == f"ingredient:{over.code}"
    assert state.field_for_error("ingredients[99].amount") == "ingredients"
    assert state.field_for_error("patient.allergies[2]") == "patient.allergies"


def test_no_template_is_an_error_on_the_template(myers: Template) -> None:
    del myers
    errors = ComposerState().validate(today=TODAY)
    assert errors[0].field == "template_id"


def test_missing_labs_block_and_warnings_need_a_reason(myers: Template) -> None:
    state = filled(myers)
    state.labs = []
    blocked = state.check(today=TODAY)
    assert {e.field for e in blocked.errors} == {"patient.labs"}
    assert "G6PD" in " ".join(e.reason for e in blocked.errors)
    push = next(t for t in load_template_catalog().latest() if t.id == "myers-push")
    state = filled(myers)
    state.select_template(push)
    result = state.check(today=TODAY)
    assert result.errors == [] and result.unacknowledged
    warning = next(w for w in result.unacknowledged if w.code == "osmolarity.hypertonic_push")
    state.acknowledgements[(warning.code, warning.field)] = "Slow push over 15 min, monitored."
    # The allergies cannot be ruled out for dexpanthenol, whose label was never read (the
    # B-complex label was: benzyl alcohol, sodium hydroxide, hydrochloric acid).
    left = state.check(today=TODAY).unacknowledged
    assert {(w.code, w.field) for w in left} == {
        ("allergy.excipients_unknown", "ingredients[4].code"),  # dexpanthenol
    }
    state.allergies = ""
    assert state.check(today=TODAY).unacknowledged == []
    assert state.to_body()["acknowledgements"] == [
        {
            "code": warning.code,
            "field": warning.field,
            "reason": "Slow push over 15 min, monitored.",
        }
    ]


def test_range_notes_flag_unusual_but_allowed_amounts(myers: Template) -> None:
    row = next(r for r in myers.ingredients if r.typical_max is not None)
    assert row.typical_max is not None
    state = filled(myers)
    assert state.range_notes() == []
    state.amounts[row.code] = f"{(row.typical_max + row.max_amount) / 2:g}"
    notes = state.range_notes()
    assert [n.field for n in notes] == [row.code]
    assert typical_range(row) in notes[0].message


def test_template_switch_keeps_the_patient_and_start_over_renews_the_key(myers: Template) -> None:
    other = next(t for t in load_template_catalog().latest() if t.id != myers.id)
    state = filled(myers)
    key = state.idempotency_key
    state.select_template(other)
    assert state.given_name.strip() == "Ada" and set(state.amounts) == {
        r.code for r in other.ingredients
    }
    assert state.idempotency_key == key  # still the same prescription being composed
    state.start_over()
    assert state.idempotency_key != key and state.given_name == ""
    assert state.template is other


@pytest.mark.parametrize(
    ("text", "value"),
    [("", None), (" 5 ", 5.0), ("5,5", 5.5), ("1 000", 1000.0), ("abc", "abc"), ("1.2.3", "1.2.3")],
)
def test_parse_number(text: str, value: float | str | None) -> None:
    assert parse_number(text) == value
