"""The checks around a password or code: per-address throttling, counting failures
toward the lockout, and accepting each TOTP code once."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_, select, update

from pharmacy_server import audit, ratelimit, totp
from pharmacy_server.audit import Actor
from pharmacy_server.auth.identity import revoke_sessions
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.errors import Locked, NotAuthenticated
from pharmacy_server.models import User
from pharmacy_server.security import Passwords, SecretBox

log = logging.getLogger(__name__)

LOGIN_FAILURE_BUCKET = "login-failure"

_CODE_REFUSALS = {
    "wrong_code": "That code is not right. Enter the code your authenticator shows for "
    "this portal now, and check that the phone sets its clock automatically.",
    "replayed_code": "That code was already used: each code works once. Wait for the "
    "authenticator to show the next one.",
    "challenge_expired": "The code step has expired. Enter your password again.",
}


def code_refused(reason: str) -> NotAuthenticated:
    """A refused TOTP code, after a right password: ``auth.<reason>`` says which kind."""
    return NotAuthenticated(_CODE_REFUSALS[reason], code=f"auth.{reason}")


def account_locked(locked_until: dt.datetime, now: dt.datetime) -> Locked:
    """Only for callers who proved the password (or hold a session): says how long."""
    seconds = max(1, int((locked_until - now).total_seconds()) + 1)
    minutes = max(1, round(seconds / 60))
    return Locked(
        "This account is locked after too many failed attempts. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}, or ask the pharmacy to unlock it.",
        retry_after=seconds,
    )


class SignInChecks:
    """Shared by sign-in, re-authentication and step-up."""

    def __init__(
        self, database: Database, settings: ServerSettings, passwords: Passwords, box: SecretBox
    ) -> None:
        self._db = database
        self._settings = settings
        self._passwords = passwords
        self._box = box

    def check_address(self, address: str | None, now: dt.datetime) -> None:
        if address is None:
            return
        with self._db.reading() as session:
            wait = ratelimit.check(
                session,
                bucket=LOGIN_FAILURE_BUCKET,
                key=address,
                limit=self._settings.address_failure_limit,
                window=self._settings.address_window,
                now=now,
            )
        if wait is not None:
            log.warning("sign-in refused: too many failures from one address")
            raise ratelimit.too_many(wait, "failed sign-ins")

    def totp_secret(self, user: User) -> bytes | None:
        if user.totp_secret_sealed is None:
            return None
        return self._box.open(user.totp_secret_sealed, str(user.id))

    def accept_code(self, user: User, code: str, now: dt.datetime) -> int | None:
        """The step of a fresh valid code, claimed atomically: a code is used once."""
        secret = self.totp_secret(user)
        if secret is None:
            return None
        step = totp.matching_step(secret, code, now, user.totp_last_step)
        if step is None:
            return None
        with self._db.writing() as session:
            claimed = session.execute(
                update(User)
                .where(
                    User.id == user.id,
                    or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step)
            )
        # A concurrent request with the same code got there first.
        return step if claimed.rowcount == 1 else None  # type: ignore[attr-defined]

    def is_replay(self, user: User, code: str, now: dt.datetime) -> bool:
        secret = self.totp_secret(user)
        return secret is not None and totp.matching_step(secret, code, now, None) is not None

    def rehash(self, user: User, password: str | None) -> str | None:
        if password is None or not self._passwords.needs_rehash(user.password_hash):
            return None
        return self._passwords.hash(password)

    def audit_only(
        self,
        user: User,
        address: str | None,
        now: dt.datetime,
        *,
        action: str,
        outcome: str,
        reason: str,
    ) -> None:
        with self._db.writing() as session:
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action=action,
                outcome=outcome,
                target_type="user",
                target_id=user.id,
                details={"reason": reason},
            )

    def record_failure(
        self,
        user: User | None,
        address: str | None,
        now: dt.datetime,
        *,
        action: str,
        reason: str,
    ) -> dt.datetime | None:
        """Count a failure against the account (lockout) and the address (throttle);
        when this failure locks the account, until when."""
        user_id = None if user is None else user.id
        with self._db.writing() as session:
            if address is not None:
                ratelimit.count(
                    session,
                    bucket=LOGIN_FAILURE_BUCKET,
                    key=address,
                    window=self._settings.address_window,
                    now=now,
                )
            actor = Actor(
                user_id,
                None if user is None else user.role,
                address,
                None if user is None else user.username,
            )
            audit.append(
                session,
                now=now,
                actor=actor,
                action=action,
                outcome="failure",
                target_type=None if user_id is None else "user",
                target_id=user_id,
                details={"reason": reason},
            )
            if user_id is None:
                return None
            session.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_login_count=User.failed_login_count + 1)
            )
            failures = session.scalar(select(User.failed_login_count).where(User.id == user_id))
            if failures is not None and failures >= self._settings.lockout_threshold:
                locked_until = now + self._settings.lockout_duration
                session.execute(
                    update(User)
                    .where(User.id == user_id)
                    .values(failed_login_count=0, locked_until=locked_until)
                )
                revoke_sessions(session, user_id)
                audit.append(
                    session,
                    now=now,
                    actor=actor,
                    action="auth.lockout",
                    outcome="locked",
                    target_type="user",
                    target_id=user_id,
                    details={
                        "failures": failures,
                        "minutes": self._settings.lockout_minutes,
                    },
                )
                log.warning(
                    "account %s locked for %d min after %d consecutive failed logins",
                    user_id,
                    self._settings.lockout_minutes,
                    failures,
                )
                return locked_until
            log.info("login refused: %s for account %s", reason.replace("_", " "), user_id)
            return None
