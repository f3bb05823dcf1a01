"""Account-request review, account administration and audit-trail wire models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_domain.text_limits import MAX_NOTE_LENGTH
from pharmacy_server.clock import wire_time
from pharmacy_server.models import AccountRequest, User
from pharmacy_server.text_fields import IsoDate, MultiLine


class AccountRequestOut(BaseModel):
    id: str
    status: Literal["pending", "approved", "rejected"]
    username: str
    display_name: str
    email: str
    clinic: str
    role: str
    npi: str | None
    licence_number: str | None
    licence_state: str | None
    licence_expires_on: str | None
    dea_number: str | None
    created_at: str
    decided_at: str | None
    decision_reason: str | None
    user_id: str | None

    @classmethod
    def from_row(cls, row: AccountRequest) -> AccountRequestOut:
        expires = row.licence_expires_on
        return cls(
            id=str(row.id),
            status=row.status,  # type: ignore[arg-type]  # validated against the Literal
            username=row.username,
            display_name=row.display_name,
            email=row.email,
            clinic=row.clinic_name,
            role=row.role,
            npi=row.npi,
            licence_number=row.licence_number,
            licence_state=row.licence_state,
            licence_expires_on=None if expires is None else expires.isoformat(),
            dea_number=row.dea_number,
            created_at=wire_time(row.created_at),
            decided_at=None if row.decided_at is None else wire_time(row.decided_at),
            decision_reason=row.decision_reason,
            user_id=None if row.user_id is None else str(row.user_id),
        )


class AccountRequestList(BaseModel):
    items: list[AccountRequestOut]
    total: int
    next_cursor: str | None


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: MultiLine = Field(min_length=1, max_length=MAX_NOTE_LENGTH, pattern=r"\S")


class AdminUserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    clinic: str
    email: str | None
    is_active: bool
    mfa_enrolled: bool
    locked_until: str | None
    npi: str | None
    licence_number: str | None
    licence_state: str | None
    licence_expires_on: str | None
    dea_number: str | None
    created_at: str

    @classmethod
    def from_row(cls, row: User) -> AdminUserOut:
        expires = row.licence_expires_on
        return cls(
            id=str(row.id),
            username=row.username,
            display_name=row.display_name,
            role=row.role,
            clinic=row.clinic.name,
            email=row.email,
            is_active=row.is_active,
            mfa_enrolled=row.totp_secret_sealed is not None,
            locked_until=None if row.locked_until is None else wire_time(row.locked_until),
            npi=row.npi,
            licence_number=row.licence_number,
            licence_state=row.licence_state,
            licence_expires_on=None if expires is None else expires.isoformat(),
            dea_number=row.dea_number,
            created_at=wire_time(row.created_at),
        )


class AdminUserList(BaseModel):
    items: list[AdminUserOut]
    total: int
    next_cursor: str | None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["prescriber", "clinic_staff", "pharmacist", "admin"] | None = None
    is_active: bool | None = None
    licence_expires_on: IsoDate | None = None


class AuditEventOut(BaseModel):
    """One link of the chain, read through ``pharmacy_server.audit`` (which owns the
    hashed fields)."""

    seq: int
    occurred_at: str
    actor_id: str | None
    actor_role: str | None
    action: str
    outcome: str
    target_type: str | None
    target_id: str | None
    client_address: str | None
    details: dict[str, Any]
    # After the hashed fields, as pharmacy_server.audit writes it.
    actor_username: str | None = Field(
        description="The account's username; null when anonymous or older."
    )
    prev_hash: str
    hash: str
    hash_form: str = Field(
        default="sorted-json",
        description="The canonical JSON the hash covers: rfc8785, or sorted-json before it.",
    )
    # Read-time labels, outside the hashed fields: what an admin reads instead of ids.
    actor_name: str | None = Field(
        default=None, description="The actor's display name now; null when anonymous or gone."
    )
    target_label: str | None = Field(
        default=None,
        description="A prescription's reference (RX-…), or the username of an account or "
        "an account request; null for other targets.",
    )


class AuditList(BaseModel):
    items: list[AuditEventOut]
    total: int
    next_cursor: str | None


class SessionOut(BaseModel):
    """One live session of an account. ``id`` names it for ending it; it is derived from
    the token's digest and opens nothing."""

    id: str
    created_at: str
    last_seen_at: str
    expires_at: str
    client_address: str | None
    client: str | None = Field(description="The User-Agent that opened it, if it sent one.")


class SessionList(BaseModel):
    items: list[SessionOut]
    total: int
    next_cursor: str | None


class SessionsEnded(BaseModel):
    ended: int
