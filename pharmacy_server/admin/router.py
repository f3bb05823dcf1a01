"""Pharmacy staff: account requests; administrators: accounts and the audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from pharmacy_server.admin.schemas import (
    AccountRequestList,
    AccountRequestOut,
    AdminUserList,
    AdminUserOut,
    AuditList,
    RejectRequest,
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
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE, clamp_limit
from pharmacy_server.schemas import error_responses

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


@router.get("/admin/audit", response_model=AuditList, responses=error_responses(401, 403, 422))
def list_audit_events(
    context: Context,
    _user: AdminUser,
    limit: LIMIT = DEFAULT_PAGE_SIZE,
    cursor: CURSOR = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
) -> AuditList:
    """The audit trail, newest first (hash-chained; verify with ``pharmacy-server audit``)."""
    return context.admin.list_audit_events(limit=limit, cursor=cursor, action=action)
