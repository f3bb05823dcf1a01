"""Sign-in, sessions, re-authentication, signing step-up and password change.
Operation ids are the function names (stable for generated clients)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from pharmacy_server.auth.identity import LoginFailed, MfaRequired
from pharmacy_server.auth.schemas import (
    LoginRequest,
    LoginResponse,
    MfaChallengeOut,
    MfaLoginRequest,
    PasswordChangeRequest,
    ReauthenticateRequest,
    SigningTokenOut,
    StepUpRequest,
    UserOut,
)
from pharmacy_server.deps import BearerToken, ClientAddress, Context, CurrentUser
from pharmacy_server.errors import NotAuthenticated
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1", tags=["auth"])

LOGIN_FAILED_DETAIL = "Incorrect username or password."


@router.post(
    "/auth/login",
    response_model=LoginResponse | MfaChallengeOut,
    responses=error_responses(401, 413, 422, 429),
)
def login(
    context: Context, credentials: LoginRequest, address: ClientAddress
) -> LoginResponse | MfaChallengeOut:
    """Password sign-in. Accounts with TOTP get ``{"mfa_required": true, "mfa_token"}``
    and finish with ``POST /auth/login/otp``; others (demo mode only) get the session."""
    try:
        result = context.auth.login(credentials.username, credentials.password, address)
    except LoginFailed:
        # One body for unknown user, wrong password and locked account (checklist C4).
        raise NotAuthenticated(LOGIN_FAILED_DETAIL) from None
    if isinstance(result, MfaRequired):
        return MfaChallengeOut.of(result)
    return LoginResponse.of(result, context.settings.idle_timeout)


@router.post(
    "/auth/login/otp",
    response_model=LoginResponse,
    responses=error_responses(401, 413, 422, 429),
)
def login_otp(context: Context, answer: MfaLoginRequest, address: ClientAddress) -> LoginResponse:
    """Second step of sign-in: the TOTP code for the ``mfa_token`` from ``/auth/login``.

    The password is already proved here, so a refusal says why in ``code``:
    ``auth.wrong_code``, ``auth.replayed_code`` (each code works once),
    ``auth.challenge_expired`` (start again with the password) or ``auth.locked``
    (with ``Retry-After``)."""
    try:
        result = context.auth.login_otp(answer.mfa_token, answer.otp, address)
    except LoginFailed:
        raise NotAuthenticated(LOGIN_FAILED_DETAIL) from None
    return LoginResponse.of(result, context.settings.idle_timeout)


@router.post("/auth/logout", status_code=204, responses=error_responses(401))
def logout(
    context: Context, user: CurrentUser, token: BearerToken, address: ClientAddress
) -> Response:
    context.auth.logout(user, token, address)
    return Response(status_code=204)


@router.post(
    "/auth/reauthenticate",
    status_code=204,
    responses=error_responses(401, 403, 413, 422, 429),
)
def reauthenticate(
    context: Context,
    user: CurrentUser,
    token: BearerToken,
    request: ReauthenticateRequest,
    address: ClientAddress,
) -> Response:
    """Unlock an idle-locked workstation: the password again, in the same session.

    204 and the session's idle time starts again; a wrong password is 403
    ``auth.reauthentication_failed`` and counts toward the lockout (the failure that locks
    the account is 401 ``auth.locked`` with ``Retry-After``; the session is then gone)."""
    context.auth.reauthenticate(user, token, password=request.password, address=address)
    return Response(status_code=204)


@router.post(
    "/auth/step-up",
    response_model=SigningTokenOut,
    responses=error_responses(401, 403, 413, 422, 429),
)
def step_up(
    context: Context, user: CurrentUser, request: StepUpRequest, address: ClientAddress
) -> SigningTokenOut:
    """Sign: re-authenticate for one body hash; the token signs one submission."""
    token = context.auth.step_up(
        user,
        password=request.password,
        otp=request.otp,
        content_sha256=request.content_sha256,
        address=address,
    )
    return SigningTokenOut.of(token)


@router.post(
    "/auth/password",
    status_code=204,
    responses=error_responses(401, 403, 413, 422, 429),
)
def change_password(
    context: Context, user: CurrentUser, request: PasswordChangeRequest, address: ClientAddress
) -> Response:
    """Change the password; every session of the account ends (sign in again)."""
    context.auth.change_password(
        user,
        current_password=request.current_password,
        new_password=request.new_password,
        address=address,
    )
    return Response(status_code=204)


@router.get("/auth/me", response_model=UserOut, responses=error_responses(401))
def get_me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)
