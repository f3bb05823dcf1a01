"""The server's answers about prescription versions and field proposals (issue 12), as
frozen types read once at the ``ApiClient`` boundary (``wire.parse``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from portal_client.core.wire import EvaluationWire, SignerWire

ProposalState = Literal["open", "accepted", "closed"]


@dataclass(frozen=True)
class FieldProposalWire:
    """A pharmacist's proposed value for one field of the order, with the question."""

    SCHEMA: ClassVar[str] = "FieldProposalOut"

    id: str
    field: str
    label: str
    unit: str
    kind: Literal["number", "integer", "choice"]
    current_value: float | str | None
    value: float | str
    message: str
    state: ProposalState
    base_version: int
    accepted_version: int | None
    proposed_by: SignerWire
    proposed_at: str


@dataclass(frozen=True)
class PrescriptionVersionWire:
    """One signed version of the order's content."""

    SCHEMA: ClassVar[str] = "PrescriptionVersionOut"

    number: int
    content: Mapping[str, Any]
    content_sha256: str
    created_at: str
    signed_by: SignerWire
    signed_at: str | None
    signing_method: Literal["password", "totp"] | None
    evaluation: EvaluationWire | None


@dataclass(frozen=True)
class PrescriptionVersionsWire:
    SCHEMA: ClassVar[str] = "PrescriptionVersionsOut"

    latest: int
    versions: tuple[PrescriptionVersionWire, ...]
    proposals: tuple[FieldProposalWire, ...]

    @property
    def open_proposal(self) -> FieldProposalWire | None:
        return next((p for p in reversed(self.proposals) if p.state == "open"), None)

    def version(self, number: int) -> PrescriptionVersionWire | None:
        return next((v for v in self.versions if v.number == number), None)


VERSION_WIRE_TYPES: tuple[type, ...] = (
    FieldProposalWire,
    PrescriptionVersionWire,
    PrescriptionVersionsWire,
)
