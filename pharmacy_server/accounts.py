"""Account requests, approval, activation with TOTP enrollment, and account administration.

The path to an account: someone requests one (unauthenticated, rate-limited per
address); pharmacy staff check the licence and NPI out of band and approve it; the
server creates the account, disabled, and mails a single-use activation code that
expires; activation sets the password and shows a TOTP secret; the first code from the
authenticator confirms it, enables the account and opens a session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from pharmacy_domain.prescription import FieldError
from pharmacy_server import audit, ratelimit, totp
from pharmacy_server.audit import Actor
from pharmacy_server.auth import (
    ROLES,
    AuthenticatedUser,
    LoginResult,
    open_session,
    revoke_sessions,
)
from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.errors import ApiError, forbidden, invalid, not_found
from pharmacy_server.identifiers import is_valid_dea, is_valid_npi, is_valid_state
from pharmacy_server.models import AccountRequest, ActivationCode, Clinic, User
from pharmacy_server.notify import Notifier, NotifyFailed
from pharmacy_server.pagination import Page, decode_cursor, encode_cursor
from pharmacy_server.password_policy import password_problems
from pharmacy_server.security import Passwords, SecretBox, new_session_token

log = logging.getLogger(__name__)

REQUESTABLE_ROLES = ("prescriber", "clinic_staff")
REVIEWER_ROLES = frozenset({"pharmacist", "admin"})
ACCOUNT_REQUEST_BUCKET = "account-request"
ACTIVATION_FAILURE_BUCKET = "activation-failure"
ACTIVATION_FAILURES_PER_HOUR = 20
# Crockford base32 without I, L, O, U: nothing to misread in an e-mail.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 4  # 16 characters, 80 bits
# A password no argon2 verify accepts: the account cannot sign in before activation.
UNUSABLE_PASSWORD = "!unusable"  # noqa: S105 - a marker, not a password


def new_activation_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(
        chars[i : i + CODE_GROUP_LENGTH] for i in range(0, len(chars), CODE_GROUP_LENGTH)
    )


def activation_digest(code: str) -> str:
    """Codes are compared as typed, ignoring case, spaces and dashes."""
    normal = "".join(char for char in code.upper() if char.isalnum())
    return hashlib.sha256(normal.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class AccountRequestIn:
    username: str
    display_name: str
    email: str
    clinic: str
    role: str
    npi: str | None = None
    licence_number: str | None = None
    licence_state: str | None = None
    licence_expires_on: dt.date | None = None
    dea_number: str | None = None


def credential_errors(
    *,
    role: str,
    npi: str | None,
    licence_number: str | None,
    licence_state: str | None,
    licence_expires_on: dt.date | None,
    dea_number: str | None,
    today: dt.date,
) -> list[FieldError]:
    """What a prescriber must carry: a valid NPI and a current state licence; DEA optional."""
    errors: list[FieldError] = []
    if npi is not None and not is_valid_npi(npi):
        errors.append(FieldError("npi", "is not a valid NPI (10 digits with its check digit)"))
    if dea_number is not None and not is_valid_dea(dea_number):
        errors.append(
            FieldError("dea_number", "is not a valid DEA number (2 letters, 7 digits, check digit)")
        )
    if licence_state is not None and not is_valid_state(licence_state):
        errors.append(FieldError("licence_state", "must be a two-letter state code"))
    if role == "prescriber":
        if npi is None:
            errors.append(FieldError("npi", "is required for a prescriber"))
        if not licence_number:
            errors.append(FieldError("licence_number", "is required for a prescriber"))
        if licence_state is None:
            errors.append(FieldError("licence_state", "is required for a prescriber"))
        if licence_expires_on is None:
            errors.append(FieldError("licence_expires_on", "is required for a prescriber"))
        elif licence_expires_on < today:
            errors.append(FieldError("licence_expires_on", "the licence has expired"))
    return errors


def request_to_wire(row: AccountRequest) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "status": row.status,
        "username": row.username,
        "display_name": row.display_name,
        "email": row.email,
        "clinic": row.clinic_name,
        "role": row.role,
        "npi": row.npi,
        "licence_number": row.licence_number,
        "licence_state": row.licence_state,
        "licence_expires_on": None
        if row.licence_expires_on is None
        else row.licence_expires_on.isoformat(),
        "dea_number": row.dea_number,
        "created_at": wire_time(row.created_at),
        "decided_at": None if row.decided_at is None else wire_time(row.decided_at),
        "decision_reason": row.decision_reason,
        "user_id": None if row.user_id is None else str(row.user_id),
    }


def user_to_wire(row: User) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "clinic": row.clinic.name,
        "email": row.email,
        "is_active": row.is_active,
        "mfa_enrolled": row.totp_secret_sealed is not None,
        "locked_until": None if row.locked_until is None else wire_time(row.locked_until),
        "npi": row.npi,
        "licence_number": row.licence_number,
        "licence_state": row.licence_state,
        "licence_expires_on": None
        if row.licence_expires_on is None
        else row.licence_expires_on.isoformat(),
        "dea_number": row.dea_number,
        "created_at": wire_time(row.created_at),
    }


class AccountService:
    def __init__(
        self,
        database: Database,
        settings: ServerSettings,
        passwords: Passwords,
        secret_box: SecretBox,
        *,
        notifier: Notifier,
        clock: Clock,
    ) -> None:
        self._db = database
        self._settings = settings
        self._passwords = passwords
        self._box = secret_box
        self._notifier = notifier
        self._clock = clock

    # ------------------------------------------------------------ requests

    def request_account(self, request: AccountRequestIn, address: str | None) -> dict[str, Any]:
        now = self._clock()
        errors = credential_errors(
            role=request.role,
            npi=request.npi,
            licence_number=request.licence_number,
            licence_state=request.licence_state,
            licence_expires_on=request.licence_expires_on,
            dea_number=request.dea_number,
            today=now.date(),
        )
        if errors:
            raise invalid("The account request is not complete.", errors)
        with self._db.writing() as session:
            used = ratelimit.count(
                session,
                bucket=ACCOUNT_REQUEST_BUCKET,
                key=address or "unknown",
                window=dt.timedelta(hours=1),
                now=now,
            )
            if used > self._settings.account_requests_per_hour:
                raise ratelimit.too_many(3600, "account requests")
            row = AccountRequest(
                id=uuid.uuid4(),
                status="pending",
                username=request.username,
                display_name=request.display_name,
                email=request.email,
                clinic_name=request.clinic,
                role=request.role,
                npi=request.npi,
                licence_number=request.licence_number,
                licence_state=request.licence_state,
                licence_expires_on=request.licence_expires_on,
                dea_number=request.dea_number,
                created_at=now,
            )
            session.add(row)
            session.flush()
            audit.append(
                session,
                now=now,
                actor=Actor(None, None, address),
                action="account.request",
                outcome="pending",
                target_type="account_request",
                target_id=row.id,
                details={"role": request.role},
            )
        # Whether the username is free is decided at approval: the answer here is the
        # same for everyone, so it reveals nothing about existing accounts.
        log.info("account request %s received", row.id)
        return {"id": str(row.id), "status": "pending"}

    def list_requests(
        self, reviewer: AuthenticatedUser, *, status: str | None, limit: int, cursor: str | None
    ) -> Page:
        _require_reviewer(reviewer)
        conditions = [] if status is None else [AccountRequest.status == status]
        page_conditions = list(conditions)
        if cursor is not None:
            created_at, row_id = decode_cursor(cursor)
            page_conditions.append(
                or_(
                    AccountRequest.created_at < created_at,
                    and_(AccountRequest.created_at == created_at, AccountRequest.id < row_id),
                )
            )
        with self._db.reading() as session:
            total = session.scalar(
                select(func.count()).select_from(AccountRequest).where(*conditions)
            )
            rows = list(
                session.scalars(
                    select(AccountRequest)
                    .where(*page_conditions)
                    .order_by(AccountRequest.created_at.desc(), AccountRequest.id.desc())
                    .limit(limit + 1)
                )
            )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
        return Page([request_to_wire(row) for row in rows], total or 0, next_cursor)

    def approve(
        self, reviewer: AuthenticatedUser, request_id: uuid.UUID, address: str | None
    ) -> dict[str, Any]:
        """Create the (disabled) account and send its activation code. Approving again
        before activation sends a fresh code and voids the old one."""
        _require_reviewer(reviewer)
        now = self._clock()
        code = new_activation_code()
        with self._db.writing() as session:
            row = session.scalar(
                select(AccountRequest).where(AccountRequest.id == request_id).with_for_update()
            )
            if row is None:
                raise not_found("Account request")
            if row.status == "rejected":
                raise ApiError(409, "This request was rejected.", code="account_request.decided")
            if row.status == "approved":
                user = session.get(User, row.user_id) if row.user_id is not None else None
                if user is None or user.is_active or user.totp_secret_sealed is not None:
                    raise ApiError(
                        409,
                        "This account is already active.",
                        code="account_request.decided",
                    )
            else:
                user = self._create_user(session, row, now)
                row.status = "approved"
                row.user_id = user.id
                row.decided_at = now
                row.decided_by_id = reviewer.id
            session.execute(
                update(ActivationCode)
                .where(ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None))
                .values(used_at=now)
            )
            session.add(
                ActivationCode(
                    code_sha256=activation_digest(code),
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + self._settings.activation_code_lifetime,
                )
            )
            audit.append(
                session,
                now=now,
                actor=Actor(reviewer.id, reviewer.role, address, reviewer.username),
                action="account.approve",
                outcome="success",
                target_type="account_request",
                target_id=row.id,
                details={"user_id": str(user.id), "role": row.role},
            )
            session.flush()
            wire = request_to_wire(row)
            email, username = row.email, row.username
        self._send_code(email, username, code, now)
        log.info("account request %s approved; activation code sent", request_id)
        return wire

    def _create_user(self, session: Session, row: AccountRequest, now: dt.datetime) -> User:
        taken = session.scalar(select(User.id).where(User.username == row.username))
        if taken is not None:
            raise ApiError(
                409,
                "That username is taken: reject this request and ask for another username.",
                code="account_request.username_taken",
            )
        clinic = session.scalar(select(Clinic).where(Clinic.name == row.clinic_name))
        if clinic is None:
            clinic = Clinic(id=uuid.uuid4(), name=row.clinic_name, kind="clinic")
            session.add(clinic)
            session.flush()
        user = User(
            id=uuid.uuid4(),
            username=row.username,
            display_name=row.display_name,
            role=row.role,
            clinic_id=clinic.id,
            npi=row.npi,
            email=row.email,
            licence_number=row.licence_number,
            licence_state=row.licence_state,
            licence_expires_on=row.licence_expires_on,
            dea_number=row.dea_number,
            password_hash=UNUSABLE_PASSWORD,
            is_active=False,
            is_demo=False,
            failed_login_count=0,
            created_at=now,
        )
        session.add(user)
        session.flush()
        return user

    def _send_code(self, email: str, username: str, code: str, now: dt.datetime) -> None:
        expires = now + self._settings.activation_code_lifetime
        text = (
            f"Your prescriber portal account {username} was approved.\n\n"
            f"Activation code: {code}\n\n"
            f"Enter it in the portal's sign-in window under 'Activate account' before "
            f"{wire_time(expires)} (UTC). It works once. If you did not ask for an "
            "account, ignore this message and tell the pharmacy."
        )
        try:
            self._notifier.send(to=email, subject="Your portal activation code", text=text)
        except NotifyFailed:
            raise ApiError(
                502,
                "The account was approved but the activation code could not be sent. "
                "Approve it again to send a new code.",
                code="notify.failed",
            ) from None

    def reject(
        self,
        reviewer: AuthenticatedUser,
        request_id: uuid.UUID,
        reason: str,
        address: str | None,
    ) -> dict[str, Any]:
        _require_reviewer(reviewer)
        now = self._clock()
        with self._db.writing() as session:
            row = session.scalar(
                select(AccountRequest).where(AccountRequest.id == request_id).with_for_update()
            )
            if row is None:
                raise not_found("Account request")
            if row.status != "pending":
                raise ApiError(
                    409, f"This request is already {row.status}.", code="account_request.decided"
                )
            row.status = "rejected"
            row.decided_at = now
            row.decided_by_id = reviewer.id
            row.decision_reason = reason
            audit.append(
                session,
                now=now,
                actor=Actor(reviewer.id, reviewer.role, address, reviewer.username),
                action="account.reject",
                outcome="success",
                target_type="account_request",
                target_id=row.id,
            )
            session.flush()
            wire = request_to_wire(row)
            email = row.email
        try:
            self._notifier.send(
                to=email,
                subject="Your portal account request",
                text="The pharmacy could not approve your account request:\n\n"
                f"{reason}\n\nContact the pharmacy if you have questions.",
            )
        except NotifyFailed:
            log.warning("account request %s rejected; the notice could not be sent", request_id)
        return wire

    # ------------------------------------------------------------ activation

    def _activation(
        self, session: Session, username: str, code: str, now: dt.datetime
    ) -> tuple[ActivationCode, User] | None:
        row = session.execute(
            select(ActivationCode, User)
            .join(User, User.id == ActivationCode.user_id)
            .where(ActivationCode.code_sha256 == activation_digest(code), User.username == username)
            .with_for_update(of=ActivationCode)
        ).first()
        if row is None:
            return None
        activation, user = row
        if activation.used_at is not None or activation.expires_at <= now:
            return None
        return activation, user

    def _activation_failed(self, address: str | None, now: dt.datetime, reason: str) -> ApiError:
        with self._db.writing() as session:
            ratelimit.count(
                session,
                bucket=ACTIVATION_FAILURE_BUCKET,
                key=address or "unknown",
                window=dt.timedelta(hours=1),
                now=now,
            )
            audit.append(
                session,
                now=now,
                actor=Actor(None, None, address),
                action="account.activate",
                outcome="failure",
                details={"reason": reason},
            )
        return ApiError(
            400,
            "The activation code is not valid: it may be mistyped, used or expired. "
            "Ask the pharmacy for a new one.",
            code="activation.invalid_code",
        )

    def _check_activation_rate(self, address: str | None, now: dt.datetime) -> None:
        with self._db.reading() as session:
            wait = ratelimit.check(
                session,
                bucket=ACTIVATION_FAILURE_BUCKET,
                key=address or "unknown",
                limit=ACTIVATION_FAILURES_PER_HOUR,
                window=dt.timedelta(hours=1),
                now=now,
            )
        if wait is not None:
            raise ratelimit.too_many(wait, "activation attempts")

    def start_activation(
        self, username: str, code: str, password: str, address: str | None
    ) -> dict[str, Any]:
        """Check the code and the new password; return the TOTP secret to enroll.
        Nothing takes effect until ``confirm_activation`` sees a first code."""
        now = self._clock()
        self._check_activation_rate(address, now)
        with self._db.reading() as session:
            found = self._activation(session, username, code, now)
            display_name = found[1].display_name if found else ""
        if found is None:
            raise self._activation_failed(address, now, "invalid_code")
        problems = password_problems(password, username=username, display_name=display_name)
        if problems:
            raise invalid(
                "The password is not acceptable.",
                [FieldError("password", problem.reason) for problem in problems],
            )
        password_hash = self._passwords.hash(password)
        secret = totp.new_secret()
        with self._db.writing() as session:
            again = self._activation(session, username, code, now)
            if again is None:
                raise self._activation_failed(address, now, "invalid_code")
            activation, user = again
            activation.pending_password_hash = password_hash
            activation.pending_totp_sealed = self._box.seal(secret, str(user.id))
        return {
            "otpauth_uri": totp.provisioning_uri(
                secret, account=username, issuer=self._settings.totp_issuer
            ),
            "secret": totp.secret_to_base32(secret),
            "digits": totp.DIGITS,
            "period": totp.STEP_SECONDS,
        }

    def confirm_activation(
        self, username: str, code: str, otp: str, address: str | None
    ) -> LoginResult:
        """The first code from the authenticator: the account becomes active, signed in."""
        now = self._clock()
        self._check_activation_rate(address, now)
        token = new_session_token()
        expires_at = now + self._settings.absolute_timeout
        with self._db.writing() as session:
            found = self._activation(session, username, code, now)
            pending = None if found is None else found[0]
            if found is None or pending is None or pending.pending_totp_sealed is None:
                failure = "invalid_code" if found is None else "not_started"
            else:
                activation, user = found
                secret = self._box.open(pending.pending_totp_sealed, str(user.id))
                step = totp.matching_step(secret, otp, now, None)
                failure = "wrong_code" if step is None else ""
            if not failure:
                password_hash = activation.pending_password_hash
                assert password_hash is not None  # set together with the TOTP seed
                activation.used_at = now
                user.password_hash = password_hash
                user.totp_secret_sealed = activation.pending_totp_sealed
                user.totp_last_step = step
                user.is_active = True
                user.password_changed_at = now
                user.failed_login_count = 0
                user.locked_until = None
                open_session(
                    session,
                    user,
                    token=token,
                    now=now,
                    expires_at=expires_at,
                    address=address,
                    action="account.activate",
                )
                session.flush()
                signed_in = AuthenticatedUser.from_row(user)
        if failure == "wrong_code":
            raise ApiError(
                400,
                "That code does not match: check the authenticator's clock and try the next code.",
                code="activation.wrong_otp",
            )
        if failure:
            raise self._activation_failed(address, now, failure)
        log.info("account %s activated with TOTP", signed_in.id)
        return LoginResult(token, expires_at, signed_in)

    # ------------------------------------------------------------ administration

    def list_users(self, admin: AuthenticatedUser) -> list[dict[str, Any]]:
        _require_admin(admin)
        with self._db.reading() as session:
            rows = list(session.scalars(select(User).order_by(User.username)))
            return [user_to_wire(row) for row in rows]

    def update_user(
        self,
        admin: AuthenticatedUser,
        user_id: uuid.UUID,
        *,
        role: str | None,
        is_active: bool | None,
        licence_expires_on: dt.date | None,
        address: str | None,
    ) -> dict[str, Any]:
        """Role, enabled state and licence expiry. A role change or disabling ends the
        account's sessions at once."""
        _require_admin(admin)
        if role is not None and role not in ROLES:
            raise invalid("Unknown role.", [FieldError("role", f"must be one of {ROLES}")])
        now = self._clock()
        with self._db.writing() as session:
            user = session.scalar(select(User).where(User.id == user_id).with_for_update(of=User))
            if user is None:
                raise not_found("User")
            actor = Actor(admin.id, admin.role, address, admin.username)
            if user.id == admin.id and (role not in (None, user.role) or is_active is False):
                raise forbidden("Admins cannot change their own role or disable themselves.")
            if role is not None and role != user.role:
                if role == "prescriber" and (user.npi is None or user.licence_number is None):
                    raise invalid(
                        "A prescriber needs an NPI and a state licence on file.",
                        [FieldError("role", "the account has no NPI or licence")],
                    )
                audit.append(
                    session,
                    now=now,
                    actor=actor,
                    action="account.role_change",
                    outcome="success",
                    target_type="user",
                    target_id=user.id,
                    details={"from": user.role, "to": role},
                )
                user.role = role
                revoke_sessions(session, user.id)
            if is_active is not None and is_active != user.is_active:
                audit.append(
                    session,
                    now=now,
                    actor=actor,
                    action="account.enable" if is_active else "account.disable",
                    outcome="success",
                    target_type="user",
                    target_id=user.id,
                )
                user.is_active = is_active
                if not is_active:
                    revoke_sessions(session, user.id)
            if licence_expires_on is not None and licence_expires_on != user.licence_expires_on:
                audit.append(
                    session,
                    now=now,
                    actor=actor,
                    action="account.licence_update",
                    outcome="success",
                    target_type="user",
                    target_id=user.id,
                    details={"licence_expires_on": licence_expires_on.isoformat()},
                )
                user.licence_expires_on = licence_expires_on
            session.flush()
            return user_to_wire(user)


def _require_reviewer(user: AuthenticatedUser) -> None:
    if user.role not in REVIEWER_ROLES:
        raise forbidden("Only pharmacy staff can review account requests.")


def _require_admin(user: AuthenticatedUser) -> None:
    if user.role != "admin":
        raise forbidden("Only pharmacy administrators can manage accounts.")
