"""``ApiClient``'s calls for the published formulary and rules and for the catalog
editor (``/api/v1/admin/templates``, ``/api/v1/admin/formulary``); each answer is parsed
into ``core.catalog_wire`` types here, at the boundary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from portal_client.core.calls import ApiCalls
from portal_client.core.catalog_wire import (
    CatalogEntityPage,
    CatalogVersionContentWire,
    CatalogVersionWire,
    FormularyDocumentWire,
    RulesWire,
)

#: What the editor edits: a template (by its id) or the whole formulary.
CatalogKind = Literal["template", "formulary"]


def _versions_path(kind: CatalogKind, entity_id: str) -> str:
    if kind == "formulary":
        return "/admin/formulary/versions"
    return f"/admin/templates/{entity_id}/versions"


class CatalogCalls:
    """Mixed into ``ApiClient``."""

    def published_formulary(self: ApiCalls) -> FormularyDocumentWire:
        return self.read(FormularyDocumentWire, "GET", "/formulary/document")

    def published_rules(self: ApiCalls) -> RulesWire:
        return self.read(RulesWire, "GET", "/rules")

    def catalog_entities(self: ApiCalls, kind: CatalogKind) -> CatalogEntityPage:
        """Every template (or the formulary) with all its versions, drafts included."""
        path = "/admin/templates" if kind == "template" else "/admin/formulary/versions"
        return self.read(CatalogEntityPage, "GET", path)

    def catalog_version(
        self: ApiCalls, kind: CatalogKind, entity_id: str, version: int
    ) -> CatalogVersionContentWire:
        return self.read(
            CatalogVersionContentWire, "GET", f"{_versions_path(kind, entity_id)}/{version}"
        )

    def draft_catalog_version(
        self: ApiCalls,
        kind: CatalogKind,
        entity_id: str,
        content: Mapping[str, Any],
        reason: str,
    ) -> CatalogVersionWire:
        """A new draft; ``ApiError`` 422 names every field that is wrong."""
        return self.read(
            CatalogVersionWire,
            "POST",
            _versions_path(kind, entity_id),
            json_body={"content": dict(content), "reason": reason},
        )

    def publish_catalog_version(
        self: ApiCalls, kind: CatalogKind, entity_id: str, version: int
    ) -> CatalogVersionWire:
        """``ApiError`` 403 ``catalog.own_draft`` when the caller drafted it."""
        return self.read(
            CatalogVersionWire, "POST", f"{_versions_path(kind, entity_id)}/{version}/publish"
        )

    def delete_catalog_version(
        self: ApiCalls, kind: CatalogKind, entity_id: str, version: int
    ) -> None:
        """``ApiError`` 409 ``catalog.version_in_use`` or ``catalog.version_current``."""
        self.request("DELETE", f"{_versions_path(kind, entity_id)}/{version}")
