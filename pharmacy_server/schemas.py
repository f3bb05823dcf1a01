"""Wire models every domain shares: the error body and its parts, the health answer.

Each domain's own request and response models live in its package (``auth.schemas``,
``prescriptions.schemas``, ...). Routes return these models and FastAPI validates what
leaves, so a model is the one place a response's shape is written down.
"""

from __future__ import annotations

import uuid
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from pharmacy_domain.status import PrescriptionStatus


class FieldErrorOut(BaseModel):
    field: str = Field(examples=["patient.weight_kg"])
    reason: str = Field(examples=["must be at most 400 kg (got 900)"])


class FindingOut(BaseModel):
    """One result of the clinical check engine (``pharmacy_domain.engine.Finding``)."""

    code: str = Field(examples=["osmolarity.peripheral_limit"])
    severity: Literal["block", "warn", "info"]
    message: str
    field: str
    source: str
    to_confirm: bool = Field(description="The rule's number awaits the pharmacy's confirmation.")
    rule: str


class ErrorBody(BaseModel):
    """Every error the API returns has this shape; ``errors`` comes with 422. ``code`` is
    a stable reason for the errors a client must tell apart (``clinical.blocked``,
    ``clinical.unacknowledged``, ``signing.*``, ...); ``findings`` comes with the
    clinical ones."""

    detail: str
    code: str | None = None
    errors: list[FieldErrorOut] | None = None
    findings: list[FindingOut] | None = None
    status: PrescriptionStatus | None = Field(
        default=None, description="With a lifecycle 409: the prescription's status now."
    )
    retry_after_seconds: int | None = Field(
        default=None, description="With 401 ``auth.locked``: how long the lock lasts."
    )
    current_version: int | None = Field(
        default=None, description="With a stale-edit 409 of a record: its version now."
    )
    claimed_by: str | None = Field(
        default=None, description="With 409 ``prescription.claimed``: who is reviewing it."
    )
    claimed_since: str | None = Field(
        default=None, description="With 409 ``prescription.claimed``: since when (UTC)."
    )
    used_by: list[str] | None = Field(
        default=None,
        description="With 409 ``catalog.version_in_use``: prescription, favorite, draft.",
    )


#: The HTTP API's generation: raised only when a change would break existing clients,
#: which refuse a server whose version they do not know.
HTTP_API_VERSION: Final = 1
SERVICE_NAME: Final = "pharmacy-server"


class HealthOut(BaseModel):
    status: Literal["ok"]
    service: Literal["pharmacy-server"] = Field(
        description="Names this as a pharmacy server (not some other site at that address)."
    )
    api_version: int = Field(description="The HTTP API's generation (``HTTP_API_VERSION``).")
    version: str = Field(description="The server's release (the client's About shows it).")
    pharmacy_id: uuid.UUID | None = Field(
        default=None,
        description="The pharmacy's stable identity, the same from any address or port; "
        "null while the database cannot say. Clients name their local stores after it.",
    )
    pharmacy_name: str | None = Field(
        default=None, description="The pharmacy's name (``PHARMACY_NAME``); absent when unset."
    )


class ReadyOut(BaseModel):
    """``/readyz``: 200 ``ready`` once the database answers at the newest schema, else
    503 ``not_ready`` with the reason (no address, no key, no URL)."""

    status: Literal["ready", "not_ready"]
    detail: str = Field(examples=["the database schema is not at the newest migration"])


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``codes``."""
    return {code: {"model": ErrorBody} for code in codes}
