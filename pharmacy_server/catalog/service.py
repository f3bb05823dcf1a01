"""The template catalog, the formulary and the rules as published to every client."""

from __future__ import annotations

from typing import Any

from pharmacy_domain.resources import load_json
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server.catalog.published import PublishedCatalog
from pharmacy_server.catalog.schemas import (
    FormularyDocumentOut,
    FormularyOut,
    RulesOut,
    TemplateList,
)
from pharmacy_server.errors import NotFound


class CatalogService:
    def __init__(self, catalog: TemplateCatalog, published: PublishedCatalog, rules: Rules) -> None:
        self._catalog = catalog
        self._published = published
        self._rules = rules
        self._curves = _curves_of(rules)

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
        return FormularyOut.model_validate(self._published.snapshot().formulary.to_wire())

    def formulary_document(self) -> FormularyDocumentOut:
        """The published formulary in its file form, which ``formulary_from_dict`` reads
        back whole (allergy cross-terms and energy included): what clients evaluate with."""
        snapshot = self._published.snapshot()
        return FormularyDocumentOut(
            version=snapshot.formulary.version, document=dict(snapshot.formulary_document)
        )

    def rules(self) -> RulesOut:
        """The rule table is seeded from ``resources/rules.json`` and read-only here."""
        return RulesOut(
            version=self._rules.version, rules=dict(self._rules.raw), curves=self._curves
        )


def _curves_of(rules: Rules) -> dict[str, Any] | None:
    name = (rules.raw.get("calcium_phosphate") or {}).get("curves_file")
    if not name:
        return None
    curves = load_json(str(name))
    return curves if isinstance(curves, dict) else None
