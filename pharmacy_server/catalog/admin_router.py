"""Pharmacists and admins draft, publish and delete template and formulary versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from pharmacy_server.catalog.published import FORMULARY, FORMULARY_ENTITY, TEMPLATE
from pharmacy_server.catalog.schemas import (
    CatalogEntityList,
    CatalogVersionContentOut,
    CatalogVersionOut,
    DraftVersionIn,
)
from pharmacy_server.deps import ClientAddress, Context, StaffUser
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1/admin", tags=["catalog editing"])

#: A version number the database's integer column can hold (a larger one is a 422).
VersionNumber = Annotated[int, Path(ge=1, le=2_000_000_000)]
TemplateId = Annotated[str, Path(max_length=100)]


@router.get("/templates", response_model=CatalogEntityList, responses=error_responses(401, 403))
def list_template_drafts(context: Context, user: StaffUser) -> CatalogEntityList:
    """Every template with all its versions, drafts included."""
    return context.catalog_versions.entities(user, TEMPLATE)


@router.get(
    "/templates/{template_id}/versions/{version}",
    response_model=CatalogVersionContentOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_template_draft(
    context: Context, user: StaffUser, template_id: TemplateId, version: VersionNumber
) -> CatalogVersionContentOut:
    return context.catalog_versions.content(user, TEMPLATE, template_id, version)


@router.post(
    "/templates/{template_id}/versions",
    status_code=201,
    response_model=CatalogVersionOut,
    # 404: a template id no route can carry (a control character in the path).
    responses=error_responses(401, 403, 404, 422),
)
def draft_template_version(
    context: Context,
    user: StaffUser,
    template_id: TemplateId,
    body: DraftVersionIn,
    address: ClientAddress,
) -> CatalogVersionOut:
    """The whole template as it should be, and why: stored as the next version, a draft."""
    return context.catalog_versions.draft(user, TEMPLATE, template_id, body, address)


@router.post(
    "/templates/{template_id}/versions/{version}/publish",
    response_model=CatalogVersionOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def publish_template_version(
    context: Context,
    user: StaffUser,
    template_id: TemplateId,
    version: VersionNumber,
    address: ClientAddress,
) -> CatalogVersionOut:
    """By someone other than its author (403 ``catalog.own_draft``)."""
    return context.catalog_versions.publish(user, TEMPLATE, template_id, version, address)


@router.delete(
    "/templates/{template_id}/versions/{version}",
    status_code=204,
    responses=error_responses(401, 403, 404, 409, 422),
)
def delete_template_version(
    context: Context,
    user: StaffUser,
    template_id: TemplateId,
    version: VersionNumber,
    address: ClientAddress,
) -> Response:
    """409 ``catalog.version_in_use`` while an order, favorite or draft names it."""
    context.catalog_versions.delete(user, TEMPLATE, template_id, version, address)
    return Response(status_code=204)


@router.get(
    "/formulary/versions", response_model=CatalogEntityList, responses=error_responses(401, 403)
)
def list_formulary_drafts(context: Context, user: StaffUser) -> CatalogEntityList:
    return context.catalog_versions.entities(user, FORMULARY)


@router.get(
    "/formulary/versions/{version}",
    response_model=CatalogVersionContentOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_formulary_draft(
    context: Context, user: StaffUser, version: VersionNumber
) -> CatalogVersionContentOut:
    return context.catalog_versions.content(user, FORMULARY, FORMULARY_ENTITY, version)


@router.post(
    "/formulary/versions",
    status_code=201,
    response_model=CatalogVersionOut,
    responses=error_responses(401, 403, 422),
)
def draft_formulary_version(
    context: Context, user: StaffUser, body: DraftVersionIn, address: ClientAddress
) -> CatalogVersionOut:
    """A formulary version is the whole document (every product and vehicle)."""
    return context.catalog_versions.draft(user, FORMULARY, FORMULARY_ENTITY, body, address)


@router.post(
    "/formulary/versions/{version}/publish",
    response_model=CatalogVersionOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def publish_formulary_version(
    context: Context, user: StaffUser, version: VersionNumber, address: ClientAddress
) -> CatalogVersionOut:
    return context.catalog_versions.publish(user, FORMULARY, FORMULARY_ENTITY, version, address)


@router.delete(
    "/formulary/versions/{version}",
    status_code=204,
    responses=error_responses(401, 403, 404, 409, 422),
)
def delete_formulary_version(
    context: Context, user: StaffUser, version: VersionNumber, address: ClientAddress
) -> Response:
    context.catalog_versions.delete(user, FORMULARY, FORMULARY_ENTITY, version, address)
    return Response(status_code=204)
