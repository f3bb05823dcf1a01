"""Wire models: request validation for small bodies, and the OpenAPI documentation.

Responses are built by the services as plain dicts; these models describe them.
Response models allow extra keys so a field the domain adds is documented later
rather than silently dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from pharmacy_domain.status import PrescriptionStatus


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
    status: PrescriptionStatus | None = Field(
        default=None, description="With a lifecycle 409: the prescription's status now."
    )
    retry_after_seconds: int | None = Field(
        default=None, description="With 401 `auth.locked`: how long the lock lasts."
    )


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
    licence_expires_on: str | None = Field(
        description="Prescribers: the client warns 30 days before; expired cannot sign."
    )
    mfa_enrolled: bool


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
    next_cursor: str | None


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


class PrescriptionOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    reference: str = Field(examples=["RX-261126-0001"])
    status: StatusName
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


class PrescriptionList(BaseModel):
    items: list[PrescriptionOut]
    total: int
    next_cursor: str | None


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=2000)


class ActionRequest(BaseModel):
    """One step of the lifecycle (``pharmacy_domain.status.ACTIONS``) and its note."""

    model_config = ConfigDict(extra="forbid")

    action: ActionName
    note: str | None = Field(
        default=None,
        max_length=2000,
        description="Required to reject, ask, answer or cancel; optional otherwise.",
    )
    seen_steps: int | None = Field(
        default=None,
        ge=1,
        description="How many history steps the caller was shown. When the prescription "
        "has more (someone acted since), the step is refused with 409 "
        "`prescription.changed_since_seen`. Clients should always send it.",
    )


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``codes``."""
    return {code: {"model": ErrorBody} for code in codes}


# ---------------------------------------------------------------- accounts and sign-in


def _iso_date_text(value: Any) -> Any:
    """Dates come as "YYYY-MM-DD" text only (pydantic would also take 0 as 1970-01-01)."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]

_USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,149}$"
_OTP = r"^[0-9 ]{6,8}$"


class MfaChallengeOut(BaseModel):
    """Answer to a right password on an account with TOTP: finish with POST /auth/login/otp."""

    mfa_required: Literal[True]
    mfa_token: str
    expires_at: str


class MfaLoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mfa_token: str = Field(min_length=1, max_length=200)
    otp: str = Field(pattern=_OTP, description="The 6-digit code from the authenticator.")


class ReauthenticateRequest(BaseModel):
    """Unlocking an idle-locked workstation: the signed-in user's password."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)


class StepUpRequest(BaseModel):
    """Sign: the password or a fresh TOTP code (exactly one), and the hash being signed."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=1, max_length=1024)
    otp: str | None = Field(default=None, pattern=_OTP)
    content_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (lower-case hex) of the RFC 8785 canonical JSON of the "
        "submission body without its signing_token (pharmacy_domain.canonical.signing_sha256).",
    )

    @model_validator(mode="after")
    def _one_factor(self) -> StepUpRequest:
        if (self.password is None) == (self.otp is None):
            raise ValueError("give exactly one of password and otp")
        return self


class SigningTokenOut(BaseModel):
    signing_token: str = Field(description="Single use; put it in the submission body.")
    expires_at: str = Field(description="24 hours after signing.")


class PasswordChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024, description="12 to 128 characters.")


class AccountRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=_USERNAME)
    display_name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$", max_length=254)
    clinic: str = Field(min_length=1, max_length=200)
    role: Literal["prescriber", "clinic_staff"]
    npi: str | None = Field(default=None, pattern=r"^[0-9]{10}$")
    licence_number: str | None = Field(default=None, min_length=1, max_length=40)
    licence_state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    licence_expires_on: IsoDate | None = None
    dea_number: str | None = Field(default=None, pattern=r"^[A-Z][A-Z9][0-9]{7}$")


class AccountRequestCreated(BaseModel):
    id: str
    status: Literal["pending"]


class AccountRequestOut(BaseModel):
    id: str
    status: Literal["pending", "approved", "rejected"]
    username: str
    display_name: str
    email: str
    clinic: str
    role: str
    npi: str | None
    licence_number: str | None
    licence_state: str | None
    licence_expires_on: str | None
    dea_number: str | None
    created_at: str
    decided_at: str | None
    decision_reason: str | None
    user_id: str | None


class AccountRequestList(BaseModel):
    items: list[AccountRequestOut]
    total: int
    next_cursor: str | None


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, pattern=r"\S")


class ActivateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    code: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=1024, description="12 to 128 characters.")


class ActivationOut(BaseModel):
    otpauth_uri: str = Field(description="Show as a QR code for the authenticator app.")
    secret: str = Field(description="Base32, for typing into the app by hand.")
    digits: int
    period: int


class ActivateConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    code: str = Field(min_length=1, max_length=40)
    otp: str = Field(pattern=_OTP)


class AdminUserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    clinic: str
    email: str | None
    is_active: bool
    mfa_enrolled: bool
    locked_until: str | None
    npi: str | None
    licence_number: str | None
    licence_state: str | None
    licence_expires_on: str | None
    dea_number: str | None
    created_at: str


class AdminUserList(BaseModel):
    items: list[AdminUserOut]
    total: int
    next_cursor: str | None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["prescriber", "clinic_staff", "pharmacist", "admin"] | None = None
    is_active: bool | None = None
    licence_expires_on: IsoDate | None = None


class AuditEventOut(BaseModel):
    seq: int
    occurred_at: str
    actor_id: str | None
    actor_role: str | None
    actor_username: str | None = Field(
        description="The account's username; null when anonymous or older."
    )
    action: str
    outcome: str
    target_type: str | None
    target_id: str | None
    client_address: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditList(BaseModel):
    items: list[AuditEventOut]
    total: int
    next_cursor: str | None


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prescriber_id: str | None = Field(
        default=None, description="Clinic staff: the prescriber of your clinic it is for."
    )
    body: dict[str, Any]


class DraftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: dict[str, Any]
    version: int = Field(ge=1, le=2**31 - 1, description="The version you edited (409 if stale).")


class PersonOut(BaseModel):
    id: str
    display_name: str


class DraftOut(BaseModel):
    id: str
    prescriber_id: str
    prescriber: PersonOut = Field(description="Who it is for (from the account).")
    created_by: PersonOut = Field(description="Who first saved it (from the session).")
    updated_by: PersonOut = Field(description="Who saved it last (from the session).")
    body: dict[str, Any]
    version: int
    created_at: str
    updated_at: str


class DraftList(BaseModel):
    items: list[DraftOut]
    total: int
    next_cursor: str | None


class ClinicPrescriberList(BaseModel):
    items: list[PersonOut]
    total: int
    next_cursor: str | None
