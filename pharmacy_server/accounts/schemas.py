"""Account request and activation wire models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_domain.text_limits import (
    MAX_CLINIC_NAME_LENGTH,
    MAX_DISPLAY_NAME_LENGTH,
    PASSWORD_LENGTH_RULE,
)
from pharmacy_server.auth.schemas import OTP_PATTERN
from pharmacy_server.text_fields import IsoDate, OneLine

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,149}$"


class AccountRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: OneLine = Field(min_length=1, max_length=MAX_DISPLAY_NAME_LENGTH)
    email: OneLine = Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$", max_length=254)
    clinic: OneLine = Field(min_length=1, max_length=MAX_CLINIC_NAME_LENGTH)
    role: Literal["prescriber", "clinic_staff"]
    npi: str | None = Field(default=None, pattern=r"^[0-9]{10}$")
    licence_number: OneLine | None = Field(default=None, min_length=1, max_length=40)
    licence_state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    licence_expires_on: IsoDate | None = None
    dea_number: str | None = Field(default=None, pattern=r"^[A-Z][A-Z9][0-9]{7}$")


class AccountRequestCreated(BaseModel):
    id: str
    status: Literal["pending"]


class ActivateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: OneLine = Field(min_length=1, max_length=150)
    code: OneLine = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=1024, description=PASSWORD_LENGTH_RULE)


class ActivationOut(BaseModel):
    otpauth_uri: str = Field(description="Show as a QR code for the authenticator app.")
    secret: str = Field(description="Base32, for typing into the app by hand.")
    digits: int
    period: int


class ActivateConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: OneLine = Field(min_length=1, max_length=150)
    code: OneLine = Field(min_length=1, max_length=40)
    otp: str = Field(pattern=OTP_PATTERN)
