"""The lifecycle table: every status reachable, final ones final, each step owned by a role."""

from __future__ import annotations

import pytest

from pharmacy_domain.status import (
    ACTIONS,
    FINAL_STATUSES,
    REVIEW_ACTIONS,
    STATUS_LABELS,
    NoteRule,
    PrescriptionStatus,
    available_actions,
    can_transition,
    status_label,
)


def test_every_status_is_reachable_from_submitted() -> None:
    reached = {PrescriptionStatus.SUBMITTED}
    frontier = [PrescriptionStatus.SUBMITTED]
    while frontier:
        current = frontier.pop()
        for action in ACTIONS.values():
            if action.allowed_from(current) and action.target not in reached:
                reached.add(action.target)
                frontier.append(action.target)
    assert reached == set(PrescriptionStatus)


def test_final_statuses_offer_nothing_and_others_offer_something() -> None:
    for status in PrescriptionStatus:
        moves = [a for a in ACTIONS.values() if a.allowed_from(status)]
        assert (not moves) == (status in FINAL_STATUSES), status


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_action_is_a_real_move_with_words(name: str) -> None:
    action = ACTIONS[name]
    assert action.name == name
    assert action.sources and action.target not in action.sources
    assert action.roles and action.roles <= {"pharmacist", "prescriber"}
    assert action.label and action.past and action.note_label
    # A step that tells the other side something they must act on carries its words.
    if name in ("reject", "request_clarification", "answer_clarification", "cancel"):
        assert action.note is NoteRule.REQUIRED


def test_who_sees_which_buttons() -> None:
    names = lambda status, role: [a.name for a in available_actions(status, role)]  # noqa: E731
    assert names("submitted", "pharmacist") == ["approve", "reject", "request_clarification"]
    assert names("submitted", "prescriber") == ["cancel"]
    assert names("needs_clarification", "prescriber") == ["answer_clarification", "cancel"]
    assert names("needs_clarification", "pharmacist") == ["reject"]
    assert names("approved", "pharmacist") == ["start_compounding"]
    assert names("compounding", "pharmacist") == ["mark_ready"]
    assert names("ready", "pharmacist") == ["ship"]
    assert names("approved", "prescriber") == []
    assert names("shipped", "pharmacist") == []
    assert names("submitted", "clinic_staff") == names("submitted", "admin") == []
    assert names("no-such-status", "pharmacist") == []


def test_review_actions_and_transitions_keep_their_old_meaning() -> None:
    for action, target in REVIEW_ACTIONS.items():
        assert ACTIONS[action].target is target
        assert can_transition(PrescriptionStatus.SUBMITTED, target)
    assert not can_transition(PrescriptionStatus.APPROVED, PrescriptionStatus.REJECTED)
    assert not can_transition(PrescriptionStatus.REJECTED, PrescriptionStatus.APPROVED)


def test_every_status_has_words() -> None:
    assert set(STATUS_LABELS) == set(PrescriptionStatus)
    assert status_label("needs_clarification") == "Pharmacist asked a question"
    assert status_label("on_the_moon") == "On the moon"  # unknown: readable, never a crash
