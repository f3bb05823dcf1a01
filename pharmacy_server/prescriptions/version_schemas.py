"""Wire models of field proposals and prescription versions (issue 12).

A proposal is asked with ``POST …/proposals`` and accepted, signed again, with
``POST …/proposals/{id}/accept``; ``GET …/versions`` lists every version and proposal.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_domain.text_limits import MAX_NOTE_LENGTH
from pharmacy_server.prescriptions.schemas import EvaluationOut, SignerOut
from pharmacy_server.text_fields import MultiLine, OneLine

ProposalState = Literal["open", "accepted", "closed"]


class FieldProposalRequest(BaseModel):
    """A question about one field of the order, with the value the pharmacist proposes."""

    model_config = ConfigDict(extra="forbid")

    field: OneLine = Field(
        min_length=1,
        max_length=200,
        description="``ingredients.<code>.amount``, ``vehicle.code``, ``vehicle.volume_ml``, "
        "``infusion_minutes`` or ``access``, as the order's template offers them.",
        examples=["ingredients.magnesium-chloride-20.amount"],
    )
    value: float | str = Field(
        description="In the field's unit (the template's), within its range or choices."
    )
    message: MultiLine = Field(min_length=1, max_length=MAX_NOTE_LENGTH)
    seen_steps: int | None = Field(
        default=None, ge=1, description="As for ``…/actions``: refused (409) when it changed."
    )


class AcceptProposalRequest(BaseModel):
    """The prescriber's new signature over the changed order (``pharmacy_domain.
    field_proposals.apply_proposal`` of the latest content): a step-up token for it."""

    model_config = ConfigDict(extra="forbid")

    signing_token: str = Field(min_length=1, max_length=200)


class FieldProposalOut(BaseModel):
    id: str
    field: str
    label: str = Field(description="The field in words: the ingredient's name, …")
    unit: str = Field(description="The value's unit; empty for a choice.")
    kind: Literal["number", "integer", "choice"]
    current_value: float | str | None = Field(
        description="The field's value in the version the proposal was made on."
    )
    value: float | str = Field(description="The proposed value.")
    message: str
    state: ProposalState
    base_version: int
    accepted_version: int | None
    proposed_by: SignerOut
    proposed_at: str


class PrescriptionVersionOut(BaseModel):
    number: int
    content: dict[str, Any] = Field(description="The order's content in this version.")
    content_sha256: str
    created_at: str
    signed_by: SignerOut
    signed_at: str | None
    signing_method: Literal["password", "totp"] | None
    evaluation: EvaluationOut | None


class PrescriptionVersionsOut(BaseModel):
    latest: int = Field(description="The number of the version the prescription is now.")
    versions: list[PrescriptionVersionOut] = Field(description="Oldest first.")
    proposals: list[FieldProposalOut] = Field(description="Oldest first.")
