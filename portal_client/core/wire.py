"""What the pharmacy server answers, as typed, frozen objects read once at the boundary.

``ApiClient`` turns every JSON answer into one of these with ``parse``; nothing past it
reads a raw response dict. Each type names the OpenAPI component schema it mirrors
(``SCHEMA``), and a contract test holds the two side by side: field names, JSON types,
required versus optional, and enum values.

Parsing is strict: a missing required field, a wrong JSON type or an unknown enum value
is ``UnreadableAnswer`` naming the field, never a ``KeyError`` deep in a widget. A field
with a default here is one the contract lets the server leave out. Keys the server sends
beyond these are ignored, so a newer server can add fields.

The prescription *body* fields (``patient``, ``ingredients``, ``vehicle``) are the
domain's own format (``pharmacy_domain.prescription``) and stay mappings here, so the
contract and the signed hash see them as sent; read them through ``PrescriptionWire``'s
typed views (``patient_view`` and friends), parsed the same strict way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import threading
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar, cast

from pharmacy_domain.status import PrescriptionStatus
from portal_client.core.errors import UnreadableAnswer

__all__ = [
    "WIRE_TYPES",
    "AccountRequestCreatedWire",
    "AccountRequestPage",
    "AccountRequestWire",
    "AcknowledgementWire",
    "ActivationWire",
    "ActorWire",
    "AdminUserPage",
    "AdminUserWire",
    "AuditEventWire",
    "AuditPage",
    "BeyondUseWire",
    "ClaimHolderWire",
    "ClaimWire",
    "ClinicPrescriberPage",
    "DispensingView",
    "DraftPage",
    "DraftWire",
    "ErrorWire",
    "EvaluationWire",
    "FavoritePage",
    "FavoriteWire",
    "FieldErrorWire",
    "FindingWire",
    "HealthWire",
    "HistoryEventWire",
    "IngredientView",
    "LabView",
    "LoginWire",
    "MfaChallengeWire",
    "PatientView",
    "PersonWire",
    "PrescriberWire",
    "PrescriptionPage",
    "PrescriptionWire",
    "ReferenceVersionsWire",
    "ReviewWire",
    "SeriesView",
    "SessionPage",
    "SessionWire",
    "SessionsEndedWire",
    "SignatureWire",
    "SignerWire",
    "SigningTokenWire",
    "TemplatePage",
    "UserWire",
    "ValidationWire",
    "VehicleView",
    "parse",
]

Role = Literal["prescriber", "clinic_staff", "pharmacist", "admin"]
#: Kept equal to ``pharmacy_domain.status.ACTIONS`` (a unit test checks).
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

W = TypeVar("W")


# ------------------------------------------------------------------ health


@dataclass(frozen=True)
class HealthWire:
    """``GET /healthz``: alive, and that this is a pharmacy server (an answer without
    ``service`` is some other site, or a server too old for this client)."""

    SCHEMA: ClassVar[str] = "HealthOut"

    status: Literal["ok"]
    service: Literal["pharmacy-server"]
    api_version: int
    version: str  # the server's release (About, diagnostics)
    # The pharmacy's stable identity (local stores are named after it); None from a server
    # that does not say, or cannot yet.
    pharmacy_id: str | None = None
    pharmacy_name: str | None = None  # printed on the PDF copy


# ------------------------------------------------------------------ errors and checks


@dataclass(frozen=True)
class FieldErrorWire:
    SCHEMA: ClassVar[str] = "FieldErrorOut"

    field: str
    reason: str


@dataclass(frozen=True)
class FindingWire:
    """One result of the clinical check engine (``pharmacy_domain.engine.Finding``)."""

    SCHEMA: ClassVar[str] = "FindingOut"

    code: str
    severity: Literal["block", "warn", "info"]
    message: str
    field: str
    source: str
    to_confirm: bool
    rule: str


@dataclass(frozen=True)
class ErrorWire:
    """Every error body: ``errors`` with a 422, ``findings`` with a clinical refusal,
    ``status`` with a lifecycle 409."""

    SCHEMA: ClassVar[str] = "ErrorBody"

    detail: str
    code: str | None = None
    errors: tuple[FieldErrorWire, ...] | None = None
    findings: tuple[FindingWire, ...] | None = None
    status: PrescriptionStatus | None = None
    retry_after_seconds: int | None = None
    current_version: int | None = None  # with a stale-edit 409 of a patient record
    claimed_by: str | None = None  # with 409 prescription.claimed: who is reviewing it
    claimed_since: str | None = None
    used_by: tuple[str, ...] | None = None  # with 409 catalog.version_in_use


@dataclass(frozen=True)
class ReferenceVersionsWire:
    """The template, formulary and rules versions an evaluation was judged with."""

    SCHEMA: ClassVar[str] = "ReferenceVersionsOut"

    template: int
    formulary: int
    rules: int


@dataclass(frozen=True)
class EvaluationWire:
    SCHEMA: ClassVar[str] = "EvaluationOut"

    #: total_volume_ml, osmolarity_mosm_l, infusion_rate_ml_h, ...
    computed: Mapping[str, float | int | None]
    findings: tuple[FindingWire, ...]
    #: Absent from evaluations stored before versions were kept.
    versions: ReferenceVersionsWire | None = None


@dataclass(frozen=True)
class ValidationWire:
    """The server's own checks of a body (``POST /api/v1/prescriptions/validate``)."""

    SCHEMA: ClassVar[str] = "ValidationOut"

    computed: Mapping[str, float | int | None]
    findings: tuple[FindingWire, ...]
    #: True when a block finding stops submission.
    blocked: bool
    versions: ReferenceVersionsWire | None = None


@dataclass(frozen=True)
class AcknowledgementWire:
    SCHEMA: ClassVar[str] = "AcknowledgementOut"

    code: str
    reason: str
    field: str | None = None


# ------------------------------------------------------------------ sign-in


@dataclass(frozen=True)
class UserWire:
    SCHEMA: ClassVar[str] = "UserOut"

    id: str
    username: str
    role: Role
    display_name: str
    clinic: str
    licence_expires_on: str | None  # prescribers: YYYY-MM-DD
    mfa_enrolled: bool


@dataclass(frozen=True, repr=False)
class LoginWire:
    """An open session. Never log it: ``token`` is the bearer credential."""

    SCHEMA: ClassVar[str] = "LoginResponse"

    token: str
    expires_at: str
    idle_timeout_seconds: int
    user: UserWire

    def __repr__(self) -> str:
        return f"LoginWire(user={self.user.id!r}, expires_at={self.expires_at!r})"


@dataclass(frozen=True, repr=False)
class MfaChallengeWire:
    """A right password on an account with TOTP: the code step comes next."""

    SCHEMA: ClassVar[str] = "MfaChallengeOut"

    mfa_required: Literal[True]
    mfa_token: str
    expires_at: str

    def __repr__(self) -> str:
        return f"MfaChallengeWire(expires_at={self.expires_at!r})"


@dataclass(frozen=True, repr=False)
class SigningTokenWire:
    SCHEMA: ClassVar[str] = "SigningTokenOut"

    signing_token: str
    expires_at: str

    def __repr__(self) -> str:
        return f"SigningTokenWire(expires_at={self.expires_at!r})"


@dataclass(frozen=True, repr=False)
class ActivationWire:
    """Activation step 1's answer: the TOTP secret to put in the authenticator."""

    SCHEMA: ClassVar[str] = "ActivationOut"

    otpauth_uri: str
    secret: str
    digits: int
    period: int

    def __repr__(self) -> str:
        return f"ActivationWire(digits={self.digits}, period={self.period})"


# ------------------------------------------------------------------ prescriptions


@dataclass(frozen=True)
class PrescriberWire:
    SCHEMA: ClassVar[str] = "PrescriberOut"

    id: str
    display_name: str
    clinic: str
    npi: str | None = None
    licence_number: str | None = None
    licence_state: str | None = None


@dataclass(frozen=True)
class SignerWire:
    SCHEMA: ClassVar[str] = "SignerOut"

    id: str
    display_name: str


@dataclass(frozen=True)
class SignatureWire:
    SCHEMA: ClassVar[str] = "SignatureOut"

    signed_by: SignerWire
    signed_at: str
    body_sha256: str | None
    method: Literal["password", "totp"] | None


@dataclass(frozen=True)
class ReviewWire:
    SCHEMA: ClassVar[str] = "ReviewOut"

    action: Literal["approve", "reject"]
    reason: str | None
    reviewer: str | None
    reviewed_at: str


@dataclass(frozen=True)
class BeyondUseWire:
    """What the pharmacy entered when it marked the order ready."""

    SCHEMA: ClassVar[str] = "BeyondUseOut"

    date: str
    storage: str
    storage_label: str


@dataclass(frozen=True)
class ClaimHolderWire:
    SCHEMA: ClassVar[str] = "ClaimHolderOut"

    id: str
    display_name: str


@dataclass(frozen=True)
class ClaimWire:
    """A pharmacist reviewing the order (pharmacists' answers only), until ``expires_at``."""

    SCHEMA: ClassVar[str] = "ClaimOut"

    holder: ClaimHolderWire
    since: str
    expires_at: str


@dataclass(frozen=True)
class ActorWire:
    SCHEMA: ClassVar[str] = "ActorOut"

    id: str
    display_name: str
    role: Literal["prescriber", "pharmacist"]


@dataclass(frozen=True)
class HistoryEventWire:
    SCHEMA: ClassVar[str] = "HistoryEventOut"

    at: str
    action: Literal["submit"] | ActionName
    from_status: PrescriptionStatus | None
    #: The status this step led to.
    status: PrescriptionStatus
    actor: ActorWire
    note: str | None
    #: The version of the order the step was taken on (or made).
    version: int = 1


@dataclass(frozen=True)
class LabView:
    """One lab result of the body (``pharmacy_domain.prescription.LabResult``'s format)."""

    code: str = ""
    date: str = ""
    value: float | None = None
    unit: str = ""
    interpretation: str | None = None


@dataclass(frozen=True)
class PatientView:
    """The body's patient (``pharmacy_domain.prescription.Patient``'s format).

    Every field has a default: a view shows what is there and leaves the rest blank."""

    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""
    sex: str = ""
    weight_kg: float | None = None
    height_cm: float | None = None
    allergies: tuple[str, ...] = ()
    labs: tuple[LabView, ...] = ()
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SeriesView:
    start_date: str
    interval_days: int
    infusions: int


@dataclass(frozen=True)
class DispensingView:
    """The body's dispensing details (``pharmacy_domain.dispensing.Dispensing``'s format)."""

    quantity_bags: int = 1
    ship_to: str = "clinic"
    needed_by: str | None = None
    series: SeriesView | None = None
    pharmacy_notes: str = ""


@dataclass(frozen=True)
class IngredientView:
    code: str
    amount: float
    unit: str = ""


@dataclass(frozen=True)
class VehicleView:
    code: str
    volume_ml: float


@dataclass(frozen=True)
class PrescriptionWire:
    """A prescription as the server keeps it: the signed body plus what the server owns."""

    SCHEMA: ClassVar[str] = "PrescriptionOut"

    id: str
    reference: str
    status: PrescriptionStatus
    created_at: str
    updated_at: str
    template_id: str
    template_version: int
    template_name: str
    patient: Mapping[str, Any]  # pharmacy_domain.prescription's patient format
    ingredients: tuple[Mapping[str, Any], ...]
    access: str
    vehicle: Mapping[str, Any] | None
    infusion_minutes: int | None
    notes: str
    prescriber: PrescriberWire
    content_sha256: str
    evaluation: EvaluationWire | None
    signature: SignatureWire | None
    review: ReviewWire | None
    acknowledgements: tuple[AcknowledgementWire, ...] = ()
    #: Absent only from a replayed 201 of an order submitted before the lifecycle existed.
    history: tuple[HistoryEventWire, ...] = ()
    #: Present when the order runs a lipid emulsion separately.
    lipid_infusion_hours: float | None = None
    #: Present when the order gave dispensing details (pharmacy_domain.dispensing's format).
    dispensing: Mapping[str, Any] | None = None
    #: Present once the pharmacy marked it ready.
    beyond_use: BeyondUseWire | None = None
    #: The clinic's patient record it was written from (``patient`` is as signed).
    patient_id: str | None = None
    #: The prescriber answered a question and no pharmacist has moved it since.
    answered: bool = False
    #: Pharmacists only: who is reviewing it (absent when nobody is).
    claim: ClaimWire | None = None
    #: Messages in its thread the caller has not read (absent when none).
    unread_messages: int | None = None
    #: Which version the content is (2 and on: a proposed change accepted and re-signed).
    version: int = 1

    @property
    def has_history(self) -> bool:
        return bool(self.history)

    def patient_view(self) -> PatientView:
        return parse(PatientView, dict(self.patient), "patient")

    def ingredient_views(self) -> tuple[IngredientView, ...]:
        return tuple(
            parse(IngredientView, dict(line), f"ingredients.{i}")
            for i, line in enumerate(self.ingredients)
        )

    def vehicle_view(self) -> VehicleView | None:
        return None if self.vehicle is None else parse(VehicleView, dict(self.vehicle), "vehicle")

    def dispensing_view(self) -> DispensingView | None:
        if self.dispensing is None:
            return None
        return parse(DispensingView, dict(self.dispensing), "dispensing")

    def body(self) -> dict[str, Any]:
        """The order as composed and signed, in the domain's wire format."""
        return {
            "template_id": self.template_id,
            "template_version": self.template_version,
            "patient": dict(self.patient),
            "ingredients": [dict(line) for line in self.ingredients],
            "access": self.access,
            "vehicle": None if self.vehicle is None else dict(self.vehicle),
            "infusion_minutes": self.infusion_minutes,
            **(
                {}
                if self.lipid_infusion_hours is None
                else {"lipid_infusion_hours": self.lipid_infusion_hours}
            ),
            "notes": self.notes,
            "acknowledgements": [
                {"code": ack.code, "reason": ack.reason}
                | ({"field": ack.field} if ack.field else {})
                for ack in self.acknowledgements
            ],
            **({} if self.dispensing is None else {"dispensing": dict(self.dispensing)}),
        }


@dataclass(frozen=True)
class PrescriptionPage:
    SCHEMA: ClassVar[str] = "PrescriptionList"

    items: tuple[PrescriptionWire, ...]
    #: Counted no further than the server's cap (1,000): then ``total_is_lower_bound``.
    total: int
    next_cursor: str | None
    total_is_lower_bound: bool = False
    #: Pass as ``changed_since`` to get only what changed after this answer.
    changes_cursor: str | None = None


@dataclass(frozen=True)
class TemplatePage:
    """Templates stay in the domain's format; ``pharmacy_domain.templates`` reads them."""

    SCHEMA: ClassVar[str] = "TemplateList"

    items: tuple[Mapping[str, Any], ...]
    total: int
    next_cursor: str | None


# ------------------------------------------------------------------ drafts and clinics


@dataclass(frozen=True)
class PersonWire:
    SCHEMA: ClassVar[str] = "PersonOut"

    id: str
    display_name: str


@dataclass(frozen=True)
class DraftWire:
    SCHEMA: ClassVar[str] = "DraftOut"

    id: str
    prescriber_id: str
    prescriber: PersonWire
    created_by: PersonWire
    updated_by: PersonWire
    body: Mapping[str, Any]  # a composer payload (``core.composer``), not yet a prescription
    version: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class DraftPage:
    SCHEMA: ClassVar[str] = "DraftList"

    items: tuple[DraftWire, ...]
    total: int
    next_cursor: str | None


@dataclass(frozen=True)
class ClinicPrescriberPage:
    SCHEMA: ClassVar[str] = "ClinicPrescriberList"

    items: tuple[PersonWire, ...]
    total: int
    next_cursor: str | None


# ------------------------------------------------------------------ favorites


@dataclass(frozen=True)
class FavoriteWire:
    SCHEMA: ClassVar[str] = "FavoriteOut"

    id: str
    name: str
    template_id: str
    template_version: int
    content: Mapping[str, Any]  # the order without a patient (``pharmacy_domain.favorites``)
    version: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class FavoritePage:
    SCHEMA: ClassVar[str] = "FavoriteList"

    items: tuple[FavoriteWire, ...]
    total: int
    next_cursor: str | None


# ------------------------------------------------------------------ accounts and audit


@dataclass(frozen=True)
class AccountRequestCreatedWire:
    SCHEMA: ClassVar[str] = "AccountRequestCreated"

    id: str
    status: Literal["pending"]


@dataclass(frozen=True)
class AccountRequestWire:
    SCHEMA: ClassVar[str] = "AccountRequestOut"

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


@dataclass(frozen=True)
class AccountRequestPage:
    SCHEMA: ClassVar[str] = "AccountRequestList"

    items: tuple[AccountRequestWire, ...]
    total: int
    next_cursor: str | None


@dataclass(frozen=True)
class AdminUserWire:
    SCHEMA: ClassVar[str] = "AdminUserOut"

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


@dataclass(frozen=True)
class AdminUserPage:
    SCHEMA: ClassVar[str] = "AdminUserList"

    items: tuple[AdminUserWire, ...]
    total: int
    next_cursor: str | None


@dataclass(frozen=True)
class AuditEventWire:
    SCHEMA: ClassVar[str] = "AuditEventOut"

    seq: int
    occurred_at: str
    actor_id: str | None
    actor_role: str | None
    action: str
    outcome: str
    target_type: str | None
    target_id: str | None
    client_address: str | None
    details: Mapping[str, Any]
    prev_hash: str
    hash: str
    actor_username: str | None
    # Which canonical JSON the hash covers (rfc8785, or sorted-json for older rows).
    hash_form: str = "sorted-json"
    # Labels the server adds when it answers (not hashed): the actor's display name, and
    # a prescription's reference or an account's username.
    actor_name: str | None = None
    target_label: str | None = None


@dataclass(frozen=True)
class AuditPage:
    SCHEMA: ClassVar[str] = "AuditList"

    items: tuple[AuditEventWire, ...]
    total: int
    next_cursor: str | None


@dataclass(frozen=True)
class SessionWire:
    SCHEMA: ClassVar[str] = "SessionOut"

    id: str
    created_at: str
    last_seen_at: str
    expires_at: str
    client_address: str | None
    client: str | None


@dataclass(frozen=True)
class SessionPage:
    SCHEMA: ClassVar[str] = "SessionList"

    items: tuple[SessionWire, ...]
    total: int
    next_cursor: str | None


@dataclass(frozen=True)
class SessionsEndedWire:
    SCHEMA: ClassVar[str] = "SessionsEnded"

    ended: int


#: Every wire type, for the contract test against the server's OpenAPI document.
WIRE_TYPES: tuple[type, ...] = (
    HealthWire,
    FieldErrorWire,
    FindingWire,
    ErrorWire,
    ReferenceVersionsWire,
    EvaluationWire,
    ValidationWire,
    AcknowledgementWire,
    UserWire,
    LoginWire,
    MfaChallengeWire,
    SigningTokenWire,
    ActivationWire,
    PrescriberWire,
    SignerWire,
    SignatureWire,
    ReviewWire,
    BeyondUseWire,
    ClaimHolderWire,
    ClaimWire,
    ActorWire,
    HistoryEventWire,
    PrescriptionWire,
    PrescriptionPage,
    TemplatePage,
    PersonWire,
    DraftWire,
    DraftPage,
    ClinicPrescriberPage,
    FavoriteWire,
    FavoritePage,
    AccountRequestCreatedWire,
    AccountRequestWire,
    AccountRequestPage,
    AdminUserWire,
    AdminUserPage,
    AuditEventWire,
    AuditPage,
    SessionWire,
    SessionPage,
    SessionsEndedWire,
)


# ------------------------------------------------------------------ the parser


_HINTS: dict[type, dict[str, Any]] = {}


def field_types(cls: type) -> dict[str, Any]:
    """The resolved annotations of a wire type's fields (``SCHEMA`` left out)."""
    hints = _HINTS.get(cls)
    if hints is None:
        resolved = typing.get_type_hints(cls)
        hints = {item.name: resolved[item.name] for item in dataclasses.fields(cls)}
        _HINTS[cls] = hints
    return hints


def parse(cls: type[W], data: Any, where: str = "") -> W:
    """``data`` (decoded JSON) as ``cls``, or ``UnreadableAnswer`` naming the first misfit."""
    try:
        return cast(W, _converter(cls)(data))
    except _Misfit as misfit:
        path = ".".join([*([where] if where else []), *reversed(misfit.segments)])
        raise UnreadableAnswer(path or cls.__name__) from None


class _Misfit(Exception):
    """A value that does not fit; ``segments`` is its path below where it is caught,
    innermost first (each level adds its own on the way out, so a good answer builds no
    path at all)."""

    def __init__(self, segment: str | None = None) -> None:
        super().__init__()
        self.segments: list[str] = [] if segment is None else [segment]


#: One value's reader: the value as the wire type holds it, or ``_Misfit``.
_Converter = typing.Callable[[Any], Any]
#: Each wire type's reader, built once from its annotations: a page of a hundred
#: prescriptions is read without asking ``typing`` about a field again.
_CONVERTERS: dict[Any, _Converter] = {}
#: Answers are read on worker threads: one thread builds readers at a time, and a reader
#: is published in ``_CONVERTERS`` only once the whole build it belongs to is done (a
#: dataclass's reader is registered in ``_BUILDING`` before its fields are filled, so a
#: type that holds itself finds it; no other thread may see it half filled).
_BUILD_LOCK = threading.RLock()
_BUILDING: dict[Any, _Converter] = {}
_build_depth = 0


def _converter(kind: Any) -> _Converter:
    found = _CONVERTERS.get(kind)
    if found is not None:
        return found
    global _build_depth  # noqa: PLW0603 - guarded by _BUILD_LOCK
    with _BUILD_LOCK:
        found = _CONVERTERS.get(kind) or _BUILDING.get(kind)
        if found is not None:
            return found
        _build_depth += 1
        complete = False
        try:
            found = _BUILDING[kind] = _build_converter(kind)
            complete = True
        finally:
            _build_depth -= 1
            if _build_depth == 0:
                if complete:  # a failed build (an unsupported type) publishes nothing
                    _CONVERTERS.update(_BUILDING)
                _BUILDING.clear()
        return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: The JSON scalars: which Python values each accepts (a bool is no number here).
_SCALARS: dict[Any, Any] = {
    bool: lambda value: isinstance(value, bool),
    int: lambda value: isinstance(value, int) and not isinstance(value, bool),
    float: _is_number,
    str: lambda value: isinstance(value, str),
}


def _build_converter(kind: Any) -> _Converter:
    if kind is Any:
        return lambda value: value
    origin = typing.get_origin(kind)
    if origin is not None:
        return _generic_converter(kind, origin)
    if kind is dt.datetime or kind is dt.date:
        return lambda value: _moment(kind, value)
    if kind in _SCALARS:
        return _scalar_converter(kind)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _enum_converter(kind)
    if dataclasses.is_dataclass(kind):
        return _dataclass_converter(cast(type, kind))
    raise TypeError(f"wire field of unsupported type {kind!r}")


def _scalar_converter(kind: type) -> _Converter:
    accepts = _SCALARS[kind]

    def convert(value: Any) -> Any:
        if not accepts(value):
            raise _Misfit
        return float(value) if kind is float else value

    return convert


def _enum_converter(kind: type[enum.Enum]) -> _Converter:
    def convert(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            raise _Misfit from None

    return convert


def _dataclass_converter(cls: type) -> _Converter:
    #: (name, may be absent, reader), filled after registering ``convert``, so a type that
    #: holds itself (or one that does) finds its reader in ``_CONVERTERS``.
    fields: list[tuple[str, bool, _Converter]] = []

    def convert(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Misfit
        values: dict[str, Any] = {}
        for name, optional, read in fields:
            if name not in value:
                if optional:
                    continue
                raise _Misfit(name)
            try:
                values[name] = read(value[name])
            except _Misfit as misfit:
                misfit.segments.append(name)
                raise
        return cls(**values)

    _BUILDING[cls] = convert
    hints = field_types(cls)
    fields.extend(
        (
            item.name,
            item.default is not dataclasses.MISSING
            or item.default_factory is not dataclasses.MISSING,
            _converter(hints[item.name]),
        )
        for item in dataclasses.fields(cls)
    )
    return convert


def _moment(kind: type[dt.date], value: Any) -> dt.date:
    """A JSON string as a date (``YYYY-MM-DD`` exactly) or an aware datetime (ISO 8601)."""
    if not isinstance(value, str):
        raise _Misfit
    try:
        if kind is dt.datetime:
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("a time without its zone")
            return moment
        if len(value) != 10:
            raise ValueError("not YYYY-MM-DD")
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Misfit from None


def _generic_converter(kind: Any, origin: Any) -> _Converter:
    arguments = typing.get_args(kind)
    if origin is typing.Union or origin is types.UnionType:
        return _union_converter(arguments)
    if origin is Literal:
        return _literal_converter(arguments)
    if origin is tuple:
        return _tuple_converter(_converter(arguments[0]))
    if origin in (dict, Mapping):
        return _mapping_converter(_converter(arguments[1]))
    raise TypeError(f"wire field of unsupported type {kind!r}")


def _union_converter(arguments: tuple[Any, ...]) -> _Converter:
    choices = [_converter(choice) for choice in arguments if choice is not type(None)]
    nullable = len(choices) < len(arguments)

    def convert(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise _Misfit
        if len(choices) == 1:  # the usual "X | None": keep the inner field's path
            return choices[0](value)
        for choice in choices:
            try:
                return choice(value)
            except _Misfit:
                continue
        raise _Misfit

    return convert


def _literal_converter(allowed_values: tuple[Any, ...]) -> _Converter:
    def convert(value: Any) -> Any:
        if any(type(value) is type(allowed) and value == allowed for allowed in allowed_values):
            return value
        raise _Misfit

    return convert


def _tuple_converter(read: _Converter) -> _Converter:
    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Misfit
        entries = []
        for index, entry in enumerate(value):
            try:
                entries.append(read(entry))
            except _Misfit as misfit:
                misfit.segments.append(str(index))
                raise
        return tuple(entries)

    return convert


def _mapping_converter(read: _Converter) -> _Converter:
    def convert(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Misfit
        entries = {}
        for key, entry in value.items():
            try:
                entries[str(key)] = read(entry)
            except _Misfit as misfit:
                misfit.segments.append(str(key))
                raise
        return entries

    return convert
