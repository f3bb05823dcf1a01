"""Account requests and activation with TOTP enrollment (approval is in ``admin``).

The path to an account: someone requests one (unauthenticated, rate-limited per
address); pharmacy staff check the licence and NPI out of band and approve it; the
server creates the account, disabled, and mails a single-use activation code that
expires; activation sets the password and shows a TOTP secret; the first code from the
authenticator confirms it, enables the account and opens a session.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy_domain.prescription import FieldError
from pharmacy_server import audit, ratelimit, totp
from pharmacy_server.accounts.codes import activation_digest
from pharmacy_server.accounts.schemas import AccountRequestCreated, AccountRequestIn, ActivationOut
from pharmacy_server.audit import Actor
from pharmacy_server.auth.identity import AuthenticatedUser, LoginResult, open_session
from pharmacy_server.clock import Clock
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.errors import BadRequest, Invalid
from pharmacy_server.identifiers import is_valid_dea, is_valid_npi, is_valid_state
from pharmacy_server.models import AccountRequest, ActivationCode, User
from pharmacy_server.notify import Notifier
from pharmacy_server.password_policy import password_problems
from pharmacy_server.security import Passwords, SecretBox, new_session_token

log = logging.getLogger(__name__)

REQUESTABLE_ROLES = ("prescriber", "clinic_staff")
ACCOUNT_REQUEST_BUCKET = "account-request"
ACTIVATION_FAILURE_BUCKET = "activation-failure"
ACTIVATION_FAILURES_PER_HOUR = 20


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

    def request_account(
        self, request: AccountRequestIn, address: str | None
    ) -> AccountRequestCreated:
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
            raise Invalid("The account request is not complete.", errors)
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
        return AccountRequestCreated(id=str(row.id), status="pending")

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

    def _activation_failed(self, address: str | None, now: dt.datetime, reason: str) -> BadRequest:
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
        return BadRequest(
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
    ) -> ActivationOut:
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
            raise Invalid(
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
        return ActivationOut(
            otpauth_uri=totp.provisioning_uri(
                secret, account=username, issuer=self._settings.totp_issuer
            ),
            secret=totp.secret_to_base32(secret),
            digits=totp.DIGITS,
            period=totp.STEP_SECONDS,
        )

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
            raise BadRequest(
                "That code does not match: check the authenticator's clock and try the next code.",
                code="activation.wrong_otp",
            )
        if failure:
            raise self._activation_failed(address, now, failure)
        log.info("account %s activated with TOTP", signed_in.id)
        return LoginResult(token, expires_at, signed_in)
