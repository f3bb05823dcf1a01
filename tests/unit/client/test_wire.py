"""Reading the server's answers: strict about types, tolerant only of what may be left out."""

from __future__ import annotations

from typing import Any

import pytest

from pharmacy_domain.status import PrescriptionStatus
from portal_client.core.api_client import ApiClient
from portal_client.core.errors import PortalError, UnreadableAnswer
from portal_client.core.wire import (
    AuditEventWire,
    ErrorWire,
    EvaluationWire,
    HistoryEventWire,
    IngredientView,
    MfaChallengeWire,
    PrescriptionWire,
    UserWire,
    VehicleView,
    parse,
)
from tests.helpers.wire_samples import prescription_answer


def _user(**changes: Any) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": "u1",
        "username": "prescriber1",
        "role": "prescriber",
        "display_name": "Dr. Maya Chen",
        "clinic": "Riverside",
        "licence_expires_on": None,
        "mfa_enrolled": True,
    }
    user.update(changes)
    return user


def test_a_whole_answer_becomes_the_typed_object() -> None:
    user = parse(UserWire, _user(extra_field_from_a_newer_server=1))
    assert user == UserWire(
        "u1", "prescriber1", "prescriber", "Dr. Maya Chen", "Riverside", None, True
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mfa_enrolled": "yes"}, "mfa_enrolled"),
        ({"role": "nurse"}, "role"),
        ({"clinic": None}, "clinic"),
        ({"id": 7}, "id"),
        ({"licence_expires_on": 20270101}, "licence_expires_on"),
    ],
)
def test_a_wrong_type_or_value_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(UnreadableAnswer) as caught:
        parse(UserWire, _user(**changes))
    assert caught.value.field == field
    assert isinstance(caught.value, PortalError)
    assert str(caught.value) == f"The pharmacy sent an answer this version cannot read: {field}"


def test_a_missing_required_field_is_unreadable_even_if_nullable() -> None:
    user = _user()
    del user["licence_expires_on"]
    with pytest.raises(UnreadableAnswer, match="licence_expires_on"):
        parse(UserWire, user)


def test_optional_fields_may_be_left_out() -> None:
    assert parse(ErrorWire, {"detail": "No."}) == ErrorWire("No.")


def test_nested_paths_and_enums() -> None:
    actor = {"id": "u1", "display_name": "Dr. Maya Chen", "role": "prescriber"}
    step: dict[str, Any] = {
        "at": "2026-11-26T10:00:00Z",
        "action": "submit",
        "from_status": None,
        "status": "submitted",
        "actor": actor,
        "note": None,
    }
    assert parse(HistoryEventWire, step).status is PrescriptionStatus.SUBMITTED
    with pytest.raises(UnreadableAnswer, match=r"history\.0\.actor\.role$"):
        parse(HistoryEventWire, step | {"actor": actor | {"role": "admin"}}, "history.0")
    with pytest.raises(UnreadableAnswer, match=r"status$"):
        parse(HistoryEventWire, step | {"status": "lost"})


def test_numbers_and_booleans_are_not_confused() -> None:
    evaluation = parse(EvaluationWire, {"computed": {"a": 1, "b": None}, "findings": []})
    assert evaluation.computed == {"a": 1.0, "b": None}
    with pytest.raises(UnreadableAnswer, match=r"computed\.a$"):
        parse(EvaluationWire, {"computed": {"a": True}, "findings": []})
    with pytest.raises(UnreadableAnswer, match="mfa_required"):
        parse(MfaChallengeWire, {"mfa_required": 1, "mfa_token": "t", "expires_at": "x"})
    with pytest.raises(UnreadableAnswer, match="seq"):
        parse(
            AuditEventWire,
            {"seq": 1.5, "occurred_at": "", "actor_id": None, "actor_role": None},
        )


def test_an_answer_that_is_not_an_object() -> None:
    with pytest.raises(UnreadableAnswer, match="UserWire"):
        parse(UserWire, ["not", "an", "object"])


def test_secrets_stay_out_of_repr() -> None:
    challenge = parse(
        MfaChallengeWire, {"mfa_required": True, "mfa_token": "s3cret", "expires_at": "x"}
    )
    assert "s3cret" not in repr(challenge)


class _Answers(ApiClient):
    """An ApiClient whose server answers ``answer`` to every request (no network)."""

    def __init__(self, answer: Any) -> None:
        super().__init__("http://127.0.0.1:9")
        self.answer = answer

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.answer


def test_prescriptions_leave_the_client_typed_with_their_body_readable() -> None:
    answer = prescription_answer(
        patient={"given_name": "Ada", "family_name": "Lovelace", "birth_date": "1980-02-03"}
        | {"weight_kg": 61, "labs": [{"code": "g6pd", "date": "2026-10-01", "value": None}]},
        ingredients=[{"code": "mg", "amount": 2, "unit": "mL"}],
        vehicle={"code": "ns", "volume_ml": 250},
    )
    item = _Answers(answer).get_prescription("id-1")
    assert isinstance(item, PrescriptionWire) and item.status is PrescriptionStatus.SUBMITTED
    patient = item.patient_view()
    assert (patient.family_name, patient.weight_kg, patient.labs[0].code) == (
        "Lovelace",
        61.0,
        "g6pd",
    )
    assert item.ingredient_views() == (IngredientView("mg", 2.0, "mL"),)
    assert item.vehicle_view() == VehicleView("ns", 250.0)
    page = _Answers({"items": [answer], "total": 1, "next_cursor": None}).list_prescriptions()
    assert page.items == (item,)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"patient": {"family_name": "Lovelace", "weight_kg": "heavy"}}, "patient.weight_kg"),
        ({"ingredients": [{"code": "mg", "unit": "mL"}]}, "ingredients.0.amount"),
        ({"vehicle": {"code": "ns", "volume_ml": None}}, "vehicle.volume_ml"),
    ],
)
def test_a_malformed_body_is_unreadable_at_the_boundary(
    changes: dict[str, Any], field: str
) -> None:
    answer = prescription_answer(**changes)
    with pytest.raises(UnreadableAnswer) as one:
        _Answers(answer).get_prescription("id-1")
    assert one.value.field == field
    with pytest.raises(UnreadableAnswer) as listed:
        _Answers({"items": [answer], "total": 1, "next_cursor": None}).list_prescriptions()
    assert listed.value.field == field
