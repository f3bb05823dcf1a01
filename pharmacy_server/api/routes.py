"""The v1 API. Operation ids are the function names (stable for generated clients)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from pharmacy_domain.status import PrescriptionStatus
from pharmacy_server.api.deps import BearerToken, Context, CurrentUser, JsonBody
from pharmacy_server.api.schemas import (
    FormularyOut,
    LoginRequest,
    LoginResponse,
    PrescriptionList,
    PrescriptionOut,
    ReviewRequest,
    TemplateList,
    UserOut,
    ValidationOut,
    error_responses,
)
from pharmacy_server.auth import LoginFailed
from pharmacy_server.errors import ApiError, not_found
from pharmacy_server.prescriptions import (
    DEFAULT_PAGE_SIZE,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    normalise_idempotency_key,
)

router = APIRouter(prefix="/api/v1")

LOGIN_FAILED_DETAIL = "Incorrect username or password."


# ---------------------------------------------------------------- auth


@router.post(
    "/auth/login",
    tags=["auth"],
    response_model=LoginResponse,
    responses=error_responses(401, 413, 422),
)
def login(context: Context, credentials: LoginRequest) -> JSONResponse:
    try:
        result = context.auth.login(credentials.username, credentials.password)
    except LoginFailed:
        # One body for unknown user, wrong password and locked account (checklist C4).
        raise ApiError(401, LOGIN_FAILED_DETAIL) from None
    return JSONResponse(result.to_wire(context.settings.idle_timeout))


@router.post("/auth/logout", tags=["auth"], status_code=204, responses=error_responses(401))
def logout(context: Context, _user: CurrentUser, token: BearerToken) -> Response:
    context.auth.logout(token)
    return Response(status_code=204)


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
    user: CurrentUser,
    body: JsonBody,
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
    outcome = context.prescriptions.submit(prescriber=user, idempotency_key=key, body=body)
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
    context: Context, user: CurrentUser, prescription_id: str, review: ReviewRequest
) -> JSONResponse:
    wire = context.prescriptions.review(
        user, _prescription_id(prescription_id), action=review.action, reason=review.reason
    )
    return JSONResponse(wire)


def _prescription_id(raw: str) -> uuid.UUID:
    """A malformed id is just another id that does not exist: 404, like a foreign one."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise not_found("Prescription") from None
