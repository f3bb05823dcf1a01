"""Prescription wire models: the submission, the prescription as the API shows it, its
history and signature, and the lifecycle requests.

``PrescriptionOut.from_row`` is the one builder of a prescription's wire form: the 201
of a submission (stored, and replayed byte for byte), a read, a list and a lifecycle
step all come from it. Optional members without a value are left out (routes dump with
``exclude_unset``), as the domain's own wire form does for an acknowledgement's field.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.text_limits import MAX_NOTE_LENGTH
from pharmacy_server.clock import wire_time
from pharmacy_server.models import Prescription, PrescriptionEvent
from pharmacy_server.schemas import FindingOut


class EvaluationOut(BaseModel):
    # int too: a stored evaluation reads back whole numbers as integers (canonical JSON).
    computed: dict[str, float | int | None] = Field(
        description="total_volume_ml, osmolarity_mosm_l, infusion_rate_ml_h, ..."
    )
    findings: list[FindingOut]


class ValidationOut(EvaluationOut):
    blocked: bool = Field(description="True when a block finding stops submission.")


class AcknowledgementOut(BaseModel):
    code: str
    reason: str
    field: str | None = Field(default=None, description="Absent when it names no field.")


class PatientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given_name: str
    family_name: str
    birth_date: str = Field(description="YYYY-MM-DD", examples=["1980-04-02"])
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    weight_kg: float | None = None
    height_cm: float | None = None
    allergies: list[str] = Field(default_factory=list)
    labs: list[dict[str, Any]] | None = Field(
        default=None, description="Dated lab results: code, date, value, unit, interpretation."
    )


class IngredientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    amount: float
    unit: str


class VehicleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    volume_ml: float | None = None


class PrescriptionSubmission(BaseModel):
    """Only ``template_id``, ``template_version`` and ``patient`` are required; the rest
    default from the template. Unknown and server-owned fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    template_id: str
    template_version: int
    patient: PatientIn
    ingredients: list[IngredientIn] | None = None
    access: Literal["peripheral", "central", "push"] | None = None
    vehicle: VehicleIn | None = None
    infusion_minutes: int | None = None
    notes: str | None = None
    acknowledgements: list[dict[str, Any]] | None = Field(
        default=None, description="The prescriber's reasons for overriding warnings."
    )
    signing_token: str | None = Field(
        default=None,
        description="From POST /api/v1/auth/step-up; required to submit, ignored by validate.",
    )


class SignerOut(BaseModel):
    id: str
    display_name: str


class SignatureOut(BaseModel):
    signed_by: SignerOut
    signed_at: str
    body_sha256: str | None
    method: Literal["password", "totp"] | None


class PrescriberOut(BaseModel):
    id: str
    display_name: str
    clinic: str


class ReviewOut(BaseModel):
    action: Literal["approve", "reject"]
    reason: str | None
    reviewer: str | None
    reviewed_at: str


#: Statuses as the domain names them (OpenAPI lists the values).
StatusName = PrescriptionStatus
#: Kept literal for the OpenAPI enum; a test checks it against ``pharmacy_domain.status.ACTIONS``.
ActionName = Literal[
    "approve",
    "reject",
    "request_clarification",
    "answer_clarification",
    "cancel",
    "start_compounding",
    "mark_ready",
    "ship",
]


class ActorOut(BaseModel):
    id: str
    display_name: str
    role: Literal["prescriber", "pharmacist"]


class HistoryEventOut(BaseModel):
    at: str
    action: Literal["submit"] | ActionName
    from_status: StatusName | None
    status: StatusName = Field(description="The status this step led to.")
    actor: ActorOut
    note: str | None = Field(description="The reason, question or answer given with the step.")

    @classmethod
    def from_row(cls, event: PrescriptionEvent) -> HistoryEventOut:
        return cls.model_validate(
            {
                "at": wire_time(event.at),
                "action": event.action,
                "from_status": event.from_status,
                "status": event.to_status,
                "actor": {
                    "id": str(event.actor_id),
                    "display_name": event.actor.display_name,
                    "role": event.actor.role,
                },
                "note": event.note,
            }
        )


class PrescriptionOut(BaseModel):
    # Extra members: a field the domain adds to a prescription's content passes through.
    model_config = ConfigDict(extra="allow")

    # The content's own fields first, in the order the content is stored (sorted).
    access: str
    acknowledgements: list[AcknowledgementOut] = Field(
        default_factory=list, description="The prescriber's reasons for going past warnings."
    )
    infusion_minutes: int | None
    ingredients: list[dict[str, Any]]
    notes: str
    patient: dict[str, Any]
    template_id: str
    template_version: int
    vehicle: dict[str, Any] | None
    id: str
    reference: str = Field(examples=["RX-261126-0001"])
    status: StatusName
    created_at: str
    updated_at: str
    template_name: str
    prescriber: PrescriberOut
    content_sha256: str = Field(
        description="SHA-256 of the canonical JSON of the prescription content "
        "(pharmacy_domain.canonical)."
    )
    evaluation: EvaluationOut | None = Field(
        description="The check engine's verdict at submission (null for older rows)."
    )
    signature: SignatureOut | None = Field(
        description="Who signed, when and what (null only for rows older than signing)."
    )
    review: ReviewOut | None
    history: list[HistoryEventOut] = Field(
        default_factory=list,
        description="Every step since submission, oldest first (submit, review, "
        "clarification, compounding, shipping). Absent only from a replayed 201 of a "
        "prescription submitted before the lifecycle existed.",
    )

    @classmethod
    def from_row(cls, row: Prescription) -> PrescriptionOut:
        """Needs the row's session open: the prescriber, reviewer and history load lazily."""
        review = None
        if row.review_action is not None and row.reviewed_at is not None:
            review = {
                "action": row.review_action,
                "reason": row.review_reason,
                "reviewer": row.reviewer.display_name if row.reviewer is not None else None,
                "reviewed_at": wire_time(row.reviewed_at),
            }
        signature = None
        if row.signed_at is not None:
            signature = {
                "signed_by": {
                    "id": str(row.prescriber_id),
                    "display_name": row.prescriber.display_name,
                },
                "signed_at": wire_time(row.signed_at),
                "body_sha256": row.signed_body_sha256,
                "method": row.signing_method,
            }
        evaluation = None if row.evaluation_json is None else json.loads(row.evaluation_json)
        return cls.model_validate(
            {
                **json.loads(row.content_json),
                "id": str(row.id),
                "reference": row.reference,
                "status": row.status,
                "created_at": wire_time(row.created_at),
                "updated_at": wire_time(row.updated_at),
                "template_id": row.template_id,
                "template_version": row.template_version,
                "template_name": row.template_name,
                "prescriber": {
                    "id": str(row.prescriber_id),
                    "display_name": row.prescriber.display_name,
                    "clinic": row.prescriber.clinic.name,
                },
                "content_sha256": row.content_sha256,
                "evaluation": evaluation,
                "signature": signature,
                "review": review,
                "history": [HistoryEventOut.from_row(event) for event in row.events],
            }
        )

    def wire_json(self) -> dict[str, Any]:
        """As the routes send it (members without a value left out)."""
        return self.model_dump(mode="json", exclude_unset=True)


class PrescriptionList(BaseModel):
    items: list[PrescriptionOut]
    total: int
    next_cursor: str | None


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)


class ActionRequest(BaseModel):
    """One step of the lifecycle (``pharmacy_domain.status.ACTIONS``) and its note."""

    model_config = ConfigDict(extra="forbid")

    action: ActionName
    note: str | None = Field(
        default=None,
        max_length=MAX_NOTE_LENGTH,
        description="Required to reject, ask, answer or cancel; optional otherwise.",
    )
    seen_steps: int | None = Field(
        default=None,
        ge=1,
        description="How many history steps the caller was shown. When the prescription "
        "has more (someone acted since), the step is refused with 409 "
        "`prescription.changed_since_seen`. Clients should always send it.",
    )
