"""Repeating a past prescription: same patient, template and doses, on the template's
newest version, with what changed named; the composer's state reads the draft back."""

from __future__ import annotations

import dataclasses

import pytest

from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.composer import ComposerState
from portal_client.core.errors import ServerUnreachable
from portal_client.core.repeat import CannotRepeat, plan_repeat
from portal_client.core.wire import PrescriptionWire
from tests.helpers.wire_samples import prescription

MYERS_V1 = load_template_catalog().get("myers-infusion", 1)
assert MYERS_V1 is not None
MAGNESIUM = MYERS_V1.ingredients[0]
SECOND = MYERS_V1.ingredients[1]


def _signed_last_week() -> PrescriptionWire:
    return prescription(
        reference="RX-0042",
        patient={
            "given_name": "Ada",
            "family_name": "Lovelace",
            "birth_date": "1980-02-03",
            "weight_kg": 61.5,
            "labs": [{"code": "g6pd", "date": "2026-10-01", "interpretation": "normal"}],
        },
        ingredients=[
            {"code": MAGNESIUM.code, "amount": 3, "unit": MAGNESIUM.unit},
            {"code": SECOND.code, "amount": 1.5, "unit": SECOND.unit},
        ],
        acknowledgements=[{"code": "dose_high", "reason": "last time's reason"}],
        notes="Slow push",
    )


def _never_read(_template_id: str, _version: int) -> Template:
    raise AssertionError("the version signed is the newest: nothing to read")


def test_the_same_version_repeats_patient_and_doses_without_changes() -> None:
    assert MYERS_V1 is not None
    plan = plan_repeat(_signed_last_week(), [MYERS_V1], _never_read)
    assert not plan.template_changed and plan.changes is None
    state = ComposerState.from_draft(plan.draft_id, plan.payload, [MYERS_V1])
    assert (state.given_name, state.family_name, state.birth_date) == (
        "Ada",
        "Lovelace",
        "1980-02-03",
    )
    assert state.weight_kg == "61.5" and state.labs[0].code == "g6pd"
    assert state.amounts[MAGNESIUM.code] == "3" and state.amounts[SECOND.code] == "1.5"
    assert state.notes == "Slow push"
    assert state.acknowledgements == {}  # the checks ask again
    assert plan.message().startswith("Repeat of RX-0042")


def test_a_newer_version_is_used_and_what_changed_is_named() -> None:
    assert MYERS_V1 is not None
    lowered = dataclasses.replace(MAGNESIUM, hard_max=2.5, typical_max=2.5)
    v2 = dataclasses.replace(MYERS_V1, version=2, ingredients=(lowered, *MYERS_V1.ingredients[2:]))
    asked: list[tuple[str, int]] = []

    def read(template_id: str, version: int) -> Template:
        asked.append((template_id, version))
        assert MYERS_V1 is not None
        return MYERS_V1

    plan = plan_repeat(_signed_last_week(), [v2], read)
    assert asked == [("myers-infusion", 1)]
    assert plan.template_changed and plan.payload["template_version"] == 2
    message = plan.message()
    assert "changed since version 1 (now version 2)" in message
    assert f"{MAGNESIUM.name}: hard limit 5 mL → 2.5 mL" in message
    assert f"{SECOND.name}: removed from the template" in message
    # The removed row is not ordered; the kept dose stays as signed for the checks to judge.
    codes = [line["code"] for line in plan.payload["ingredients"]]
    assert codes == [MAGNESIUM.code]
    state = ComposerState.from_draft(plan.draft_id, plan.payload, [v2])
    assert state.template is v2 and state.amounts[MAGNESIUM.code] == "3"
    review = state.review()  # 3 mL is above the new hard limit: blocked at that row
    assert not review.can_sign
    assert f"ingredient:{MAGNESIUM.code}" in review.errors


def test_an_unreadable_old_version_still_says_the_template_changed() -> None:
    assert MYERS_V1 is not None
    v2 = dataclasses.replace(MYERS_V1, version=2)

    def unreachable(_template_id: str, _version: int) -> Template:
        raise ServerUnreachable("nothing answers")

    plan = plan_repeat(_signed_last_week(), [v2], unreachable)
    assert plan.changes_unknown
    assert "what changed could not be read" in plan.message()


def test_a_withdrawn_template_cannot_be_repeated() -> None:
    other = load_template_catalog().get("myers-push", 1)
    assert other is not None
    with pytest.raises(CannotRepeat, match="no longer offered"):
        plan_repeat(_signed_last_week(), [other], _never_read)
