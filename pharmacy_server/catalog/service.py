"""The template catalog and the formulary, read once at start-up."""

from __future__ import annotations

from typing import Any

from pharmacy_domain.formulary import Formulary
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server.catalog.schemas import FormularyOut, TemplateList
from pharmacy_server.errors import NotFound


class CatalogService:
    def __init__(self, catalog: TemplateCatalog, formulary: Formulary) -> None:
        self._catalog = catalog
        self._formulary = formulary

    def latest_templates(self) -> TemplateList:
        items = [template.to_wire() for template in self._catalog.latest()]
        return TemplateList(items=items, total=len(items), next_cursor=None)

    def template_version(self, template_id: str, version: int) -> dict[str, Any]:
        """One version as the domain writes it (clients parse it with the domain's code)."""
        template = self._catalog.get(template_id, version)
        if template is None:
            raise NotFound("Template version")
        return template.to_wire()

    def formulary(self) -> FormularyOut:
        return FormularyOut.model_validate(self._formulary.to_wire())
