"""Prescription templates and the formulary."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from pharmacy_server.catalog.published import FORMULARY, FORMULARY_ENTITY, TEMPLATE
from pharmacy_server.catalog.schemas import (
    CatalogVersionList,
    FormularyDocumentOut,
    FormularyOut,
    RulesOut,
    TemplateList,
)
from pharmacy_server.deps import Context, CurrentUser
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1", tags=["templates"])


@router.get("/templates", response_model=TemplateList, responses=error_responses(401))
def list_templates(context: Context, _user: CurrentUser) -> TemplateList:
    return context.catalog_service.latest_templates()


@router.get(
    "/templates/{template_id}/versions/{version}",
    responses={200: {"content": {"application/json": {}}}, **error_responses(401, 404, 422)},
)
def get_template_version(
    context: Context, _user: CurrentUser, template_id: str, version: int
) -> JSONResponse:
    return JSONResponse(context.catalog_service.template_version(template_id, version))


@router.get("/formulary", response_model=FormularyOut, responses=error_responses(401))
def get_formulary(context: Context, _user: CurrentUser) -> FormularyOut:
    return context.catalog_service.formulary()


@router.get(
    "/templates/{template_id}/versions",
    response_model=CatalogVersionList,
    responses=error_responses(401, 404, 422),
)
def list_template_versions(
    context: Context, user: CurrentUser, template_id: str
) -> CatalogVersionList:
    """Prescribers see the published and retired versions; pharmacists and admins drafts too."""
    return context.catalog_versions.versions(user, TEMPLATE, template_id)


@router.get(
    "/formulary/versions",
    response_model=CatalogVersionList,
    responses=error_responses(401),
)
def list_formulary_versions(context: Context, user: CurrentUser) -> CatalogVersionList:
    return context.catalog_versions.versions(user, FORMULARY, FORMULARY_ENTITY)


@router.get(
    "/formulary/document",
    response_model=FormularyDocumentOut,
    responses=error_responses(401),
)
def get_formulary_document(context: Context, _user: CurrentUser) -> FormularyDocumentOut:
    """The published formulary whole, in its file form: what a client checks orders with."""
    return context.catalog_service.formulary_document()


@router.get("/rules", response_model=RulesOut, responses=error_responses(401))
def get_rules(context: Context, _user: CurrentUser) -> RulesOut:
    return context.catalog_service.rules()
