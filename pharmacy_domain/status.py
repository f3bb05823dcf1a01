"""Where a prescription stands, and which moves between states are allowed."""

from __future__ import annotations

from enum import StrEnum


class PrescriptionStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


STATUS_LABELS: dict[PrescriptionStatus, str] = {
    PrescriptionStatus.SUBMITTED: "Submitted — awaiting pharmacist review",
    PrescriptionStatus.APPROVED: "Approved",
    PrescriptionStatus.REJECTED: "Rejected",
}

REVIEW_ACTIONS: dict[str, PrescriptionStatus] = {
    "approve": PrescriptionStatus.APPROVED,
    "reject": PrescriptionStatus.REJECTED,
}

_ALLOWED: dict[PrescriptionStatus, frozenset[PrescriptionStatus]] = {
    PrescriptionStatus.SUBMITTED: frozenset(
        {PrescriptionStatus.APPROVED, PrescriptionStatus.REJECTED}
    ),
    PrescriptionStatus.APPROVED: frozenset(),
    PrescriptionStatus.REJECTED: frozenset(),
}


def can_transition(current: PrescriptionStatus, target: PrescriptionStatus) -> bool:
    return target in _ALLOWED[current]
