"""Template and formulary wire models (the content is the domain's own wire form)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TemplateList(BaseModel):
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None


class FormularyOut(BaseModel):
    version: int
    products: list[dict[str, Any]] = Field(
        description="Stock products: code, name, kind, measures (concentrations per mL), ..."
    )
    vehicles: list[dict[str, Any]]


class CatalogVersionOut(BaseModel):
    """One version of a template or of the formulary: its state, who drafted it and why,
    who published it."""

    entity_id: str = Field(description="The template's id, or 'formulary'.")
    version: int
    status: Literal["draft", "published", "retired"]
    content_sha256: str
    reason: str
    created_by: str = Field(description="The author's user name ('resources': the seed).")
    created_at: str
    published_by: str | None
    published_at: str | None
    #: True when the caller wrote it: they may not publish it themselves.
    own: bool


class CatalogVersionList(BaseModel):
    items: list[CatalogVersionOut]


class CatalogEntityOut(BaseModel):
    entity_id: str
    name: str = Field(description="The newest version's name.")
    versions: list[CatalogVersionOut]


class CatalogEntityList(BaseModel):
    items: list[CatalogEntityOut]


class CatalogVersionContentOut(BaseModel):
    version: CatalogVersionOut
    content: dict[str, Any] = Field(description="The domain's file form of this version.")


class DraftVersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: dict[str, Any] = Field(description="The whole template or formulary document.")
    reason: str = Field(min_length=3, max_length=500, description="Why this change.")


class RulesOut(BaseModel):
    version: int
    rules: dict[str, Any] = Field(description="The rule table in its file form.")
    curves: dict[str, Any] | None = Field(
        description="The calcium-phosphate curves file the rules name, when they name one."
    )


class FormularyDocumentOut(BaseModel):
    version: int
    document: dict[str, Any] = Field(
        description="The published formulary in its file form (pharmacy_domain.formulary)."
    )
