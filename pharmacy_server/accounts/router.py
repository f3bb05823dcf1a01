"""Asking for an account, and activating it with the mailed code and a first TOTP code."""

from __future__ import annotations

from fastapi import APIRouter

from pharmacy_server.accounts.schemas import (
    AccountRequestCreated,
    AccountRequestIn,
    ActivateConfirmRequest,
    ActivateRequest,
    ActivationOut,
)
from pharmacy_server.auth.schemas import LoginResponse
from pharmacy_server.deps import ClientAddress, Context
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1")


@router.post(
    "/auth/activate",
    tags=["auth"],
    response_model=ActivationOut,
    responses=error_responses(400, 413, 422, 429),
)
def activate(context: Context, request: ActivateRequest, address: ClientAddress) -> ActivationOut:
    """Activation step 1: the mailed code and a new password; returns the TOTP secret."""
    return context.accounts.start_activation(
        request.username, request.code, request.password, address
    )


@router.post(
    "/auth/activate/confirm",
    tags=["auth"],
    response_model=LoginResponse,
    responses=error_responses(400, 413, 422, 429),
)
def confirm_activation(
    context: Context, request: ActivateConfirmRequest, address: ClientAddress
) -> LoginResponse:
    """Activation step 2: the first TOTP code enables the account and signs it in."""
    result = context.accounts.confirm_activation(
        request.username, request.code, request.otp, address
    )
    return LoginResponse.of(result, context.settings.idle_timeout)


@router.post(
    "/account-requests",
    tags=["accounts"],
    status_code=202,
    response_model=AccountRequestCreated,
    responses=error_responses(413, 422, 429),
)
def request_account(
    context: Context, request: AccountRequestIn, address: ClientAddress
) -> AccountRequestCreated:
    """Ask for an account; pharmacy staff approve it and the activation code is mailed."""
    return context.accounts.request_account(request, address)
