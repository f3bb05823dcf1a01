"""Drafts that clinic staff prepare for a prescriber, and whom they can prepare them for."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from pharmacy_domain.prescription import FieldError
from pharmacy_server.deps import CURSOR, LIMIT, Context, DraftingUser, parse_id
from pharmacy_server.drafts.schemas import (
    ClinicPrescriberList,
    DraftIn,
    DraftList,
    DraftOut,
    DraftUpdate,
)
from pharmacy_server.errors import Invalid
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1", tags=["drafts"])


@router.post(
    "/drafts",
    status_code=201,
    response_model=DraftOut,
    responses=error_responses(401, 403, 413, 422),
)
def create_draft(context: Context, user: DraftingUser, draft: DraftIn) -> DraftOut:
    prescriber_id = None
    if draft.prescriber_id is not None:
        try:
            prescriber_id = uuid.UUID(draft.prescriber_id)
        except ValueError:
            raise Invalid(
                "Drafts are for a prescriber of your clinic.",
                [FieldError("prescriber_id", "is not a user id")],
            ) from None
    return context.drafts.create(user, prescriber_id=prescriber_id, body=draft.body)


@router.get("/drafts", response_model=DraftList, responses=error_responses(401, 403, 422))
def list_drafts(
    context: Context,
    user: DraftingUser,
    limit: LIMIT = DEFAULT_PAGE_SIZE,
    cursor: CURSOR = None,
) -> DraftList:
    return context.drafts.list(user, limit=limit, cursor=cursor)


@router.get(
    "/drafts/{draft_id}",
    response_model=DraftOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_draft(context: Context, user: DraftingUser, draft_id: str) -> DraftOut:
    return context.drafts.get(user, parse_id(draft_id, "Draft"))


@router.put(
    "/drafts/{draft_id}",
    response_model=DraftOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def update_draft(
    context: Context, user: DraftingUser, draft_id: str, draft: DraftUpdate
) -> DraftOut:
    return context.drafts.update(
        user, parse_id(draft_id, "Draft"), body=draft.body, version=draft.version
    )


@router.delete(
    "/drafts/{draft_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
)
def delete_draft(context: Context, user: DraftingUser, draft_id: str) -> Response:
    context.drafts.delete(user, parse_id(draft_id, "Draft"))
    return Response(status_code=204)


@router.get(
    "/clinic/prescribers",
    response_model=ClinicPrescriberList,
    responses=error_responses(401, 403),
)
def list_clinic_prescribers(context: Context, user: DraftingUser) -> ClinicPrescriberList:
    """The active prescribers of the caller's clinic (whom clinic staff prepare drafts
    for). Prescribers and clinic staff only; pharmacy staff get 403."""
    return context.drafts.clinic_prescribers(user)
