"""Sign-in, session and signing wire models."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pharmacy_domain.text_limits import PASSWORD_LENGTH_RULE
from pharmacy_server.auth.identity import (
    AuthenticatedUser,
    LoginResult,
    MfaRequired,
    SigningToken,
)
from pharmacy_server.clock import wire_time
from pharmacy_server.text_fields import OneLine

#: A TOTP code as typed (spaces allowed between the digit groups).
OTP_PATTERN = r"^[0-9 ]{6,8}$"


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: OneLine = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: str
    username: str
    role: Literal["prescriber", "clinic_staff", "pharmacist", "admin"]
    display_name: str
    clinic: str
    licence_expires_on: str | None = Field(
        description="Prescribers: the client warns 30 days before; expired cannot sign."
    )
    mfa_enrolled: bool

    @classmethod
    def of(cls, user: AuthenticatedUser) -> UserOut:
        expires = user.licence_expires_on
        return cls(
            id=str(user.id),
            username=user.username,
            role=user.role,  # type: ignore[arg-type]  # validated against the Literal
            display_name=user.display_name,
            clinic=user.clinic_name,
            licence_expires_on=None if expires is None else expires.isoformat(),
            mfa_enrolled=user.mfa_enrolled,
        )


class LoginResponse(BaseModel):
    token: str
    expires_at: str = Field(description="Absolute expiry (UTC); idle sessions end sooner.")
    idle_timeout_seconds: int
    user: UserOut

    @classmethod
    def of(cls, result: LoginResult, idle_timeout: dt.timedelta) -> LoginResponse:
        return cls(
            token=result.token,
            expires_at=wire_time(result.expires_at),
            idle_timeout_seconds=int(idle_timeout.total_seconds()),
            user=UserOut.of(result.user),
        )


class MfaChallengeOut(BaseModel):
    """Answer to a right password on an account with TOTP: finish with POST /auth/login/otp."""

    mfa_required: Literal[True]
    mfa_token: str
    expires_at: str

    @classmethod
    def of(cls, challenge: MfaRequired) -> MfaChallengeOut:
        return cls(
            mfa_required=True,
            mfa_token=challenge.mfa_token,
            expires_at=wire_time(challenge.expires_at),
        )


class MfaLoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mfa_token: str = Field(min_length=1, max_length=200)
    otp: str = Field(pattern=OTP_PATTERN, description="The 6-digit code from the authenticator.")


class ReauthenticateRequest(BaseModel):
    """Unlocking an idle-locked workstation: the signed-in user's password."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)


class StepUpRequest(BaseModel):
    """Sign: the password or a fresh TOTP code (exactly one), and the hash being signed."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=1, max_length=1024)
    otp: str | None = Field(default=None, pattern=OTP_PATTERN)
    content_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (lower-case hex) of the RFC 8785 canonical JSON of the "
        "submission body without its signing_token (pharmacy_domain.canonical.signing_sha256).",
    )

    @model_validator(mode="after")
    def _one_factor(self) -> StepUpRequest:
        if (self.password is None) == (self.otp is None):
            raise ValueError("give exactly one of password and otp")
        return self


class SigningTokenOut(BaseModel):
    signing_token: str = Field(description="Single use; put it in the submission body.")
    expires_at: str = Field(description="24 hours after signing.")

    @classmethod
    def of(cls, token: SigningToken) -> SigningTokenOut:
        return cls(signing_token=token.token, expires_at=wire_time(token.expires_at))


class PasswordChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024, description=PASSWORD_LENGTH_RULE)
