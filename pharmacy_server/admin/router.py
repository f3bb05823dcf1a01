"""Pharmacy staff: account requests; administrators: accounts and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from pharmacy_domain.prescription import FieldError
from pharmacy_server.admin.schemas import (
    AccountRequestList,
    AccountRequestOut,
    AdminUserList,
    AdminUserOut,
    AuditList,
    RejectRequest,
    SessionList,
    SessionsEnded,
    UserUpdate,
)
from pharmacy_server.deps import (
    CURSOR,
    LIMIT,
    AdminUser,
    ClientAddress,
    Context,
    StaffUser,
    parse_id,
)
from pharmacy_server.errors import Invalid
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE, clamp_limit
from pharmacy_server.schemas import error_responses
from pharmacy_server.text_fields import IsoInstant

router = APIRouter(prefix="/api/v1", tags=["admin"])


@router.get(
    "/admin/account-requests",
    response_model=AccountRequestList,
    responses=error_responses(401, 403, 422),
)
def list_account_requests(
    context: Context,
    user: StaffUser,
    status: Literal["pending", "approved", "rejected"] | None = None,
    limit: LIMIT = DEFAULT_PAGE_SIZE,
    cursor: CURSOR = None,
) -> AccountRequestList:
    return context.admin.list_requests(user, status=status, limit=clamp_limit(limit), cursor=cursor)


@router.post(
    "/admin/account-requests/{request_id}/approve",
    response_model=AccountRequestOut,
    responses=error_responses(401, 403, 404, 409, 422, 502),
)
def approve_account_request(
    context: Context, user: StaffUser, request_id: str, address: ClientAddress
) -> AccountRequestOut:
    """Create the account and mail its activation code (again: a new code)."""
    return context.admin.approve(user, parse_id(request_id, "Account request"), address)


@router.post(
    "/admin/account-requests/{request_id}/reject",
    response_model=AccountRequestOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def reject_account_request(
    context: Context,
    user: StaffUser,
    request_id: str,
    decision: RejectRequest,
    address: ClientAddress,
) -> AccountRequestOut:
    return context.admin.reject(
        user, parse_id(request_id, "Account request"), decision.reason.strip(), address
    )


@router.get("/admin/users", response_model=AdminUserList, responses=error_responses(401, 403))
def list_users(context: Context, user: AdminUser) -> AdminUserList:
    return context.admin.list_users(user)


@router.patch(
    "/admin/users/{user_id}",
    response_model=AdminUserOut,
    responses=error_responses(401, 403, 404, 413, 422),
)
def update_user(
    context: Context, user: AdminUser, user_id: str, change: UserUpdate, address: ClientAddress
) -> AdminUserOut:
    """Role, enabled state, licence expiry. Disabling or a new role ends its sessions."""
    return context.admin.update_user(
        user,
        parse_id(user_id, "User"),
        role=change.role,
        is_active=change.is_active,
        licence_expires_on=change.licence_expires_on,
        address=address,
    )


@router.post(
    "/admin/users/{user_id}/two-factor/reset",
    response_model=AdminUserOut,
    responses=error_responses(401, 403, 404, 409, 422, 502),
)
def reset_two_factor(
    context: Context, user: AdminUser, user_id: str, address: ClientAddress
) -> AdminUserOut:
    """Forget the account's authenticator, end its sessions and mail a re-enrolment code:
    the user enrols again through "Activate account" at the next sign-in."""
    return context.admin.reset_two_factor(user, parse_id(user_id, "User"), address)


@router.get(
    "/admin/users/{user_id}/sessions",
    response_model=SessionList,
    responses=error_responses(401, 403, 404, 422),
)
def list_user_sessions(context: Context, user: AdminUser, user_id: str) -> SessionList:
    """The account's live sessions, most recently used first."""
    return context.admin.list_sessions(user, parse_id(user_id, "User"))


@router.delete(
    "/admin/users/{user_id}/sessions",
    response_model=SessionsEnded,
    responses=error_responses(401, 403, 404, 422),
)
def end_user_sessions(
    context: Context, user: AdminUser, user_id: str, address: ClientAddress
) -> SessionsEnded:
    """End every session of the account (its tokens answer 401 from now on)."""
    return context.admin.end_sessions(user, parse_id(user_id, "User"), address)


@router.delete(
    "/admin/users/{user_id}/sessions/{session_id}",
    response_model=SessionsEnded,
    responses=error_responses(401, 403, 404, 422),
)
def end_user_session(
    context: Context, user: AdminUser, user_id: str, session_id: str, address: ClientAddress
) -> SessionsEnded:
    return context.admin.end_sessions(
        user, parse_id(user_id, "User"), address, session_id=session_id
    )


def _aware(stamp: dt.datetime | None, name: str) -> dt.datetime | None:
    if stamp is not None and stamp.utcoffset() is None:
        raise Invalid(
            f"{name} needs a time zone (e.g. 2026-12-01T00:00:00Z).",
            [FieldError(name, "needs a time zone offset")],
        )
    return stamp


@router.get("/admin/audit", response_model=AuditList, responses=error_responses(401, 403, 404, 422))
def list_audit_events(
    *,
    context: Context,
    _user: AdminUser,
    limit: LIMIT = DEFAULT_PAGE_SIZE,
    cursor: CURSOR = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor_id: Annotated[
        str | None, Query(max_length=36, description="One account's events.")
    ] = None,
    occurred_from: Annotated[
        IsoInstant | None, Query(description="From this instant (with its offset), inclusive.")
    ] = None,
    occurred_before: Annotated[
        IsoInstant | None, Query(description="Before this instant (with its offset).")
    ] = None,
    reference: Annotated[
        str | None, Query(max_length=20, pattern=r"^[Rr][Xx]-[0-9]{6}-[0-9]{4,}$")
    ] = None,
) -> AuditList:
    """The audit trail, newest first (hash-chained; verify with ``pharmacy-server audit``),
    filtered by action, actor, time and prescription reference, all combined."""
    start = _aware(occurred_from, "occurred_from")
    end = _aware(occurred_before, "occurred_before")
    if start is not None and end is not None and end <= start:
        raise Invalid(
            "The end of the time range must come after its start.",
            [FieldError("occurred_before", "must be after occurred_from")],
        )
    return context.admin.list_audit_events(
        limit=limit,
        cursor=cursor,
        action=action,
        actor_id=None if actor_id is None else parse_id(actor_id, "User"),
        occurred_from=start,
        occurred_before=end,
        reference=reference,
    )
