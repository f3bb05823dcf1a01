"""Template and formulary wire models (the content is the domain's own wire form)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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
