"""Wire types of the published reference data and of the catalog editor (issue 12).

The formulary and rules come in the domain's own file form (``document``, ``rules``): the
client rebuilds them with ``pharmacy_domain`` exactly as the server did, so both check an
order with the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

VersionStatus = Literal["draft", "published", "retired"]


@dataclass(frozen=True)
class FormularyDocumentWire:
    SCHEMA: ClassVar[str] = "FormularyDocumentOut"

    version: int
    document: Mapping[str, Any]


@dataclass(frozen=True)
class RulesWire:
    SCHEMA: ClassVar[str] = "RulesOut"

    version: int
    rules: Mapping[str, Any]
    curves: Mapping[str, Any] | None


@dataclass(frozen=True)
class CatalogVersionWire:
    """One version of a template or of the formulary, with who drafted it and why."""

    SCHEMA: ClassVar[str] = "CatalogVersionOut"

    entity_id: str
    version: int
    status: VersionStatus
    content_sha256: str
    reason: str
    created_by: str
    created_at: str
    published_by: str | None
    published_at: str | None
    #: The signed-in user drafted it, so someone else must publish it.
    own: bool


@dataclass(frozen=True)
class CatalogVersionPage:
    SCHEMA: ClassVar[str] = "CatalogVersionList"

    items: tuple[CatalogVersionWire, ...]


@dataclass(frozen=True)
class CatalogEntityWire:
    SCHEMA: ClassVar[str] = "CatalogEntityOut"

    entity_id: str
    name: str
    versions: tuple[CatalogVersionWire, ...]


@dataclass(frozen=True)
class CatalogEntityPage:
    SCHEMA: ClassVar[str] = "CatalogEntityList"

    items: tuple[CatalogEntityWire, ...]


@dataclass(frozen=True)
class CatalogVersionContentWire:
    SCHEMA: ClassVar[str] = "CatalogVersionContentOut"

    version: CatalogVersionWire
    content: Mapping[str, Any]


CATALOG_WIRE_TYPES: tuple[type, ...] = (
    FormularyDocumentWire,
    RulesWire,
    CatalogVersionWire,
    CatalogVersionPage,
    CatalogEntityWire,
    CatalogEntityPage,
    CatalogVersionContentWire,
)
