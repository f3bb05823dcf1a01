"""Starting from a favorite: its doses on the template's newest version with every
change named, the patient already in the composer kept, never saved into a favorite."""

from __future__ import annotations

import dataclasses

import pytest

from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.composer import ComposerState
from portal_client.core.errors import ServerUnreachable
from portal_client.core.favorites import (
    CannotStartFrom,
    favorite_content,
    favorites_of,
    plan_favorite,
)
from portal_client.core.wire import FavoriteWire

MYERS_V1 = load_template_catalog().get("myers-infusion", 1)
assert MYERS_V1 is not None
MAGNESIUM, CALCIUM = MYERS_V1.ingredients[0], MYERS_V1.ingredients[1]


def _favorite(name: str = "My usual", template_id: str = "myers-infusion") -> FavoriteWire:
    return FavoriteWire(
        id="f1",
        name=name,
        template_id=template_id,
        template_version=1,
        content={
            "ingredients": [
                {"code": MAGNESIUM.code, "amount": 4, "unit": MAGNESIUM.unit},
                {"code": CALCIUM.code, "amount": 2, "unit": CALCIUM.unit},
            ],
            "access": "peripheral",
            "vehicle": {"code": "sodium-chloride-0.9", "volume_ml": 250},
            "infusion_minutes": 60,
        },
        version=1,
        created_at="2026-12-01T10:00:00Z",
        updated_at="2026-12-01T10:00:00Z",
    )


def _never_read(_template_id: str, _version: int) -> Template:
    raise AssertionError("the favorite's version is the newest: nothing to read")


def test_the_composed_order_is_saved_without_the_patient() -> None:
    assert MYERS_V1 is not None
    state = ComposerState()
    state.select_template(MYERS_V1)
    state.given_name, state.family_name, state.notes = "Ada", "Lovelace", "Seen Tuesday"
    content = favorite_content(state.to_body())
    assert "patient" not in content and "notes" not in content
    assert content["ingredients"][0]["code"] == MAGNESIUM.code


def test_starting_from_a_favorite_keeps_the_patient_and_takes_its_doses() -> None:
    assert MYERS_V1 is not None
    composer = ComposerState(given_name="Ada", family_name="Lovelace", birth_date="1980-02-03")
    plan = plan_favorite(_favorite(), [MYERS_V1], _never_read, composer.to_draft())
    assert not plan.template_changed
    state = ComposerState.from_draft(plan.draft_id, plan.payload, [MYERS_V1])
    assert (state.given_name, state.family_name) == ("Ada", "Lovelace")
    assert state.amounts[MAGNESIUM.code] == "4" and state.amounts[CALCIUM.code] == "2"
    assert all(state.amounts[row.code] == "" for row in MYERS_V1.ingredients[2:])
    assert state.vehicle_code == "sodium-chloride-0.9" and state.infusion_minutes == "60"
    assert plan.message() == "Started from your favorite “My usual”. Check the patient, then sign."


def test_a_newer_version_is_named_with_what_it_did_to_the_favorite() -> None:
    assert MYERS_V1 is not None
    lowered = dataclasses.replace(MAGNESIUM, hard_max=3.0, typical_max=3.0, max_amount=3.0)
    v2 = dataclasses.replace(MYERS_V1, version=2, ingredients=(lowered, *MYERS_V1.ingredients[2:]))
    plan = plan_favorite(_favorite(), [MYERS_V1, v2], lambda _id, _v: MYERS_V1)
    assert plan.template_changed and plan.template.version == 2
    lines = plan.message().splitlines()
    assert "changed since version 1 (now version 2)" in lines[1]
    assert f"{CALCIUM.name}: removed from the template" in lines
    assert any(line.startswith(f"{MAGNESIUM.name}: 4 mL is outside") for line in lines)
    state = ComposerState.from_draft(plan.draft_id, plan.payload, [v2])
    assert state.template is not None and state.template.version == 2
    assert state.amounts[MAGNESIUM.code] == "4"  # kept as saved: the checks block it
    assert CALCIUM.code not in state.amounts


def test_an_unreadable_old_version_still_says_the_template_changed() -> None:
    assert MYERS_V1 is not None
    v2 = dataclasses.replace(MYERS_V1, version=2)

    def unreachable(_id: str, _version: int) -> Template:
        raise ServerUnreachable("down")

    plan = plan_favorite(_favorite(), [v2], unreachable)
    assert "review every dose" in plan.message()


def test_a_withdrawn_template_cannot_be_started_from() -> None:
    assert MYERS_V1 is not None
    with pytest.raises(CannotStartFrom):
        plan_favorite(_favorite(template_id="gone"), [MYERS_V1], _never_read)


def test_favorites_of_a_template_by_name() -> None:
    items = [_favorite("b"), _favorite("A"), _favorite("c", template_id="other")]
    assert [f.name for f in favorites_of("myers-infusion", items)] == ["A", "b"]
