"""Wire models every domain shares: the error body and its parts, the health answer.

Each domain's own request and response models live in its package (``auth.schemas``,
``prescriptions.schemas``, ...). Routes return these models and FastAPI validates what
leaves, so a model is the one place a response's shape is written down.
"""

from __future__ import annotations

from typing import Any, Literal

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


class HealthOut(BaseModel):
    status: Literal["ok"]


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``codes``."""
    return {code: {"model": ErrorBody} for code in codes}
