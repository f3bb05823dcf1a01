"""Favorite wire models. The content is the domain's order format
(``pharmacy_domain.favorites.FAVORITE_FIELDS``), checked by the service."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_domain.text_limits import MAX_CODE_LENGTH, MAX_FAVORITE_NAME_LENGTH
from pharmacy_server.clock import wire_time
from pharmacy_server.models import Favorite
from pharmacy_server.text_fields import OneLine

FavoriteName = Annotated[
    OneLine,
    Field(
        min_length=1,
        max_length=MAX_FAVORITE_NAME_LENGTH,
        description="Unique per prescriber and template (case and spaces ignored).",
    ),
]


class FavoriteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FavoriteName
    template_id: Annotated[OneLine, Field(min_length=1, max_length=MAX_CODE_LENGTH)]
    template_version: int = Field(ge=1, le=2**31 - 1)
    content: dict[str, Any] = Field(
        description="Ingredients, access, vehicle, infusion_minutes, lipid_infusion_hours: "
        "the order within the template's limits, never a patient."
    )


class FavoriteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: FavoriteName
    version: int = Field(ge=1, le=2**31 - 1, description="The version you renamed (409 if stale).")


class FavoriteOut(BaseModel):
    id: str
    name: str
    template_id: str
    template_version: int
    content: dict[str, Any]
    version: int
    created_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: Favorite) -> FavoriteOut:
        return cls(
            id=str(row.id),
            name=row.name,
            template_id=row.template_id,
            template_version=row.template_version,
            content=json.loads(row.content_json),
            version=row.version,
            created_at=wire_time(row.created_at),
            updated_at=wire_time(row.updated_at),
        )


class FavoriteList(BaseModel):
    items: list[FavoriteOut]
    total: int
    next_cursor: str | None
