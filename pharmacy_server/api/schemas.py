"""Wire models: request validation for small bodies, and the OpenAPI documentation.

Responses are built by the services as plain dicts; these models describe them.
Response models allow extra keys so a field the domain adds is documented later
rather than silently dropped.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FieldErrorOut(BaseModel):
    field: str = Field(examples=["patient.weight_kg"])
    reason: str = Field(examples=["must be at most 400 kg (got 900)"])


class FindingOut(BaseModel):
    """One result of the clinical check engine (``pharmacy_domain.engine.Finding``)."""

    code: str = Field(examples=["osmolarity.peripheral_limit"])
    severity: Literal["block", "warn", "info"]
    message: str
    field: str
    source: str
    to_confirm: bool = Field(description="The rule's number awaits the pharmacy's confirmation.")
    rule: str


class ErrorBody(BaseModel):
    """Every error the API returns has this shape; ``errors`` comes with 422. ``code`` is
    a stable reason for the errors a client must tell apart (``clinical.blocked``,
    ``clinical.unacknowledged``, ``signing.*``, ...); ``findings`` comes with the
    clinical ones."""

    detail: str
    code: str | None = None
    errors: list[FieldErrorOut] | None = None
    findings: list[FindingOut] | None = None


class EvaluationOut(BaseModel):
    computed: dict[str, float | None] = Field(
        description="total_volume_ml, osmolarity_mosm_l, infusion_rate_ml_h, ..."
    )
    findings: list[FindingOut]


class ValidationOut(EvaluationOut):
    blocked: bool = Field(description="True when a block finding stops submission.")


class AcknowledgementOut(BaseModel):
    code: str
    reason: str
    field: str | None = None


class FormularyOut(BaseModel):
    version: int
    products: list[dict[str, Any]] = Field(
        description="Stock products: code, name, kind, measures (concentrations per mL), ..."
    )
    vehicles: list[dict[str, Any]]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: str
    username: str
    role: Literal["prescriber", "clinic_staff", "pharmacist", "admin"]
    display_name: str
    clinic: str


class LoginResponse(BaseModel):
    token: str
    expires_at: str = Field(description="Absolute expiry (UTC); idle sessions end sooner.")
    idle_timeout_seconds: int
    user: UserOut


class HealthOut(BaseModel):
    status: Literal["ok"]


class TemplateList(BaseModel):
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None = None


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


class PrescriberOut(BaseModel):
    id: str
    display_name: str
    clinic: str


class ReviewOut(BaseModel):
    action: Literal["approve", "reject"]
    reason: str | None
    reviewer: str | None
    reviewed_at: str


class PrescriptionOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    reference: str = Field(examples=["RX-261126-0001"])
    status: Literal["submitted", "approved", "rejected"]
    created_at: str
    updated_at: str
    template_id: str
    template_version: int
    template_name: str
    patient: dict[str, Any]
    ingredients: list[dict[str, Any]]
    access: str
    vehicle: dict[str, Any] | None
    infusion_minutes: int | None
    notes: str
    prescriber: PrescriberOut
    content_sha256: str = Field(
        description="SHA-256 of the canonical JSON of the prescription content "
        "(pharmacy_domain.canonical)."
    )
    acknowledgements: list[AcknowledgementOut] = Field(
        default_factory=list, description="The prescriber's reasons for going past warnings."
    )
    evaluation: EvaluationOut | None = Field(
        description="The check engine's verdict at submission (null for older rows)."
    )
    review: ReviewOut | None


class PrescriptionList(BaseModel):
    items: list[PrescriptionOut]
    total: int
    next_cursor: str | None


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=2000)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``codes``."""
    return {code: {"model": ErrorBody} for code in codes}
