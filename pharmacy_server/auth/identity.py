"""Who is signed in, what a sign-in yields, and the session rows behind them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.client_agent import current_client_agent
from pharmacy_server.errors import Forbidden
from pharmacy_server.models import AuthSession, MfaChallenge, User
from pharmacy_server.security import token_digest

ROLES = ("prescriber", "clinic_staff", "pharmacist", "admin")
SIGNING_ROLES = frozenset({"prescriber"})


@dataclass(frozen=True)
class AuthenticatedUser:
    id: uuid.UUID
    username: str
    role: str
    display_name: str
    clinic_id: uuid.UUID
    clinic_name: str
    licence_expires_on: dt.date | None = None
    mfa_enrolled: bool = False

    @classmethod
    def from_row(cls, user: User) -> AuthenticatedUser:
        return cls(
            id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name,
            clinic_id=user.clinic_id,
            clinic_name=user.clinic.name,
            licence_expires_on=user.licence_expires_on,
            mfa_enrolled=user.totp_secret_sealed is not None,
        )


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: dt.datetime
    user: AuthenticatedUser


@dataclass(frozen=True)
class MfaRequired:
    mfa_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class SigningToken:
    token: str
    expires_at: dt.datetime


class LoginFailed(Exception):
    """Wrong username or password, locked or disabled: deliberately one error."""


def revoke_sessions(session: Session, user_id: uuid.UUID) -> None:
    """End every session of one account (disable, password or role change, lockout)."""
    session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
    session.execute(delete(MfaChallenge).where(MfaChallenge.user_id == user_id))


def open_session(
    session: Session,
    user: User,
    *,
    token: str,
    now: dt.datetime,
    expires_at: dt.datetime,
    address: str | None,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Store a new session (only the token's digest) and audit who opened it, and how."""
    session.add(
        AuthSession(
            token_sha256=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            client_address=None if address is None else address[:100],
            client_agent=current_client_agent.get() or None,
        )
    )
    audit.append(
        session,
        now=now,
        actor=Actor(user.id, user.role, address, user.username),
        action=action,
        outcome="success",
        target_type="user",
        target_id=user.id,
        details=details,
    )


def check_licence(
    user: AuthenticatedUser, today: dt.date, *, doing: str = "sign prescriptions"
) -> None:
    """A prescriber signs (or answers a clinical question) only with a current state
    licence on file."""
    expires = user.licence_expires_on
    if expires is None or expires < today:
        raise Forbidden(
            f"Your state licence has expired (or none is on file): you cannot {doing} "
            "until the pharmacy records a current one.",
            code="signing.licence_expired",
        )
