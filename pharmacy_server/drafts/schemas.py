"""Draft wire models."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_server.clock import wire_time
from pharmacy_server.models import Draft, User


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prescriber_id: str | None = Field(
        default=None, description="Clinic staff: the prescriber of your clinic it is for."
    )
    body: dict[str, Any]


class DraftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: dict[str, Any]
    version: int = Field(ge=1, le=2**31 - 1, description="The version you edited (409 if stale).")


class PersonOut(BaseModel):
    id: str
    display_name: str

    @classmethod
    def of(cls, people: Mapping[uuid.UUID, User], user_id: uuid.UUID) -> PersonOut:
        user = people.get(user_id)
        # Accounts are deactivated, never deleted; the fallback only guards a broken row.
        return cls(id=str(user_id), display_name=user.display_name if user else "Unknown user")


class DraftOut(BaseModel):
    id: str
    prescriber_id: str
    prescriber: PersonOut = Field(description="Who it is for (from the account).")
    created_by: PersonOut = Field(description="Who first saved it (from the session).")
    updated_by: PersonOut = Field(description="Who saved it last (from the session).")
    body: dict[str, Any]
    version: int
    created_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: Draft, people: Mapping[uuid.UUID, User]) -> DraftOut:
        """Who a draft is for and who wrote it come from the accounts, never from the body."""
        return cls(
            id=str(row.id),
            prescriber_id=str(row.prescriber_id),
            prescriber=PersonOut.of(people, row.prescriber_id),
            created_by=PersonOut.of(people, row.created_by_id),
            updated_by=PersonOut.of(people, row.updated_by_id),
            body=json.loads(row.body_json),
            version=row.version,
            created_at=wire_time(row.created_at),
            updated_at=wire_time(row.updated_at),
        )


class DraftList(BaseModel):
    items: list[DraftOut]
    total: int
    next_cursor: str | None


class ClinicPrescriberList(BaseModel):
    items: list[PersonOut]
    total: int
    next_cursor: str | None
