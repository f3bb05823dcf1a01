"""Account request and activation wire models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from pharmacy_domain.text_limits import PASSWORD_LENGTH_RULE
from pharmacy_server.auth.schemas import OTP_PATTERN


def _iso_date_text(value: Any) -> Any:
    """Dates come as "YYYY-MM-DD" text only (pydantic would also take 0 as 1970-01-01)."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]

_USERNAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,149}$"


class AccountRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=_USERNAME)
    display_name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$", max_length=254)
    clinic: str = Field(min_length=1, max_length=200)
    role: Literal["prescriber", "clinic_staff"]
    npi: str | None = Field(default=None, pattern=r"^[0-9]{10}$")
    licence_number: str | None = Field(default=None, min_length=1, max_length=40)
    licence_state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    licence_expires_on: IsoDate | None = None
    dea_number: str | None = Field(default=None, pattern=r"^[A-Z][A-Z9][0-9]{7}$")


class AccountRequestCreated(BaseModel):
    id: str
    status: Literal["pending"]


class ActivateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    code: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=1024, description=PASSWORD_LENGTH_RULE)


class ActivationOut(BaseModel):
    otpauth_uri: str = Field(description="Show as a QR code for the authenticator app.")
    secret: str = Field(description="Base32, for typing into the app by hand.")
    digits: int
    period: int


class ActivateConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    code: str = Field(min_length=1, max_length=40)
    otp: str = Field(pattern=OTP_PATTERN)
