"""Pharmacy staff decide account requests; administrators manage accounts.

Approving a request creates the account, disabled, and mails a single-use activation
code that expires (``accounts`` takes it from there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from pharmacy_domain.licences import licence_expiry_problem
from pharmacy_domain.prescription import FieldError
from pharmacy_server import audit
from pharmacy_server.accounts.codes import activation_digest, new_activation_code
from pharmacy_server.admin.audit_labels import label_events
from pharmacy_server.admin.schemas import (
    AccountRequestList,
    AccountRequestOut,
    AdminUserList,
    AdminUserOut,
    AuditEventOut,
    AuditList,
    SessionList,
    SessionOut,
    SessionsEnded,
)
from pharmacy_server.audit import Actor
from pharmacy_server.auth.identity import ROLES, AuthenticatedUser, revoke_sessions
from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict, DeliveryFailed, Forbidden, Invalid, NotFound
from pharmacy_server.models import (
    AccountRequest,
    ActivationCode,
    AuthSession,
    Clinic,
    Prescription,
    User,
)
from pharmacy_server.notify import Notifier, NotifyFailed
from pharmacy_server.pagination import (
    clamp_limit,
    decode_cursor,
    decode_seq_cursor,
    encode_cursor,
    encode_seq_cursor,
)

log = logging.getLogger(__name__)

REVIEWER_ROLES = frozenset({"pharmacist", "admin"})
# A password no argon2 verify accepts: the account cannot sign in before activation.
UNUSABLE_PASSWORD = "!unusable"  # noqa: S105 - a marker, not a password


class AdminService:
    def __init__(
        self, database: Database, settings: ServerSettings, *, notifier: Notifier, clock: Clock
    ) -> None:
        self._db = database
        self._settings = settings
        self._notifier = notifier
        self._clock = clock

    # ------------------------------------------------------------ account requests

    def list_requests(
        self, reviewer: AuthenticatedUser, *, status: str | None, limit: int, cursor: str | None
    ) -> AccountRequestList:
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
        return AccountRequestList(
            items=[AccountRequestOut.from_row(row) for row in rows],
            total=total or 0,
            next_cursor=next_cursor,
        )

    def approve(
        self, reviewer: AuthenticatedUser, request_id: uuid.UUID, address: str | None
    ) -> AccountRequestOut:
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
                raise NotFound("Account request")
            if row.status == "rejected":
                raise Conflict("This request was rejected.", code="account_request.decided")
            if row.status == "approved":
                user = session.get(User, row.user_id) if row.user_id is not None else None
                if user is None or user.is_active or user.totp_secret_sealed is not None:
                    raise Conflict(
                        "This account is already active.",
                        code="account_request.decided",
                    )
            else:
                user = self._create_user(session, row, now)
                row.status = "approved"
                row.user_id = user.id
                row.decided_at = now
                row.decided_by_id = reviewer.id
            self._issue_activation_code(session, user.id, code, now)
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
            decided = AccountRequestOut.from_row(row)
            email, username = row.email, row.username
        self._send_code(email, username, code, now)
        log.info("account request %s approved; activation code sent", request_id)
        return decided

    def _issue_activation_code(
        self, session: Session, user_id: uuid.UUID, code: str, now: dt.datetime
    ) -> None:
        """A fresh single-use code for ``user_id``; any older unused one stops working."""
        _void_activation_codes(session, user_id, now)
        session.add(
            ActivationCode(
                code_sha256=activation_digest(code),
                user_id=user_id,
                created_at=now,
                expires_at=now + self._settings.activation_code_lifetime,
            )
        )

    def _create_user(self, session: Session, row: AccountRequest, now: dt.datetime) -> User:
        taken = session.scalar(select(User.id).where(User.username == row.username))
        if taken is not None:
            raise Conflict(
                "That username is taken: reject this request and ask for another username.",
                code="account_request.username_taken",
            )
        clinic = session.scalar(select(Clinic).where(Clinic.name == row.clinic_name))
        if clinic is None:
            clinic = Clinic(id=uuid.uuid4(), name=row.clinic_name, kind="clinic")
            session.add(clinic)
            session.flush()
        return add_unactivated_user(
            session,
            now,
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
        )

    def _send_code(
        self, email: str, username: str, code: str, now: dt.datetime, *, reenrol: bool = False
    ) -> None:
        expires = now + self._settings.activation_code_lifetime
        opening = (
            f"The pharmacy reset the two-factor sign-in of your portal account {username}. "
            "Choose a new password and enrol your authenticator again."
            if reenrol
            else f"Your prescriber portal account {username} was approved."
        )
        text = (
            f"{opening}\n\n"
            f"Activation code: {code}\n\n"
            f"Enter it in the portal's sign-in window under 'Activate account' before "
            f"{wire_time(expires)} (UTC). It works once. If you did not ask for an "
            "account, ignore this message and tell the pharmacy."
        )
        try:
            self._notifier.send(to=email, subject="Your portal activation code", text=text)
        except NotifyFailed:
            raise DeliveryFailed(
                "The two-factor enrolment was reset but the code could not be sent. "
                "Reset it again to send a new code."
                if reenrol
                else "The account was approved but the activation code could not be sent. "
                "Approve it again to send a new code.",
                code="notify.failed",
            ) from None

    def reject(
        self,
        reviewer: AuthenticatedUser,
        request_id: uuid.UUID,
        reason: str,
        address: str | None,
    ) -> AccountRequestOut:
        _require_reviewer(reviewer)
        now = self._clock()
        with self._db.writing() as session:
            row = session.scalar(
                select(AccountRequest).where(AccountRequest.id == request_id).with_for_update()
            )
            if row is None:
                raise NotFound("Account request")
            if row.status != "pending":
                raise Conflict(
                    f"This request is already {row.status}.", code="account_request.decided"
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
            decided = AccountRequestOut.from_row(row)
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
        return decided

    # ------------------------------------------------------------ administration

    def list_users(self, admin: AuthenticatedUser) -> AdminUserList:
        _require_admin(admin)
        with self._db.reading() as session:
            rows = list(session.scalars(select(User).order_by(User.username)))
            items = [AdminUserOut.from_row(row) for row in rows]
        return AdminUserList(items=items, total=len(items), next_cursor=None)

    def update_user(
        self,
        admin: AuthenticatedUser,
        user_id: uuid.UUID,
        *,
        role: str | None,
        is_active: bool | None,
        licence_expires_on: dt.date | None,
        address: str | None,
    ) -> AdminUserOut:
        """Role, enabled state and licence expiry. A role change or disabling ends the
        account's sessions at once; the last active administrator keeps both."""
        _require_admin(admin)
        if role is not None and role not in ROLES:
            raise Invalid("Unknown role.", [FieldError("role", f"must be one of {ROLES}")])
        now = self._clock()
        if licence_expires_on is not None:
            problem = licence_expiry_problem(licence_expires_on, now.date())
            if problem is not None:
                raise Invalid(
                    f"The licence expiry date {licence_expires_on.isoformat()} {problem}.",
                    [FieldError("licence_expires_on", problem)],
                )
        with self._db.writing() as session:
            user = _locked_user(session, user_id)
            actor = Actor(admin.id, admin.role, address, admin.username)
            demoted = role not in (None, user.role) and user.role == "admin"
            disabled = is_active is False and user.is_active
            if user.role == "admin" and user.is_active and (demoted or disabled):
                _keep_one_admin(session, user)
            if user.id == admin.id and (role not in (None, user.role) or is_active is False):
                raise Forbidden("Admins cannot change their own role or disable themselves.")
            if licence_expires_on is not None and user.licence_number is None:
                raise Invalid(
                    "Only an account with a state licence on file has a licence expiry.",
                    [FieldError("licence_expires_on", "the account has no licence on file")],
                )
            if role is not None and role != user.role:
                if role == "prescriber" and (user.npi is None or user.licence_number is None):
                    raise Invalid(
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
                    # An unused activation or re-enrolment code would switch it back on.
                    _void_activation_codes(session, user.id, now)
            if licence_expires_on is not None and licence_expires_on != user.licence_expires_on:
                audit.append(
                    session,
                    now=now,
                    actor=actor,
                    action="account.licence_update",
                    outcome="success",
                    target_type="user",
                    target_id=user.id,
                    details={
                        "from": None
                        if user.licence_expires_on is None
                        else user.licence_expires_on.isoformat(),
                        "licence_expires_on": licence_expires_on.isoformat(),
                    },
                )
                user.licence_expires_on = licence_expires_on
            session.flush()
            return AdminUserOut.from_row(user)

    def reset_two_factor(
        self, admin: AuthenticatedUser, user_id: uuid.UUID, address: str | None
    ) -> AdminUserOut:
        """Forget the account's authenticator and end its sessions; mail a re-enrolment
        code. The user signs in again through "Activate account" with that code, a new
        password and a newly enrolled authenticator: a password alone never enrols one."""
        _require_admin(admin)
        if user_id == admin.id:
            raise Forbidden("Admins cannot reset their own two-factor enrolment.")
        now = self._clock()
        code = new_activation_code()
        with self._db.writing() as session:
            user = _locked_user(session, user_id)
            if not user.is_active:
                raise Conflict(
                    "This account is disabled: re-enable it before resetting its two-factor "
                    "enrolment.",
                    code="account.disabled",
                )
            if not user.email:
                raise Conflict(
                    "This account has no e-mail address on file to send the re-enrolment code to.",
                    code="account.no_email",
                )
            if user.role == "admin" and user.totp_secret_sealed is not None:
                _keep_one_admin(session, user)
            user.totp_secret_sealed = None
            user.totp_last_step = None
            revoke_sessions(session, user.id)
            self._issue_activation_code(session, user.id, code, now)
            audit.append(
                session,
                now=now,
                actor=Actor(admin.id, admin.role, address, admin.username),
                action="account.mfa_reset",
                outcome="success",
                target_type="user",
                target_id=user.id,
            )
            session.flush()
            answer = AdminUserOut.from_row(user)
            email, username = user.email, user.username
        self._send_code(email, username, code, now, reenrol=True)
        log.info("two-factor enrolment of account %s reset; a re-enrolment code was sent", user_id)
        return answer

    def list_sessions(self, admin: AuthenticatedUser, user_id: uuid.UUID) -> SessionList:
        """The account's live sessions (not expired, not idle), most recently used first."""
        _require_admin(admin)
        now = self._clock()
        with self._db.reading() as session:
            if session.get(User, user_id) is None:
                raise NotFound("User")
            rows = list(
                session.scalars(
                    select(AuthSession)
                    .where(*self._live_sessions(user_id, now))
                    .order_by(AuthSession.last_seen_at.desc())
                )
            )
        items = [
            SessionOut(
                id=session_ref(row.token_sha256),
                created_at=wire_time(row.created_at),
                last_seen_at=wire_time(row.last_seen_at),
                expires_at=wire_time(row.expires_at),
                client_address=row.client_address,
                client=row.client_agent,
            )
            for row in rows
        ]
        return SessionList(items=items, total=len(items), next_cursor=None)

    def end_sessions(
        self,
        admin: AuthenticatedUser,
        user_id: uuid.UUID,
        address: str | None,
        *,
        session_id: str | None = None,
    ) -> SessionsEnded:
        """End one session (``session_id``) or every session of the account."""
        _require_admin(admin)
        now = self._clock()
        with self._db.writing() as session:
            user = _locked_user(session, user_id)
            digests = list(
                session.scalars(
                    select(AuthSession.token_sha256).where(*self._live_sessions(user.id, now))
                )
            )
            if session_id is not None:
                digests = [digest for digest in digests if session_ref(digest) == session_id]
                if not digests:
                    raise NotFound("Session")
                session.execute(delete(AuthSession).where(AuthSession.token_sha256 == digests[0]))
            else:
                revoke_sessions(session, user.id)
            audit.append(
                session,
                now=now,
                actor=Actor(admin.id, admin.role, address, admin.username),
                action="account.session_end" if session_id is not None else "account.sessions_end",
                outcome="success",
                target_type="user",
                target_id=user.id,
                details={"ended": len(digests)} if session_id is None else {"session": session_id},
            )
        return SessionsEnded(ended=len(digests))

    def _live_sessions(self, user_id: uuid.UUID, now: dt.datetime) -> list[ColumnElement[bool]]:
        return [
            AuthSession.user_id == user_id,
            AuthSession.expires_at > now,
            AuthSession.last_seen_at > now - self._settings.idle_timeout,
        ]

    # ------------------------------------------------------------ audit trail

    def list_audit_events(
        self,
        *,
        limit: int,
        cursor: str | None,
        action: str | None,
        actor_id: uuid.UUID | None = None,
        occurred_from: dt.datetime | None = None,
        occurred_before: dt.datetime | None = None,
        reference: str | None = None,
    ) -> AuditList:
        """Newest first (hash-chained; ``pharmacy-server audit`` verifies the chain), with
        names and references beside the ids."""
        target: tuple[str, str] | None = None
        if reference is not None:
            with self._db.reading() as session:
                found = session.scalar(
                    select(Prescription.id).where(Prescription.reference == reference.upper())
                )
            if found is None:
                return AuditList(items=[], total=0, next_cursor=None)
            target = ("prescription", str(found))
        items, total, next_seq = audit.list_events(
            self._db,
            limit=clamp_limit(limit),
            cursor=None if cursor is None else decode_seq_cursor(cursor),
            action=action,
            actor_id=actor_id,
            occurred_from=occurred_from,
            occurred_before=occurred_before,
            target=target,
        )
        events = [AuditEventOut.model_validate(item) for item in items]
        return AuditList(
            items=label_events(self._db, events),
            total=total,
            next_cursor=None if next_seq is None else encode_seq_cursor(next_seq),
        )


def add_unactivated_user(session: Session, now: dt.datetime, **fields: Any) -> User:
    """A new account that cannot sign in until its activation code sets a password and
    enrols an authenticator (an approved request, or ``pharmacy-server create-admin``)."""
    user = User(
        id=uuid.uuid4(),
        password_hash=UNUSABLE_PASSWORD,
        is_active=False,
        is_demo=False,
        failed_login_count=0,
        created_at=now,
        **fields,
    )
    session.add(user)
    session.flush()
    return user


def session_ref(token_sha256: str) -> str:
    """A session's public name: a hash of its token's digest, so the name cannot be
    turned back into the digest the server looks tokens up by."""
    return hashlib.sha256(b"session-ref:" + token_sha256.encode("ascii")).hexdigest()[:32]


def _locked_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.scalar(select(User).where(User.id == user_id).with_for_update(of=User))
    if user is None:
        raise NotFound("User")
    return user


def _keep_one_admin(session: Session, user: User) -> None:
    """Refuse a change that would leave no active administrator. The other admins' rows
    are locked, so two admins disabling each other cannot both succeed."""
    others = session.scalars(
        select(User.id)
        .where(User.role == "admin", User.is_active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    if not others:
        raise Conflict(
            f"{user.username} is the last active administrator: make another account an "
            "administrator first.",
            code="account.last_admin",
        )


def _void_activation_codes(session: Session, user_id: uuid.UUID, now: dt.datetime) -> None:
    session.execute(
        update(ActivationCode)
        .where(ActivationCode.user_id == user_id, ActivationCode.used_at.is_(None))
        .values(used_at=now)
    )


def _require_reviewer(user: AuthenticatedUser) -> None:
    if user.role not in REVIEWER_ROLES:
        raise Forbidden("Only pharmacy staff can review account requests.")


def _require_admin(user: AuthenticatedUser) -> None:
    if user.role != "admin":
        raise Forbidden("Only pharmacy administrators can manage accounts.")
