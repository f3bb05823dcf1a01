"""The v1 API. Operation ids are the function names (stable for generated clients)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Header, Query
from fastapi.responses import JSONResponse, Response

from pharmacy_domain.prescription import FieldError
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_server import audit
from pharmacy_server.accounts import AccountRequestIn as AccountRequestData
from pharmacy_server.api.deps import (
    AdminUser,
    BearerToken,
    ClientAddress,
    Context,
    CurrentUser,
    DraftingUser,
    JsonBody,
    PharmacistUser,
    PrescriberUser,
    StaffUser,
)
from pharmacy_server.api.schemas import (
    AccountRequestCreated,
    AccountRequestIn,
    AccountRequestList,
    AccountRequestOut,
    ActionRequest,
    ActivateConfirmRequest,
    ActivateRequest,
    ActivationOut,
    AdminUserList,
    AdminUserOut,
    AuditList,
    ClinicPrescriberList,
    DraftIn,
    DraftList,
    DraftOut,
    DraftUpdate,
    FormularyOut,
    LoginRequest,
    LoginResponse,
    MfaChallengeOut,
    MfaLoginRequest,
    PasswordChangeRequest,
    PrescriptionList,
    PrescriptionOut,
    ReauthenticateRequest,
    RejectRequest,
    ReviewRequest,
    SigningTokenOut,
    StepUpRequest,
    TemplateList,
    UserOut,
    UserUpdate,
    ValidationOut,
    error_responses,
)
from pharmacy_server.auth import LoginFailed, MfaRequired
from pharmacy_server.errors import ApiError, invalid, not_found
from pharmacy_server.pagination import (
    DEFAULT_PAGE_SIZE,
    clamp_limit,
    decode_seq_cursor,
    encode_seq_cursor,
)
from pharmacy_server.prescriptions import MAX_IDEMPOTENCY_KEY_LENGTH, normalise_idempotency_key

router = APIRouter(prefix="/api/v1")

LOGIN_FAILED_DETAIL = "Incorrect username or password."


# ---------------------------------------------------------------- auth


@router.post(
    "/auth/login",
    tags=["auth"],
    response_model=LoginResponse | MfaChallengeOut,
    responses=error_responses(401, 413, 422, 429),
)
def login(context: Context, credentials: LoginRequest, address: ClientAddress) -> JSONResponse:
    """Password sign-in. Accounts with TOTP get ``{"mfa_required": true, "mfa_token"}``
    and finish with ``POST /auth/login/otp``; others (demo mode only) get the session."""
    try:
        result = context.auth.login(credentials.username, credentials.password, address)
    except LoginFailed:
        # One body for unknown user, wrong password and locked account (checklist C4).
        raise ApiError(401, LOGIN_FAILED_DETAIL) from None
    if isinstance(result, MfaRequired):
        return JSONResponse(result.to_wire())
    return JSONResponse(result.to_wire(context.settings.idle_timeout))


@router.post(
    "/auth/login/otp",
    tags=["auth"],
    response_model=LoginResponse,
    responses=error_responses(401, 413, 422, 429),
)
def login_otp(context: Context, answer: MfaLoginRequest, address: ClientAddress) -> JSONResponse:
    """Second step of sign-in: the TOTP code for the ``mfa_token`` from ``/auth/login``.

    The password is already proved here, so a refusal says why in ``code``:
    ``auth.wrong_code``, ``auth.replayed_code`` (each code works once),
    ``auth.challenge_expired`` (start again with the password) or ``auth.locked``
    (with ``Retry-After``)."""
    try:
        result = context.auth.login_otp(answer.mfa_token, answer.otp, address)
    except LoginFailed:
        raise ApiError(401, LOGIN_FAILED_DETAIL) from None
    return JSONResponse(result.to_wire(context.settings.idle_timeout))


@router.post("/auth/logout", tags=["auth"], status_code=204, responses=error_responses(401))
def logout(
    context: Context, user: CurrentUser, token: BearerToken, address: ClientAddress
) -> Response:
    context.auth.logout(user, token, address)
    return Response(status_code=204)


@router.post(
    "/auth/reauthenticate",
    tags=["auth"],
    status_code=204,
    responses=error_responses(401, 403, 413, 422, 429),
)
def reauthenticate(
    context: Context,
    user: CurrentUser,
    token: BearerToken,
    request: ReauthenticateRequest,
    address: ClientAddress,
) -> Response:
    """Unlock an idle-locked workstation: the password again, in the same session.

    204 and the session's idle time starts again; a wrong password is 403
    ``auth.reauthentication_failed`` and counts toward the lockout (the failure that locks
    the account is 401 ``auth.locked`` with ``Retry-After``; the session is then gone)."""
    context.auth.reauthenticate(user, token, password=request.password, address=address)
    return Response(status_code=204)


@router.post(
    "/auth/step-up",
    tags=["auth"],
    response_model=SigningTokenOut,
    responses=error_responses(401, 403, 413, 422, 429),
)
def step_up(
    context: Context, user: CurrentUser, request: StepUpRequest, address: ClientAddress
) -> JSONResponse:
    """Sign: re-authenticate for one body hash; the token signs one submission."""
    token = context.auth.step_up(
        user,
        password=request.password,
        otp=request.otp,
        content_sha256=request.content_sha256,
        address=address,
    )
    return JSONResponse(token.to_wire())


@router.post(
    "/auth/password",
    tags=["auth"],
    status_code=204,
    responses=error_responses(401, 403, 413, 422, 429),
)
def change_password(
    context: Context, user: CurrentUser, request: PasswordChangeRequest, address: ClientAddress
) -> Response:
    """Change the password; every session of the account ends (sign in again)."""
    context.auth.change_password(
        user,
        current_password=request.current_password,
        new_password=request.new_password,
        address=address,
    )
    return Response(status_code=204)


@router.post(
    "/auth/activate",
    tags=["auth"],
    response_model=ActivationOut,
    responses=error_responses(400, 413, 422, 429),
)
def activate(context: Context, request: ActivateRequest, address: ClientAddress) -> JSONResponse:
    """Activation step 1: the mailed code and a new password; returns the TOTP secret."""
    enrollment = context.accounts.start_activation(
        request.username, request.code, request.password, address
    )
    return JSONResponse(enrollment)


@router.post(
    "/auth/activate/confirm",
    tags=["auth"],
    response_model=LoginResponse,
    responses=error_responses(400, 413, 422, 429),
)
def confirm_activation(
    context: Context, request: ActivateConfirmRequest, address: ClientAddress
) -> JSONResponse:
    """Activation step 2: the first TOTP code enables the account and signs it in."""
    result = context.accounts.confirm_activation(
        request.username, request.code, request.otp, address
    )
    return JSONResponse(result.to_wire(context.settings.idle_timeout))


@router.post(
    "/account-requests",
    tags=["accounts"],
    status_code=202,
    response_model=AccountRequestCreated,
    responses=error_responses(413, 422, 429),
)
def request_account(
    context: Context, request: AccountRequestIn, address: ClientAddress
) -> JSONResponse:
    """Ask for an account; pharmacy staff approve it and the activation code is mailed."""
    created = context.accounts.request_account(AccountRequestData(**request.model_dump()), address)
    return JSONResponse(created, status_code=202)


@router.get("/auth/me", tags=["auth"], response_model=UserOut, responses=error_responses(401))
def get_me(user: CurrentUser) -> JSONResponse:
    return JSONResponse(user.to_wire())


# ---------------------------------------------------------------- templates


@router.get(
    "/templates", tags=["templates"], response_model=TemplateList, responses=error_responses(401)
)
def list_templates(context: Context, _user: CurrentUser) -> JSONResponse:
    items = [template.to_wire() for template in context.catalog.latest()]
    return JSONResponse({"items": items, "total": len(items), "next_cursor": None})


@router.get(
    "/templates/{template_id}/versions/{version}",
    tags=["templates"],
    responses={200: {"content": {"application/json": {}}}, **error_responses(401, 404, 422)},
)
def get_template_version(
    context: Context, _user: CurrentUser, template_id: str, version: int
) -> JSONResponse:
    template = context.catalog.get(template_id, version)
    if template is None:
        raise not_found("Template version")
    return JSONResponse(template.to_wire())


@router.get(
    "/formulary", tags=["templates"], response_model=FormularyOut, responses=error_responses(401)
)
def get_formulary(context: Context, _user: CurrentUser) -> JSONResponse:
    return JSONResponse(context.formulary.to_wire())


# ---------------------------------------------------------------- prescriptions

_SUBMISSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PrescriptionSubmission"}}
        },
    }
}


@router.post(
    "/prescriptions",
    tags=["prescriptions"],
    status_code=201,
    response_model=PrescriptionOut,
    openapi_extra=_SUBMISSION_BODY,
    responses=error_responses(400, 401, 403, 409, 413, 422),
)
def submit_prescription(
    context: Context,
    user: PrescriberUser,
    body: JsonBody,
    address: ClientAddress,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="A new UUID per prescription, reused on every retry of it.",
            max_length=MAX_IDEMPOTENCY_KEY_LENGTH + 2,
        ),
    ] = None,
) -> Response:
    key = normalise_idempotency_key(idempotency_key)
    outcome = context.prescriptions.submit(
        prescriber=user, idempotency_key=key, body=body, address=address
    )
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return Response(
        outcome.body_json, status_code=201, headers=headers, media_type="application/json"
    )


@router.post(
    "/prescriptions/validate",
    tags=["prescriptions"],
    response_model=ValidationOut,
    openapi_extra=_SUBMISSION_BODY,
    responses=error_responses(401, 413, 422),
)
def validate_prescription(context: Context, _user: CurrentUser, body: JsonBody) -> JSONResponse:
    """Run the clinical checks on a prescription body without storing anything."""
    return JSONResponse(context.prescriptions.validate(body))


@router.get(
    "/prescriptions",
    tags=["prescriptions"],
    response_model=PrescriptionList,
    responses=error_responses(401, 422),
)
def list_prescriptions(
    context: Context,
    user: CurrentUser,
    *,
    limit: Annotated[int, Query(ge=1, description="At most 100 (larger values are capped).")] = (
        DEFAULT_PAGE_SIZE
    ),
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    status: PrescriptionStatus | None = None,
    idempotency_key: Annotated[str | None, Query(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)] = None,
) -> JSONResponse:
    page = context.prescriptions.list(
        user, limit=limit, cursor=cursor, status=status, idempotency_key=idempotency_key
    )
    return JSONResponse(page.to_wire())


@router.get(
    "/prescriptions/{prescription_id}",
    tags=["prescriptions"],
    response_model=PrescriptionOut,
    responses=error_responses(401, 404, 422),
)
def get_prescription(context: Context, user: CurrentUser, prescription_id: str) -> JSONResponse:
    return JSONResponse(context.prescriptions.get(user, _prescription_id(prescription_id)))


@router.get(
    "/prescriptions/{prescription_id}/fhir",
    tags=["prescriptions"],
    responses={
        200: {
            "description": "A FHIR R4 collection Bundle: Patient, Observations and a "
            "MedicationRequest with a contained compounded Medication.",
            "content": {"application/fhir+json": {"schema": {"type": "object"}}},
        },
        **error_responses(401, 404, 422),
    },
)
def get_prescription_fhir(context: Context, user: CurrentUser, prescription_id: str) -> Response:
    bundle = context.prescriptions.fhir_bundle(user, _prescription_id(prescription_id))
    return JSONResponse(bundle, media_type="application/fhir+json")


@router.post(
    "/prescriptions/{prescription_id}/review",
    tags=["prescriptions"],
    response_model=PrescriptionOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def review_prescription(
    context: Context,
    user: PharmacistUser,
    prescription_id: str,
    *,
    review: ReviewRequest,
    address: ClientAddress,
    background: BackgroundTasks,
) -> JSONResponse:
    result = context.prescriptions.review(
        user,
        _prescription_id(prescription_id),
        action=review.action,
        reason=review.reason,
        address=address,
    )
    background.add_task(context.prescriptions.send_notice, result.notice)
    return JSONResponse(result.wire)


@router.post(
    "/prescriptions/{prescription_id}/actions",
    tags=["prescriptions"],
    response_model=PrescriptionOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
    summary="Move a prescription on: review, clarification, compounding, shipping, cancelling",
)
def act_on_prescription(
    context: Context,
    user: CurrentUser,
    prescription_id: str,
    *,
    step: ActionRequest,
    address: ClientAddress,
    background: BackgroundTasks,
) -> JSONResponse:
    """Pharmacists approve, reject, ask a question and move an approved order through
    compounding to shipping; the prescriber answers a question or cancels their own.
    A step the current status does not allow answers 409 with the status now. A question,
    a rejection and a shipment are also mailed to the prescriber (the reference only)."""
    result = context.prescriptions.act(
        user,
        _prescription_id(prescription_id),
        action=step.action,
        note=step.note,
        address=address,
        seen_steps=step.seen_steps,
    )
    background.add_task(context.prescriptions.send_notice, result.notice)
    return JSONResponse(result.wire)


def _uuid(raw: str, what: str) -> uuid.UUID:
    """A malformed id is just another id that does not exist: 404, like a foreign one."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise not_found(what) from None


def _prescription_id(raw: str) -> uuid.UUID:
    return _uuid(raw, "Prescription")


# ---------------------------------------------------------------- drafts

_LIMIT = Annotated[int, Query(ge=1, description="At most 100 (larger values are capped).")]
_CURSOR = Annotated[str | None, Query(max_length=500)]


@router.post(
    "/drafts",
    tags=["drafts"],
    status_code=201,
    response_model=DraftOut,
    responses=error_responses(401, 403, 413, 422),
)
def create_draft(context: Context, user: DraftingUser, draft: DraftIn) -> JSONResponse:
    prescriber_id = None
    if draft.prescriber_id is not None:
        try:
            prescriber_id = uuid.UUID(draft.prescriber_id)
        except ValueError:
            raise invalid(
                "Drafts are for a prescriber of your clinic.",
                [FieldError("prescriber_id", "is not a user id")],
            ) from None
    created = context.drafts.create(user, prescriber_id=prescriber_id, body=draft.body)
    return JSONResponse(created, status_code=201)


@router.get(
    "/drafts", tags=["drafts"], response_model=DraftList, responses=error_responses(401, 403, 422)
)
def list_drafts(
    context: Context,
    user: DraftingUser,
    limit: _LIMIT = DEFAULT_PAGE_SIZE,
    cursor: _CURSOR = None,
) -> JSONResponse:
    return JSONResponse(context.drafts.list(user, limit=limit, cursor=cursor).to_wire())


@router.get(
    "/drafts/{draft_id}",
    tags=["drafts"],
    response_model=DraftOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_draft(context: Context, user: DraftingUser, draft_id: str) -> JSONResponse:
    return JSONResponse(context.drafts.get(user, _uuid(draft_id, "Draft")))


@router.put(
    "/drafts/{draft_id}",
    tags=["drafts"],
    response_model=DraftOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def update_draft(
    context: Context, user: DraftingUser, draft_id: str, draft: DraftUpdate
) -> JSONResponse:
    updated = context.drafts.update(
        user, _uuid(draft_id, "Draft"), body=draft.body, version=draft.version
    )
    return JSONResponse(updated)


@router.delete(
    "/drafts/{draft_id}",
    tags=["drafts"],
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
)
def delete_draft(context: Context, user: DraftingUser, draft_id: str) -> Response:
    context.drafts.delete(user, _uuid(draft_id, "Draft"))
    return Response(status_code=204)


@router.get(
    "/clinic/prescribers",
    tags=["drafts"],
    response_model=ClinicPrescriberList,
    responses=error_responses(401, 403),
)
def list_clinic_prescribers(context: Context, user: DraftingUser) -> JSONResponse:
    """The active prescribers of the caller's clinic (whom clinic staff prepare drafts
    for). Prescribers and clinic staff only; pharmacy staff get 403."""
    return JSONResponse(context.drafts.clinic_prescribers(user).to_wire())


# ---------------------------------------------------------------- administration


@router.get(
    "/admin/account-requests",
    tags=["admin"],
    response_model=AccountRequestList,
    responses=error_responses(401, 403, 422),
)
def list_account_requests(
    context: Context,
    user: StaffUser,
    status: Literal["pending", "approved", "rejected"] | None = None,
    limit: _LIMIT = DEFAULT_PAGE_SIZE,
    cursor: _CURSOR = None,
) -> JSONResponse:
    page = context.accounts.list_requests(
        user, status=status, limit=clamp_limit(limit), cursor=cursor
    )
    return JSONResponse(page.to_wire())


@router.post(
    "/admin/account-requests/{request_id}/approve",
    tags=["admin"],
    response_model=AccountRequestOut,
    responses=error_responses(401, 403, 404, 409, 422, 502),
)
def approve_account_request(
    context: Context, user: StaffUser, request_id: str, address: ClientAddress
) -> JSONResponse:
    """Create the account and mail its activation code (again: a new code)."""
    wire = context.accounts.approve(user, _uuid(request_id, "Account request"), address)
    return JSONResponse(wire)


@router.post(
    "/admin/account-requests/{request_id}/reject",
    tags=["admin"],
    response_model=AccountRequestOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def reject_account_request(
    context: Context,
    user: StaffUser,
    request_id: str,
    decision: RejectRequest,
    address: ClientAddress,
) -> JSONResponse:
    wire = context.accounts.reject(
        user, _uuid(request_id, "Account request"), decision.reason.strip(), address
    )
    return JSONResponse(wire)


@router.get(
    "/admin/users",
    tags=["admin"],
    response_model=AdminUserList,
    responses=error_responses(401, 403),
)
def list_users(context: Context, user: AdminUser) -> JSONResponse:
    items = context.accounts.list_users(user)
    return JSONResponse({"items": items, "total": len(items), "next_cursor": None})


@router.patch(
    "/admin/users/{user_id}",
    tags=["admin"],
    response_model=AdminUserOut,
    responses=error_responses(401, 403, 404, 413, 422),
)
def update_user(
    context: Context, user: AdminUser, user_id: str, change: UserUpdate, address: ClientAddress
) -> JSONResponse:
    """Role, enabled state, licence expiry. Disabling or a new role ends its sessions."""
    wire = context.accounts.update_user(
        user,
        _uuid(user_id, "User"),
        role=change.role,
        is_active=change.is_active,
        licence_expires_on=change.licence_expires_on,
        address=address,
    )
    return JSONResponse(wire)


@router.get(
    "/admin/audit",
    tags=["admin"],
    response_model=AuditList,
    responses=error_responses(401, 403, 422),
)
def list_audit_events(
    context: Context,
    _user: AdminUser,
    limit: _LIMIT = DEFAULT_PAGE_SIZE,
    cursor: _CURSOR = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
) -> JSONResponse:
    """The audit trail, newest first (hash-chained; verify with ``pharmacy-server audit``)."""
    items, total, next_seq = audit.list_events(
        context.database,
        limit=clamp_limit(limit),
        cursor=None if cursor is None else decode_seq_cursor(cursor),
        action=action,
    )
    next_cursor = None if next_seq is None else encode_seq_cursor(next_seq)
    return JSONResponse({"items": items, "total": total, "next_cursor": next_cursor})
