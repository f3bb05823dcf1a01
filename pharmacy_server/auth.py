"""Sign-in (password, then TOTP), bearer sessions, lockout, step-up signing grants and
password changes. Every piece of state lives in the database, so any number of server
processes can share one PostgreSQL.

Sign-in is two requests for an account with TOTP: ``login`` checks the password and
answers ``{"mfa_required": true, "mfa_token"}``; ``login_otp`` takes that token and a
code and opens the session. Demo accounts sign in with the password alone, and only
while the server runs in demo mode.

The password step never says why it failed (unknown user, wrong password, locked and
disabled read alike). The code step does: its caller already proved the password, so
"wrong code", "code already used", "the code step expired" and "locked, wait N minutes"
tell an attacker nothing new and tell the user what to do.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from pharmacy_domain.prescription import FieldError
from pharmacy_server import audit, ratelimit, totp
from pharmacy_server.audit import Actor
from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.errors import ApiError, forbidden, invalid
from pharmacy_server.models import AuthSession, MfaChallenge, SigningGrant, User
from pharmacy_server.password_policy import password_problems
from pharmacy_server.security import Passwords, SecretBox, new_session_token, token_digest

log = logging.getLogger(__name__)

ROLES = ("prescriber", "clinic_staff", "pharmacist", "admin")
SIGNING_ROLES = frozenset({"prescriber"})
# Refreshing last-seen on every request would make every read a write.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)
LOGIN_FAILURE_BUCKET = "login-failure"


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

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "role": self.role,
            "display_name": self.display_name,
            "clinic": self.clinic_name,
            "licence_expires_on": None
            if self.licence_expires_on is None
            else self.licence_expires_on.isoformat(),
            "mfa_enrolled": self.mfa_enrolled,
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


@dataclass(frozen=True)
class MfaRequired:
    mfa_token: str
    expires_at: dt.datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "mfa_required": True,
            "mfa_token": self.mfa_token,
            "expires_at": wire_time(self.expires_at),
        }


@dataclass(frozen=True)
class SigningToken:
    token: str
    expires_at: dt.datetime

    def to_wire(self) -> dict[str, Any]:
        return {"signing_token": self.token, "expires_at": wire_time(self.expires_at)}


class LoginFailed(Exception):
    """Wrong username or password, locked or disabled: deliberately one error."""


_CODE_REFUSALS = {
    "wrong_code": "That code is not right. Enter the code your authenticator shows for "
    "this portal now, and check that the phone sets its clock automatically.",
    "replayed_code": "That code was already used: each code works once. Wait for the "
    "authenticator to show the next one.",
    "challenge_expired": "The code step has expired. Enter your password again.",
}


def code_refused(reason: str) -> ApiError:
    """A refused TOTP code, after a right password: ``auth.<reason>`` says which kind."""
    return ApiError(401, _CODE_REFUSALS[reason], code=f"auth.{reason}")


def account_locked(locked_until: dt.datetime, now: dt.datetime) -> ApiError:
    """Only for callers who proved the password (or hold a session): says how long."""
    seconds = max(1, int((locked_until - now).total_seconds()) + 1)
    minutes = max(1, round(seconds / 60))
    return ApiError(
        401,
        "This account is locked after too many failed attempts. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}, or ask the pharmacy to unlock it.",
        code="auth.locked",
        headers={"Retry-After": str(seconds)},
        extra={"retry_after_seconds": seconds},
    )


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


class AuthService:
    def __init__(
        self,
        database: Database,
        settings: ServerSettings,
        passwords: Passwords,
        clock: Clock,
        secret_box: SecretBox,
    ) -> None:
        self._db = database
        self._settings = settings
        self._passwords = passwords
        self._clock = clock
        self._box = secret_box

    @property
    def passwords(self) -> Passwords:
        return self._passwords

    @property
    def secret_box(self) -> SecretBox:
        return self._box

    # ------------------------------------------------------------ sign-in

    def _check_address(self, address: str | None, now: dt.datetime) -> None:
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

    def login(self, username: str, password: str, address: str | None) -> LoginResult | MfaRequired:
        now = self._clock()
        self._check_address(address, now)
        with self._db.reading() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is not None:
                session.expunge(user)
        if user is None:
            self._passwords.verify_dummy(password)
            log.info("login refused: unknown account")
            self._record_failure(None, address, now, action="auth.login", reason="unknown_account")
            raise LoginFailed
        # Verify even when locked or disabled, so timing tells nothing either.
        password_ok = self._passwords.verify(user.password_hash, password)
        refusal = self._refusal(user, now)
        if refusal is not None:
            self._audit_only(
                user, address, now, action="auth.login", outcome="failure", reason=refusal
            )
            raise LoginFailed
        if not password_ok:
            self._record_failure(user, address, now, action="auth.login", reason="wrong_password")
            raise LoginFailed
        if user.totp_secret_sealed is not None:
            return self._challenge(user, password, address, now)
        if not (self._settings.demo_mode and user.is_demo):
            # Pharmacy staff and prescribers must enroll TOTP; only demo accounts are
            # exempt, and only in demo mode.
            log.warning("login refused: account %s has no second factor", user.id)
            self._audit_only(
                user,
                address,
                now,
                action="auth.login",
                outcome="failure",
                reason="mfa_not_enrolled",
            )
            raise LoginFailed
        return self._open_session(user, password, address, now, method="password")

    def _refusal(self, user: User, now: dt.datetime) -> str | None:
        if user.locked_until is not None and user.locked_until > now:
            log.warning("login refused: account %s is locked", user.id)
            return "locked"
        if not user.is_active:
            log.warning("login refused: account %s is disabled", user.id)
            return "disabled"
        return None

    def _challenge(
        self, user: User, password: str, address: str | None, now: dt.datetime
    ) -> MfaRequired:
        token = new_session_token()
        expires_at = now + self._settings.mfa_challenge_lifetime
        new_hash = self._rehash(user, password)
        with self._db.writing() as session:
            changes: dict[str, Any] = {}
            if new_hash is not None:
                changes["password_hash"] = new_hash
            if changes:
                session.execute(update(User).where(User.id == user.id).values(**changes))
            session.execute(
                delete(MfaChallenge).where(
                    MfaChallenge.user_id == user.id, MfaChallenge.expires_at <= now
                )
            )
            session.add(
                MfaChallenge(
                    token_sha256=token_digest(token), user_id=user.id, expires_at=expires_at
                )
            )
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action="auth.login",
                outcome="mfa_required",
                target_type="user",
                target_id=user.id,
            )
        log.info("login: password accepted for account %s; waiting for its TOTP code", user.id)
        return MfaRequired(token, expires_at)

    def login_otp(self, mfa_token: str, code: str, address: str | None) -> LoginResult:
        now = self._clock()
        self._check_address(address, now)
        with self._db.reading() as session:
            row = session.execute(
                select(MfaChallenge, User)
                .join(User, User.id == MfaChallenge.user_id)
                .where(MfaChallenge.token_sha256 == token_digest(mfa_token))
            ).first()
            if row is not None:
                session.expunge_all()
        if row is None or row[0].expires_at <= now:
            # The token is unguessable, so an unknown one is a challenge that was used,
            # ended (lockout, password change) or cleaned away: the same advice for all.
            reason = "unknown_challenge" if row is None else "expired_challenge"
            self._record_failure(None, address, now, action="auth.mfa", reason=reason)
            raise code_refused("challenge_expired")
        challenge, user = row
        refusal = self._refusal(user, now)
        if refusal is not None:
            self._audit_only(
                user, address, now, action="auth.mfa", outcome="failure", reason=refusal
            )
            if refusal == "locked" and user.locked_until is not None:
                raise account_locked(user.locked_until, now)
            raise LoginFailed
        step = self._accept_code(user, code, now)
        if step is None:
            reason = "replayed_code" if self._is_replay(user, code, now) else "wrong_code"
            locked_until = self._record_failure(
                user, address, now, action="auth.mfa", reason=reason
            )
            if locked_until is not None:
                raise account_locked(locked_until, now)
            raise code_refused(reason)
        with self._db.writing() as session:
            session.execute(
                delete(MfaChallenge).where(MfaChallenge.token_sha256 == challenge.token_sha256)
            )
        return self._open_session(user, None, address, now, method="totp")

    def _totp_secret(self, user: User) -> bytes | None:
        if user.totp_secret_sealed is None:
            return None
        return self._box.open(user.totp_secret_sealed, str(user.id))

    def _accept_code(self, user: User, code: str, now: dt.datetime) -> int | None:
        """The step of a fresh valid code, claimed atomically: a code is used once."""
        secret = self._totp_secret(user)
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

    def _is_replay(self, user: User, code: str, now: dt.datetime) -> bool:
        secret = self._totp_secret(user)
        return secret is not None and totp.matching_step(secret, code, now, None) is not None

    def _rehash(self, user: User, password: str | None) -> str | None:
        if password is None or not self._passwords.needs_rehash(user.password_hash):
            return None
        return self._passwords.hash(password)

    def _audit_only(
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

    def _record_failure(
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

    def _open_session(
        self,
        user: User,
        password: str | None,
        address: str | None,
        now: dt.datetime,
        *,
        method: str,
    ) -> LoginResult:
        token = new_session_token()
        expires_at = now + self._settings.absolute_timeout
        new_hash = self._rehash(user, password)
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
            open_session(
                session,
                user,
                token=token,
                now=now,
                expires_at=expires_at,
                address=address,
                action="auth.login",
                details={"method": method},
            )
        log.info("login: account %s", user.id)
        return LoginResult(token, expires_at, AuthenticatedUser.from_row(user))

    # ------------------------------------------------------------ sessions

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

    def logout(self, user: AuthenticatedUser, token: str, address: str | None) -> None:
        now = self._clock()
        with self._db.writing() as session:
            session.execute(
                delete(AuthSession).where(AuthSession.token_sha256 == token_digest(token))
            )
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action="auth.logout",
                outcome="success",
                target_type="user",
                target_id=user.id,
            )

    # ------------------------------------------------------------ re-authentication

    def _verify_second_time(
        self,
        user: AuthenticatedUser,
        *,
        password: str | None,
        otp: str | None,
        address: str | None,
        action: str,
        say_locked: bool = False,
    ) -> str:
        """Check the password or a fresh TOTP code of a signed-in user; the method used.
        Failures count toward the lockout like failed sign-ins. ``say_locked``: the failure
        that locks the account answers 401 ``auth.locked`` (how long) instead of 403."""
        now = self._clock()
        self._check_address(address, now)
        with self._db.reading() as session:
            row = session.get(User, user.id)
            if row is None:
                raise LoginFailed
            session.expunge(row)
        if otp is not None:
            ok = self._accept_code(row, otp, now) is not None
            method = "totp"
            reason = "replayed_code" if not ok and self._is_replay(row, otp, now) else "wrong_code"
        elif password is not None:
            ok = self._passwords.verify(row.password_hash, password)
            method, reason = "password", "wrong_password"
        else:
            raise invalid(
                "Give the password or a TOTP code.",
                [FieldError("password", "or otp is required")],
            )
        if not ok:
            locked_until = self._record_failure(row, address, now, action=action, reason=reason)
            if say_locked and locked_until is not None:
                # This failure locked the account and ended its sessions, this one too.
                raise account_locked(locked_until, now)
            raise ApiError(
                403,
                "The password or code is not correct.",
                code="auth.reauthentication_failed",
            )
        return method

    def reauthenticate(
        self, user: AuthenticatedUser, token: str, *, password: str, address: str | None
    ) -> None:
        """Unlock an idle-locked workstation: the password again, within the live session.

        Password only, for TOTP accounts too: the session (opened with the second factor)
        is still alive, and the lock guards the screen, not a new sign-in. Success counts
        as activity (the session's idle time starts again); failures count toward the
        lockout like failed sign-ins.
        """
        self._verify_second_time(
            user,
            password=password,
            otp=None,
            address=address,
            action="auth.reauthenticate",
            say_locked=True,
        )
        now = self._clock()
        with self._db.writing() as session:
            refreshed = session.execute(
                update(AuthSession)
                .where(AuthSession.token_sha256 == token_digest(token))
                .values(last_seen_at=now)
            )
            if refreshed.rowcount != 1:  # type: ignore[attr-defined]
                # Ended meanwhile (signed out or revoked elsewhere): sign in again.
                raise ApiError(401, "Your session has ended. Sign in again.")
            # The password was right: earlier mistypes no longer count, as after a sign-in.
            session.execute(update(User).where(User.id == user.id).values(failed_login_count=0))
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action="auth.reauthenticate",
                outcome="success",
                target_type="user",
                target_id=user.id,
                details={"method": "password"},
            )

    def step_up(
        self,
        user: AuthenticatedUser,
        *,
        password: str | None,
        otp: str | None,
        content_sha256: str,
        address: str | None,
    ) -> SigningToken:
        """Signing: the prescriber proves it is them again, for one body hash."""
        if user.role not in SIGNING_ROLES:
            raise ApiError(
                403, "Only prescribers can sign prescriptions.", code="signing.not_allowed"
            )
        now = self._clock()
        check_licence(user, now.date())
        method = self._verify_second_time(
            user, password=password, otp=otp, address=address, action="auth.step_up"
        )
        token = new_session_token()
        expires_at = now + self._settings.signing_token_lifetime
        with self._db.writing() as session:
            session.add(
                SigningGrant(
                    token_sha256=token_digest(token),
                    user_id=user.id,
                    body_sha256=content_sha256,
                    method=method,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action="auth.step_up",
                outcome="success",
                target_type="user",
                target_id=user.id,
                details={"method": method, "body_sha256": content_sha256},
            )
        return SigningToken(token, expires_at)

    def change_password(
        self,
        user: AuthenticatedUser,
        *,
        current_password: str,
        new_password: str,
        address: str | None,
    ) -> None:
        """A new password ends every session of the account, this one included."""
        self._verify_second_time(
            user, password=current_password, otp=None, address=address, action="auth.password"
        )
        problems = password_problems(
            new_password, username=user.username, display_name=user.display_name
        )
        if problems:
            raise invalid(
                "The new password is not acceptable.",
                [FieldError("new_password", problem.reason) for problem in problems],
            )
        new_hash = self._passwords.hash(new_password)
        now = self._clock()
        with self._db.writing() as session:
            session.execute(
                update(User)
                .where(User.id == user.id)
                .values(password_hash=new_hash, password_changed_at=now)
            )
            revoke_sessions(session, user.id)
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action="account.password_change",
                outcome="success",
                target_type="user",
                target_id=user.id,
            )
        log.info("password changed for account %s; its sessions are revoked", user.id)


def check_licence(
    user: AuthenticatedUser, today: dt.date, *, doing: str = "sign prescriptions"
) -> None:
    """A prescriber signs (or answers a clinical question) only with a current state
    licence on file."""
    expires = user.licence_expires_on
    if expires is None or expires < today:
        raise forbidden_with_code(
            f"Your state licence has expired (or none is on file): you cannot {doing} "
            "until the pharmacy records a current one.",
            "signing.licence_expired",
        )


def forbidden_with_code(detail: str, code: str) -> ApiError:
    error = forbidden(detail)
    error.code = code
    return error
