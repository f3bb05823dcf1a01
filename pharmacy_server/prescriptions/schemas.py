"""Prescription wire models: the submission, the prescription as the API shows it, its
history and signature, and the lifecycle requests.

``PrescriptionOut.from_row`` is the one builder of a prescription's wire form: the 201
of a submission (stored, and replayed byte for byte), a read, a list and a lifecycle
step all come from it. Optional members without a value are left out (routes dump with
``exclude_unset``), as the domain's own wire form does for an acknowledgement's field.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pharmacy_domain.dispensing import (
    MAX_INTERVAL_DAYS,
    MAX_QUANTITY_BAGS,
    MAX_SERIES_INFUSIONS,
)
from pharmacy_domain.status import (
    STORAGE_CONDITIONS,
    BeyondUse,
    PrescriptionStatus,
    storage_label,
)
from pharmacy_domain.text_limits import (
    MAX_ADDRESS_LENGTH,
    MAX_ALLERGY_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PHONE_LENGTH,
)
from pharmacy_server.clock import wire_time
from pharmacy_server.models import Prescription, PrescriptionEvent
from pharmacy_server.schemas import FindingOut
from pharmacy_server.text_fields import ISO_DATE_PATTERN, MultiLine, OneLine


class ReferenceVersionsOut(BaseModel):
    """The template, formulary and rules versions an evaluation was judged with."""

    template: int
    formulary: int
    rules: int


class EvaluationOut(BaseModel):
    # int too: a stored evaluation reads back whole numbers as integers (canonical JSON).
    computed: dict[str, float | int | None] = Field(
        description="total_volume_ml, osmolarity_mosm_l, infusion_rate_ml_h, ..."
    )
    findings: list[FindingOut]
    versions: ReferenceVersionsOut | None = Field(
        default=None, description="Absent from evaluations stored before versions were kept."
    )


class ValidationOut(EvaluationOut):
    blocked: bool = Field(description="True when a block finding stops submission.")


class AcknowledgementOut(BaseModel):
    code: str
    reason: str
    field: str | None = Field(default=None, description="Absent when it names no field.")


class PatientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given_name: OneLine = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    family_name: OneLine = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    birth_date: str = Field(
        description="YYYY-MM-DD", examples=["1980-04-02"], pattern=ISO_DATE_PATTERN
    )
    sex: Literal["female", "male", "other", "unknown"] = "unknown"
    weight_kg: float | None = None
    height_cm: float | None = None
    allergies: list[Annotated[OneLine, Field(min_length=1, max_length=MAX_ALLERGY_LENGTH)]] = Field(
        default_factory=list, max_length=50
    )
    labs: list[dict[str, Any]] | None = Field(
        default=None, description="Dated lab results: code, date, value, unit, interpretation."
    )
    address: MultiLine | None = Field(
        default=None, max_length=MAX_ADDRESS_LENGTH, description="Needed to ship to the patient."
    )
    phone: OneLine | None = Field(default=None, max_length=MAX_PHONE_LENGTH)


class SeriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: str = Field(description="YYYY-MM-DD, today or later", pattern=ISO_DATE_PATTERN)
    interval_days: int = Field(ge=1, le=MAX_INTERVAL_DAYS, examples=[7])
    infusions: int = Field(ge=2, le=MAX_SERIES_INFUSIONS, examples=[6])


class DispensingIn(BaseModel):
    """How the order is dispensed; the pharmacy's defaults (one bag, to the clinic) when
    left out. Part of the signed content."""

    model_config = ConfigDict(extra="forbid")

    quantity_bags: int = Field(default=1, ge=1, le=MAX_QUANTITY_BAGS, description="Per infusion.")
    ship_to: Literal["clinic", "patient"] = Field(
        default="clinic", description="`patient` needs the patient's address."
    )
    needed_by: str | None = Field(
        default=None, description="YYYY-MM-DD, today or later", pattern=ISO_DATE_PATTERN
    )
    series: SeriesIn | None = Field(
        default=None, description="One order of several infusions, one every interval."
    )
    pharmacy_notes: MultiLine | None = Field(default=None, max_length=MAX_NOTE_LENGTH)


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
    lipid_infusion_hours: float | None = Field(
        default=None,
        description="Hours over which a separately run lipid emulsion is given (PN templates "
        "that run lipid separately; the template's default when left out).",
    )
    notes: MultiLine | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    acknowledgements: list[dict[str, Any]] | None = Field(
        default=None, description="The prescriber's reasons for overriding warnings."
    )
    dispensing: DispensingIn | None = None
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
    # On file for every prescriber account; absent from replays of orders sent before.
    npi: str | None = None
    licence_number: str | None = None
    licence_state: str | None = None


class BeyondUseOut(BaseModel):
    date: str = Field(description="The beyond-use date, YYYY-MM-DD.")
    storage: str = Field(description=f"One of {', '.join(STORAGE_CONDITIONS)}.")
    storage_label: str = Field(examples=["Refrigerated, 2–8 °C"])


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
    version: int = Field(
        default=1, description="The version of the order the step was taken on (or made)."
    )

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
                "version": event.version or 1,
            }
        )


class ClaimHolderOut(BaseModel):
    id: str
    display_name: str


class ClaimOut(BaseModel):
    """A pharmacist reviewing the prescription, until ``expires_at`` unless renewed."""

    holder: ClaimHolderOut
    since: str = Field(description="When this holder took it (UTC).")
    expires_at: str = Field(description="When it lapses unless renewed (UTC).")


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    take_over: bool = Field(
        default=False,
        description="Take the claim from the pharmacist holding it (audited); without it "
        "their live claim answers 409 ``prescription.claimed``.",
    )


class PrescriptionOut(BaseModel):
    # Extra members: a field the domain adds to a prescription's content passes through.
    model_config = ConfigDict(extra="allow")

    # The content's own fields first, in the order the content is stored (sorted).
    access: str
    acknowledgements: list[AcknowledgementOut] = Field(
        default_factory=list, description="The prescriber's reasons for going past warnings."
    )
    dispensing: dict[str, Any] | None = Field(
        default=None,
        description="Quantity, series, shipping, needed-by date and the note to the pharmacy "
        "(as submitted); absent when the order gave none.",
    )
    infusion_minutes: int | None
    ingredients: list[dict[str, Any]]
    lipid_infusion_hours: float | None = Field(
        default=None, description="Present when the order runs a lipid emulsion separately."
    )
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
    patient_id: str | None = Field(
        default=None,
        description="The clinic's patient record the order was written from; ``patient`` "
        "is the patient as signed, whatever the record says since.",
    )
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
    beyond_use: BeyondUseOut | None = Field(
        default=None, description="Entered by the pharmacy on marking it ready; absent before."
    )
    answered: bool = Field(
        default=False,
        description="The prescriber answered a question and no pharmacist has moved it since.",
    )
    claim: ClaimOut | None = Field(
        default=None,
        description="Pharmacists only: who is reviewing it now; absent when nobody is.",
    )
    unread_messages: int | None = Field(
        default=None,
        description="Messages in its thread the caller has not read; absent when none.",
    )
    version: int = Field(
        default=1,
        description="Which version the content is: 1 as submitted, 2 and on after the "
        "prescriber accepted a pharmacist's proposed change and signed again "
        "(GET …/versions lists them).",
    )
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
        ready: dict[str, Any] = {}
        if row.beyond_use_date is not None and row.storage is not None:
            ready["beyond_use"] = {
                "date": row.beyond_use_date.isoformat(),
                "storage": row.storage,
                "storage_label": storage_label(row.storage),
            }
        return cls.model_validate(
            ready
            | {
                **json.loads(row.content_json),
                "id": str(row.id),
                "reference": row.reference,
                "status": row.status,
                "created_at": wire_time(row.created_at),
                "updated_at": wire_time(row.updated_at),
                "template_id": row.template_id,
                "template_version": row.template_version,
                "template_name": row.template_name,
                "patient_id": None if row.patient_id is None else str(row.patient_id),
                "prescriber": {
                    "id": str(row.prescriber_id),
                    "display_name": row.prescriber.display_name,
                    "clinic": row.prescriber.clinic.name,
                    "npi": row.prescriber.npi,
                    "licence_number": row.prescriber.licence_number,
                    "licence_state": row.prescriber.licence_state,
                },
                "content_sha256": row.content_sha256,
                "evaluation": evaluation,
                "signature": signature,
                "review": review,
                "history": [HistoryEventOut.from_row(event) for event in row.events],
                "answered": bool(row.answered),  # None before a new row is flushed
                "version": row.version or 1,
            }
        )

    def wire_json(self) -> dict[str, Any]:
        """As the routes send it (members without a value left out)."""
        return self.model_dump(mode="json", exclude_unset=True)


class PrescriptionList(BaseModel):
    items: list[PrescriptionOut]
    total: int = Field(
        description="How many match, counted no further than 1,000: see total_is_lower_bound."
    )
    total_is_lower_bound: bool = Field(
        default=False, description='True when more than `total` match ("1,000+").'
    )
    next_cursor: str | None = Field(
        description="The next page (with `changed_since`: more changes after this page)."
    )
    changes_cursor: str | None = Field(
        default=None,
        description="Pass as `changed_since` to get only what changed after this answer.",
    )


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject"]
    reason: MultiLine | None = Field(default=None, max_length=MAX_NOTE_LENGTH)


class ActionRequest(BaseModel):
    """One step of the lifecycle (``pharmacy_domain.status.ACTIONS``) and its note."""

    model_config = ConfigDict(extra="forbid")

    action: ActionName
    note: MultiLine | None = Field(
        default=None,
        max_length=MAX_NOTE_LENGTH,
        description="Required to reject, ask, answer or cancel; optional otherwise.",
    )
    beyond_use_date: str | None = Field(
        default=None,
        pattern=ISO_DATE_PATTERN,
        description="YYYY-MM-DD: required to mark ready (today to 180 days ahead), refused "
        "with any other action.",
    )
    storage: Literal["refrigerated", "room_temperature", "frozen"] | None = Field(
        default=None, description="Required to mark ready, refused with any other action."
    )
    seen_steps: int | None = Field(
        default=None,
        ge=1,
        description="How many history steps the caller was shown. When the prescription "
        "has more (someone acted since), the step is refused with 409 "
        "`prescription.changed_since_seen`. Clients should always send it.",
    )

    def beyond_use(self) -> BeyondUse | None:
        if self.beyond_use_date is None and self.storage is None:
            return None
        day = None if self.beyond_use_date is None else dt.date.fromisoformat(self.beyond_use_date)
        return BeyondUse(day, self.storage)

    @field_validator("beyond_use_date")
    @classmethod
    def _a_real_date(cls, value: str | None) -> str | None:
        if value is not None:
            dt.date.fromisoformat(value)  # 2026-02-30 is refused (422), not a 500 later
        return value
