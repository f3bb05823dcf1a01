"""Prescription templates and the formulary."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from pharmacy_server.catalog.schemas import FormularyOut, TemplateList
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
