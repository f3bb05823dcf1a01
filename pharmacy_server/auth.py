"""Login, bearer sessions and lockout. Every piece of state lives in the database,
so any number of server processes can share one PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update

from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.models import AuthSession, User
from pharmacy_server.security import Passwords, new_session_token, token_digest

log = logging.getLogger(__name__)

ROLES = ("prescriber", "clinic_staff", "pharmacist", "admin")
# Refreshing last-seen on every request would make every read a write.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class AuthenticatedUser:
    id: uuid.UUID
    username: str
    role: str
    display_name: str
    clinic_id: uuid.UUID
    clinic_name: str

    @classmethod
    def from_row(cls, user: User) -> AuthenticatedUser:
        return cls(
            id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name,
            clinic_id=user.clinic_id,
            clinic_name=user.clinic.name,
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "role": self.role,
            "display_name": self.display_name,
            "clinic": self.clinic_name,
        }


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: dt.datetime
    user: AuthenticatedUser

    def to_wire(self, idle_timeout: dt.timedelta) -> dict[str, Any]:
        return {
            "token": self.token,
            "expires_at": wire_time(self.expires_at),
            "idle_timeout_seconds": int(idle_timeout.total_seconds()),
            "user": self.user.to_wire(),
        }


class LoginFailed(Exception):
    """Wrong username, wrong password, locked or disabled: deliberately one error."""


class AuthService:
    def __init__(
        self, database: Database, settings: ServerSettings, passwords: Passwords, clock: Clock
    ) -> None:
        self._db = database
        self._settings = settings
        self._passwords = passwords
        self._clock = clock

    def login(self, username: str, password: str) -> LoginResult:
        with self._db.reading() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is not None:
                session.expunge(user)
        if user is None:
            self._passwords.verify_dummy(password)
            log.info("login refused: unknown account")
            raise LoginFailed
        # Verify even when locked or disabled, so timing tells nothing either.
        password_ok = self._passwords.verify(user.password_hash, password)
        now = self._clock()
        if user.locked_until is not None and user.locked_until > now:
            log.warning("login refused: account %s is locked", user.id)
            raise LoginFailed
        if not user.is_active:
            log.warning("login refused: account %s is disabled", user.id)
            raise LoginFailed
        if not password_ok:
            self._record_failure(user.id, now)
            raise LoginFailed
        return self._open_session(user, password, now)

    def _record_failure(self, user_id: uuid.UUID, now: dt.datetime) -> None:
        with self._db.writing() as session:
            session.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_login_count=User.failed_login_count + 1)
            )
            failures = session.scalar(select(User.failed_login_count).where(User.id == user_id))
            if failures is not None and failures >= self._settings.lockout_threshold:
                session.execute(
                    update(User)
                    .where(User.id == user_id)
                    .values(
                        failed_login_count=0, locked_until=now + self._settings.lockout_duration
                    )
                )
                log.warning(
                    "account %s locked for %d min after %d consecutive failed logins",
                    user_id,
                    self._settings.lockout_minutes,
                    failures,
                )
            else:
                log.info("login refused: wrong password for account %s", user_id)

    def _open_session(self, user: User, password: str, now: dt.datetime) -> LoginResult:
        token = new_session_token()
        expires_at = now + self._settings.absolute_timeout
        new_hash = (
            self._passwords.hash(password)
            if self._passwords.needs_rehash(user.password_hash)
            else None
        )
        with self._db.writing() as session:
            changes: dict[str, Any] = {"failed_login_count": 0, "locked_until": None}
            if new_hash is not None:
                changes["password_hash"] = new_hash
            session.execute(update(User).where(User.id == user.id).values(**changes))
            # Housekeeping: drop this user's dead sessions while we hold the write lock.
            session.execute(
                delete(AuthSession).where(
                    AuthSession.user_id == user.id,
                    or_(
                        AuthSession.expires_at <= now,
                        AuthSession.last_seen_at <= now - self._settings.idle_timeout,
                    ),
                )
            )
            session.add(
                AuthSession(
                    token_sha256=token_digest(token),
                    user_id=user.id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            )
        log.info("login: account %s", user.id)
        return LoginResult(token, expires_at, AuthenticatedUser.from_row(user))

    def authenticate(self, token: str) -> AuthenticatedUser | None:
        """The user behind a live token, or None for unknown, expired or idle tokens."""
        digest = token_digest(token)
        now = self._clock()
        with self._db.reading() as session:
            row = session.execute(
                select(AuthSession, User)
                .join(User, User.id == AuthSession.user_id)
                .where(AuthSession.token_sha256 == digest)
            ).first()
            if row is None:
                return None
            auth_session, user = row
            last_seen = auth_session.last_seen_at
            alive = (
                user.is_active
                and now < auth_session.expires_at
                and now - last_seen < self._settings.idle_timeout
            )
            authenticated = AuthenticatedUser.from_row(user) if alive else None
        if authenticated is not None and now - last_seen >= LAST_SEEN_RESOLUTION:
            with self._db.writing() as session:
                session.execute(
                    update(AuthSession)
                    .where(AuthSession.token_sha256 == digest, AuthSession.last_seen_at < now)
                    .values(last_seen_at=now)
                )
        return authenticated

    def logout(self, token: str) -> None:
        with self._db.writing() as session:
            session.execute(
                delete(AuthSession).where(AuthSession.token_sha256 == token_digest(token))
            )
