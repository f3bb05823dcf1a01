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
from typing import Any

from sqlalchemy import delete, or_, select, update

from pharmacy_domain.prescription import FieldError
from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.auth.attempts import SignInChecks, account_locked, code_refused
from pharmacy_server.auth.identity import (
    SIGNING_ROLES,
    AuthenticatedUser,
    LoginFailed,
    LoginResult,
    MfaRequired,
    SigningToken,
    check_licence,
    open_session,
    revoke_sessions,
)
from pharmacy_server.clock import Clock
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.errors import Forbidden, Invalid, NotAuthenticated
from pharmacy_server.models import AuthSession, MfaChallenge, SigningGrant, User
from pharmacy_server.password_policy import password_problems
from pharmacy_server.security import (
    Passwords,
    SecretBox,
    Urgency,
    new_session_token,
    token_digest,
)

log = logging.getLogger(__name__)

# Refreshing last-seen on every request would make every read a write.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)


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
        self._checks = SignInChecks(database, settings, passwords, secret_box)

    @property
    def passwords(self) -> Passwords:
        return self._passwords

    @property
    def secret_box(self) -> SecretBox:
        return self._box

    # ------------------------------------------------------------ sign-in

    def login(self, username: str, password: str, address: str | None) -> LoginResult | MfaRequired:
        now = self._clock()
        self._checks.check_address(address, now)
        with self._db.reading() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is not None:
                session.expunge(user)
        if user is None:
            self._passwords.verify_dummy(password, key=f"address:{address or ''}")
            log.info("login refused: unknown account")
            self._checks.record_failure(
                None, address, now, action="auth.login", reason="unknown_account"
            )
            raise LoginFailed
        # Verify even when locked or disabled, so timing tells nothing either.
        password_ok = self._passwords.verify(user.password_hash, password, key=f"user:{user.id}")
        refusal = self._refusal(user, now)
        if refusal is not None:
            self._checks.audit_only(
                user, address, now, action="auth.login", outcome="failure", reason=refusal
            )
            raise LoginFailed
        if not password_ok:
            self._checks.record_failure(
                user, address, now, action="auth.login", reason="wrong_password"
            )
            raise LoginFailed
        if user.totp_secret_sealed is not None:
            return self._challenge(user, password, address, now)
        if not (self._settings.demo_mode and user.is_demo):
            # Pharmacy staff and prescribers must enroll TOTP; only demo accounts are
            # exempt, and only in demo mode.
            log.warning("login refused: account %s has no second factor", user.id)
            self._checks.audit_only(
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
        new_hash = self._checks.rehash(user, password)
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
        self._checks.check_address(address, now)
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
            self._checks.record_failure(None, address, now, action="auth.mfa", reason=reason)
            raise code_refused("challenge_expired")
        challenge, user = row
        refusal = self._refusal(user, now)
        if refusal is not None:
            self._checks.audit_only(
                user, address, now, action="auth.mfa", outcome="failure", reason=refusal
            )
            if refusal == "locked" and user.locked_until is not None:
                raise account_locked(user.locked_until, now)
            raise LoginFailed
        step = self._checks.accept_code(user, code, now)
        if step is None:
            reason = "replayed_code" if self._checks.is_replay(user, code, now) else "wrong_code"
            locked_until = self._checks.record_failure(
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
        new_hash = self._checks.rehash(user, password)
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
        that locks the account raises ``Locked`` (how long) instead of ``Forbidden``."""
        now = self._clock()
        self._checks.check_address(address, now)
        with self._db.reading() as session:
            row = session.get(User, user.id)
            if row is None:
                raise LoginFailed
            session.expunge(row)
        if otp is not None:
            ok = self._checks.accept_code(row, otp, now) is not None
            method = "totp"
            reason = (
                "replayed_code"
                if not ok and self._checks.is_replay(row, otp, now)
                else "wrong_code"
            )
        elif password is not None:
            ok = self._passwords.verify(
                row.password_hash, password, key=f"user:{row.id}", urgency=Urgency.STEP_UP
            )
            method, reason = "password", "wrong_password"
        else:
            raise Invalid(
                "Give the password or a TOTP code.",
                [FieldError("password", "or otp is required")],
            )
        if not ok:
            locked_until = self._checks.record_failure(
                row, address, now, action=action, reason=reason
            )
            if say_locked and locked_until is not None:
                # This failure locked the account and ended its sessions, this one too.
                raise account_locked(locked_until, now)
            raise Forbidden(
                "The password or code is not correct.", code="auth.reauthentication_failed"
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
                raise NotAuthenticated("Your session has ended. Sign in again.")
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
            raise Forbidden("Only prescribers can sign prescriptions.", code="signing.not_allowed")
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
            raise Invalid(
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
