"""Submitting, checking, reading and exporting prescriptions, and the lifecycle steps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Header, Query
from fastapi.responses import JSONResponse, Response

from pharmacy_domain.status import PrescriptionStatus
from pharmacy_server.deps import (
    ClientAddress,
    Context,
    CurrentUser,
    JsonBody,
    PharmacistUser,
    PrescriberUser,
    PrescriptionReader,
    parse_id,
)
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE
from pharmacy_server.prescriptions.queue import (
    MAX_SEARCH_LENGTH,
    ListOrder,
    QueueFilter,
    parse_search,
    parse_uuid,
)
from pharmacy_server.prescriptions.schemas import (
    ActionRequest,
    ClaimOut,
    ClaimRequest,
    PrescriptionList,
    PrescriptionOut,
    ReviewRequest,
    ValidationOut,
)
from pharmacy_server.prescriptions.validation import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    normalise_idempotency_key,
)
from pharmacy_server.prescriptions.version_schemas import (
    AcceptProposalRequest,
    FieldProposalRequest,
    PrescriptionVersionsOut,
)
from pharmacy_server.schemas import error_responses
from pharmacy_server.text_fields import IsoDate

# Prescriptions leave out members without a value (see ``prescriptions.schemas``).
router = APIRouter(prefix="/api/v1", tags=["prescriptions"])

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
    # The 201 body was built by PrescriptionOut and stored; it is sent as stored, so a
    # replay is byte for byte the first answer.
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
    response_model=ValidationOut,
    openapi_extra=_SUBMISSION_BODY,
    responses=error_responses(401, 413, 422),
)
def validate_prescription(context: Context, _user: CurrentUser, body: JsonBody) -> ValidationOut:
    """Run the clinical checks on a prescription body without storing anything."""
    return context.prescriptions.validate(body)


@router.get(
    "/prescriptions",
    response_model=PrescriptionList,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 422),
)
def list_prescriptions(
    context: Context,
    user: PrescriptionReader,
    *,
    address: ClientAddress,
    limit: Annotated[int, Query(ge=1, description="At most 100 (larger values are capped).")] = (
        DEFAULT_PAGE_SIZE
    ),
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    status: PrescriptionStatus | None = None,
    idempotency_key: Annotated[str | None, Query(max_length=MAX_IDEMPOTENCY_KEY_LENGTH)] = None,
    sort: Annotated[
        ListOrder,
        Query(
            description="`newest` first (the default); `needed_by`: the soonest needed "
            "first, orders naming no date last; `status`: by status name; `prescriber`: "
            "each prescriber's orders together. Newest first within one key. A cursor "
            "belongs to the order it came from."
        ),
    ] = "newest",
    prescriber_id: Annotated[str | None, Query(max_length=36)] = None,
    clinic_id: Annotated[str | None, Query(max_length=36)] = None,
    template_id: Annotated[str | None, Query(max_length=100)] = None,
    has_warnings: Annotated[
        bool | None, Query(description="Orders submitted past a warning (or, false, not).")
    ] = None,
    answered: Annotated[
        bool | None,
        Query(description="The prescriber answered a question and nobody has moved it since."),
    ] = None,
    needed_by_from: Annotated[IsoDate | None, Query(description="YYYY-MM-DD")] = None,
    needed_by_to: Annotated[IsoDate | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    submitted_from: Annotated[IsoDate | None, Query(description="YYYY-MM-DD (UTC)")] = None,
    submitted_to: Annotated[
        IsoDate | None, Query(description="YYYY-MM-DD (UTC), inclusive")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_SEARCH_LENGTH,
            description="A reference (RX-…, exactly, in any case), or the start of the "
            "patient's name, family or given name first, accents and case ignored "
            '("garc", "maria g"), or `family, given` ("garcia, m"). Never logged; '
            "a name search is audited.",
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        Query(
            max_length=500,
            description="A `changes_cursor` from an earlier answer: only the prescriptions "
            "changed since, oldest change first, whatever the filters.",
        ),
    ] = None,
) -> PrescriptionList:
    searched = parse_search(q)
    filters = QueueFilter(
        prescriber_id=parse_uuid(prescriber_id, "prescriber_id"),
        clinic_id=parse_uuid(clinic_id, "clinic_id"),
        template_id=template_id,
        has_warnings=has_warnings,
        answered=answered,
        needed_by_from=needed_by_from,
        needed_by_to=needed_by_to,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        search=searched.search,
        patient_name=searched.patient_name,
        patient_given_name=searched.patient_given_name,
    )
    return context.prescriptions.list(
        user,
        limit=limit,
        cursor=cursor,
        status=status,
        idempotency_key=idempotency_key,
        sort=sort,
        filters=filters,
        changed_since=changed_since,
        address=address,
    )


@router.get(
    "/prescriptions/{prescription_id}",
    response_model=PrescriptionOut,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 422),
)
def get_prescription(
    context: Context, user: PrescriptionReader, prescription_id: str
) -> PrescriptionOut:
    return context.prescriptions.get(user, parse_id(prescription_id, "Prescription"))


@router.get(
    "/prescriptions/{prescription_id}/fhir",
    responses={
        200: {
            "description": "A FHIR R4 collection Bundle: Patient, Observations and a "
            "MedicationRequest with a contained compounded Medication.",
            "content": {"application/fhir+json": {"schema": {"type": "object"}}},
        },
        **error_responses(401, 403, 404, 422),
    },
)
def get_prescription_fhir(
    context: Context, user: PrescriptionReader, prescription_id: str
) -> Response:
    # A FHIR document, written by pharmacy_domain.fhir: not one of this API's models.
    bundle = context.prescriptions.fhir_bundle(user, parse_id(prescription_id, "Prescription"))
    return JSONResponse(bundle, media_type="application/fhir+json")


@router.post(
    "/prescriptions/{prescription_id}/review",
    response_model=PrescriptionOut,
    response_model_exclude_unset=True,
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
) -> PrescriptionOut:
    result = context.prescriptions.review(
        user,
        parse_id(prescription_id, "Prescription"),
        action=review.action,
        reason=review.reason,
        address=address,
    )
    background.add_task(context.prescriptions.send_notice, result.notice)
    return result.prescription


@router.post(
    "/prescriptions/{prescription_id}/actions",
    response_model=PrescriptionOut,
    response_model_exclude_unset=True,
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
) -> PrescriptionOut:
    """Pharmacists approve, reject, ask a question and move an approved order through
    compounding to shipping; the prescriber answers a question or cancels their own.
    A step the current status does not allow answers 409 with the status now. A question,
    a rejection and a shipment are also mailed to the prescriber (the reference only)."""
    result = context.prescriptions.act(
        user,
        parse_id(prescription_id, "Prescription"),
        action=step.action,
        note=step.note,
        address=address,
        seen_steps=step.seen_steps,
        beyond_use=step.beyond_use(),
    )
    background.add_task(context.prescriptions.send_notice, result.notice)
    return result.prescription


@router.post(
    "/prescriptions/{prescription_id}/claim",
    response_model=ClaimOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
    summary="Claim a prescription for review, renew your claim, or take it over",
)
def claim_prescription(
    context: Context,
    user: PharmacistUser,
    prescription_id: str,
    address: ClientAddress,
    claim: ClaimRequest | None = None,
) -> ClaimOut:
    """Opening an order claims it for a few minutes (``PHARMACY_CLAIM_MINUTES``); the
    desk renews it while the order stays open. Another pharmacist's live claim answers
    409 ``prescription.claimed`` naming them, unless ``take_over`` (audited)."""
    return context.prescriptions.claim(
        user,
        parse_id(prescription_id, "Prescription"),
        take_over=claim.take_over if claim is not None else False,
        address=address,
    )


@router.delete(
    "/prescriptions/{prescription_id}/claim",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
    summary="Let go of your claim on a prescription",
)
def release_prescription_claim(
    context: Context, user: PharmacistUser, prescription_id: str
) -> Response:
    """Someone else's claim, or none, is left as it is: the answer is 204 either way."""
    context.prescriptions.release_claim(user, parse_id(prescription_id, "Prescription"))
    return Response(status_code=204)


@router.post(
    "/prescriptions/{prescription_id}/proposals",
    response_model=PrescriptionOut,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 409, 413, 422),
    summary="Ask the prescriber about one field, proposing a value",
)
def propose_change(
    context: Context,
    user: PharmacistUser,
    prescription_id: str,
    *,
    proposal: FieldProposalRequest,
    address: ClientAddress,
    background: BackgroundTasks,
) -> PrescriptionOut:
    """The ``request_clarification`` step with a proposed value for one field: the value is
    checked against the order's template (unit, range, choices), a refusal names the field."""
    result = context.prescriptions.versions.propose(
        user,
        parse_id(prescription_id, "Prescription"),
        field=proposal.field,
        value=proposal.value,
        message=proposal.message,
        seen_steps=proposal.seen_steps,
        address=address,
    )
    background.add_task(context.prescriptions.send_notice, result.notice)
    return result.prescription


@router.post(
    "/prescriptions/{prescription_id}/proposals/{proposal_id}/accept",
    response_model=PrescriptionOut,
    response_model_exclude_unset=True,
    responses=error_responses(401, 403, 404, 409, 413, 422),
    summary="Accept a proposed change: the order signed again as its next version",
)
def accept_proposed_change(
    context: Context,
    user: PrescriberUser,
    prescription_id: str,
    proposal_id: str,
    *,
    acceptance: AcceptProposalRequest,
    address: ClientAddress,
) -> PrescriptionOut:
    """The signing token is a step-up grant over ``signing_sha256`` of the latest content
    with the proposal applied (``pharmacy_domain.field_proposals.apply_proposal``). The
    checks run again; a block refuses it (422 with the findings). A retry of an accepted
    proposal answers the prescription as it is."""
    return context.prescriptions.versions.accept(
        user,
        parse_id(prescription_id, "Prescription"),
        parse_id(proposal_id, "Proposal"),
        signing_token=acceptance.signing_token,
        address=address,
    )


@router.get(
    "/prescriptions/{prescription_id}/versions",
    response_model=PrescriptionVersionsOut,
    responses=error_responses(401, 403, 404, 422),
    summary="Every version of a prescription and every proposed change",
)
def prescription_versions(
    context: Context, user: PrescriptionReader, prescription_id: str, address: ClientAddress
) -> PrescriptionVersionsOut:
    return context.prescriptions.versions.versions(
        user, parse_id(prescription_id, "Prescription"), address=address
    )
