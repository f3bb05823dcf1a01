"""A proposal checked against the template, applied to an order, and the diff between two
versions (``pharmacy_domain.field_proposals``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pharmacy_domain.canonical import canonical_sha256
from pharmacy_domain.field_proposals import (
    ACCESS,
    INFUSION_MINUTES,
    VEHICLE_CODE,
    VEHICLE_VOLUME,
    ProposalError,
    apply_proposal,
    check_proposal,
    diff_contents,
    ingredient_path,
    proposable_fields,
    proposal_summary,
    shown_value,
)
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.templates import Template, load_template_catalog

CATALOG = load_template_catalog()
MYERS = CATALOG.get("myers-infusion", 1)
MAGNESIUM = ingredient_path("magnesium-chloride-20")


def _template() -> Template:
    assert MYERS is not None
    return MYERS


def _content() -> dict[str, Any]:
    body = {
        "template_id": "myers-infusion",
        "template_version": 1,
        "patient": {
            "given_name": "Canary",
            "family_name": "Testpatient",
            "birth_date": "1980-04-02",
            "sex": "female",
            "weight_kg": 68.5,
        },
    }
    return parse_prescription(body, CATALOG, today=dt.date(2026, 12, 4)).to_wire()


def test_the_fields_offered_are_the_orders_ingredients_vehicle_time_and_route() -> None:
    paths = [field.path for field in proposable_fields(_template(), _content())]
    ordered = [line["code"] for line in _content()["ingredients"]]
    assert paths[: len(ordered)] == [ingredient_path(code) for code in ordered]
    assert paths[len(ordered) :] == [VEHICLE_CODE, VEHICLE_VOLUME, INFUSION_MINUTES, ACCESS]
    magnesium = proposable_fields(_template(), _content())[0]
    assert (magnesium.unit, magnesium.minimum, magnesium.maximum) == ("mL", 0, 10)


@pytest.mark.parametrize(
    ("path", "value", "member", "reason"),
    [
        (MAGNESIUM, 10.5, "value", "must be at most 10 mL"),
        (MAGNESIUM, True, "value", "must be a number"),
        (MAGNESIUM, float("nan"), "value", "must be a number"),
        (MAGNESIUM, 5, "value", "is already 5 mL"),
        (VEHICLE_VOLUME, 99, "value", "must be at least 100 mL"),
        (INFUSION_MINUTES, 121, "value", "must be at most 120 min"),
        (INFUSION_MINUTES, 60.5, "value", "must be a whole number"),
        (ACCESS, "push", "value", "must be one of peripheral, central"),
        (VEHICLE_CODE, 3, "value", "must be one of"),
        ("ingredients.nothing.amount", 1, "field", "is not a field of this order"),
        ("notes", "x", "field", "is not a field of this order"),
    ],
)
def test_a_proposal_outside_the_template_names_the_field(
    path: str, value: Any, member: str, reason: str
) -> None:
    with pytest.raises(ProposalError) as refused:
        check_proposal(_template(), _content(), path, value)
    [error] = refused.value.errors
    assert error.field == member
    assert reason in error.reason
    assert path in error.reason


def test_apply_changes_that_field_alone_and_the_diff_says_so() -> None:
    before = _content()
    value = check_proposal(_template(), before, MAGNESIUM, 2)
    after = apply_proposal(before, MAGNESIUM, value)
    assert before == _content()  # the old version is left as it was
    [change] = diff_contents(before, after, _template())
    assert (change.path, change.old, change.new, change.unit) == (MAGNESIUM, 5, 2.0, "mL")
    assert change.label.startswith("Magnesium chloride")
    assert canonical_sha256(after) != canonical_sha256(before)
    # The changed order is still one the domain parses, and it holds the new dose.
    parsed = parse_prescription(after, CATALOG, today=dt.date(2026, 12, 4))
    assert parsed.ingredients[0].amount == 2


def test_the_diff_lists_vehicle_time_route_and_other_members() -> None:
    before = _content()
    after = apply_proposal(before, VEHICLE_CODE, "lactated-ringers")
    after = apply_proposal(after, VEHICLE_VOLUME, 500.0)
    after = apply_proposal(after, INFUSION_MINUTES, 90)
    after = apply_proposal(after, ACCESS, "central")
    after["notes"] = "changed"
    changes = diff_contents(before, after, _template())
    assert [(c.path, c.new) for c in changes] == [
        (VEHICLE_CODE, "lactated-ringers"),
        (VEHICLE_VOLUME, 500.0),
        (INFUSION_MINUTES, 90),
        (ACCESS, "central"),
        ("notes", "changed"),
    ]
    assert diff_contents(before, before) == []


def test_a_line_added_or_dropped_shows_none_on_the_missing_side() -> None:
    before = _content()
    after = dict(before, ingredients=before["ingredients"][1:])
    [change] = diff_contents(before, after)
    assert (change.old, change.new) == (5, None)
    assert shown_value(None) == "—"


def test_the_summary_reads_as_the_prescriber_sees_it() -> None:
    assert proposal_summary("Magnesium", 2, 1.0, "g") == "Magnesium 2 g → 1 g"
    assert proposal_summary("Access route", "peripheral", "central") == (
        "Access route peripheral → central"
    )


@given(st.floats(min_value=0, max_value=10, allow_nan=False).filter(lambda v: v != 5))
def test_any_value_in_range_applies_and_diffs_to_exactly_itself(value: float) -> None:
    before = _content()
    checked = check_proposal(_template(), before, MAGNESIUM, value)
    after = apply_proposal(before, MAGNESIUM, checked)
    changes = diff_contents(before, after)
    assert [(c.path, c.new) for c in changes] == [(MAGNESIUM, value)]
    # Applying the same proposal twice gives the same content (client and server agree).
    assert canonical_sha256(apply_proposal(before, MAGNESIUM, checked)) == canonical_sha256(after)
