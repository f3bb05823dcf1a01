"""Accounts on the pharmacy server: two-step sign-in, requests, activation, approvals, audit.

Built on ``ApiClient``'s request plumbing (``ApiClient.request`` and
``ApiClient.adopt_session``), so every call has its timeout and every failure is one
of ``core.errors``. The checks a person can fix while typing (NPI and DEA check
digits, password length) are worded here from the shared domain's rules, so the GUI
says what is wrong before anything is sent; the server checks everything again.

Blocking: every function taking an ``ApiClient`` does network I/O. Call them from a
background operation, never on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pharmacy_domain.identifiers import DEA_PATTERN, NPI_LENGTH, is_valid_dea, is_valid_npi
from pharmacy_domain.text_limits import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, password_length
from portal_client.core.errors import (
    ApiError,
    InvalidCredentials,
    NotSignedIn,
    PortalError,
    UnreadableAnswer,
)
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.wire import (
    AccountRequestCreatedWire,
    AccountRequestPage,
    AccountRequestWire,
    ActivationWire,
    AuditPage,
    ErrorWire,
    LoginWire,
    MfaChallengeWire,
    parse,
)

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient, SignedInUser

# ------------------------------------------------------------------ identifiers

US_STATES = (
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID",
    "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP", "MS", "MT", "NC",
    "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD",
    "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
)  # fmt: skip


def npi_problem(text: str) -> str | None:
    """What is wrong with an NPI as typed, in words; None when it is valid."""
    npi = text.strip()
    if not npi:
        return translate("Accounts", "Enter the 10-digit NPI.")
    if not (npi.isascii() and npi.isdigit()):
        return translate("Accounts", "An NPI has digits only.")
    if len(npi) != NPI_LENGTH:
        return translate("Accounts", "An NPI has {length} digits ({typed} so far).").format(
            length=NPI_LENGTH, typed=len(npi)
        )
    if not is_valid_npi(npi):
        return translate(
            "Accounts", "This NPI's check digit does not match: a digit is probably mistyped."
        )
    return None


def dea_problem(text: str) -> str | None:
    """What is wrong with a DEA number as typed; None when valid or left empty (optional)."""
    dea = text.strip().upper()
    if not dea:
        return None
    if not DEA_PATTERN.match(dea):
        return translate("Accounts", "A DEA number is 2 letters then 7 digits, e.g. AB1234563.")
    if not is_valid_dea(dea):
        return translate(
            "Accounts",
            "This DEA number's check digit does not match: a character is probably mistyped.",
        )
    return None


# ------------------------------------------------------------------ passwords


def password_problem(password: str, username: str = "") -> str | None:
    """The local half of the password rules (NIST 800-63B): length, and not the username.

    No composition rules. The server also refuses common and guessable passwords and
    says so in its own words.
    """
    length = password_length(password)
    if length < PASSWORD_MIN_LENGTH:
        return translate(
            "Accounts",
            "Use at least {minimum} characters ({length} so far). A short phrase works well.",
        ).format(minimum=PASSWORD_MIN_LENGTH, length=length)
    if length > PASSWORD_MAX_LENGTH:
        return translate("Accounts", "Use at most {maximum} characters ({length} now).").format(
            maximum=PASSWORD_MAX_LENGTH, length=length
        )
    name = username.strip().casefold()
    if len(name) >= 4 and name in password.casefold():
        return translate("Accounts", "The password must not contain your user name.")
    return None


# ------------------------------------------------------------------ licence


@dataclass(frozen=True)
class LicenceStatus:
    kind: Literal["current", "expiring", "expired", "missing"]
    days_left: int | None
    message: str

    @property
    def can_sign(self) -> bool:
        return self.kind in ("current", "expiring")


LICENCE_WARNING_DAYS = 30


def licence_status(expires_on: str | None, today: dt.date) -> LicenceStatus:
    """How a prescriber's state licence stands today (the client warns 30 days ahead)."""
    if not expires_on:
        return LicenceStatus(
            "missing",
            None,
            translate(
                "Accounts",
                "No state licence is on file: you cannot sign prescriptions until the "
                "pharmacy records one.",
            ),
        )
    try:
        expiry = dt.date.fromisoformat(expires_on[:10])
    except ValueError:
        return LicenceStatus(
            "missing", None, translate("Accounts", "The licence date on file is unreadable.")
        )
    days = (expiry - today).days
    when = expiry.strftime("%d %b %Y")
    if days < 0:
        return LicenceStatus(
            "expired",
            days,
            translate(
                "Accounts",
                "Your state licence expired on {when}. You cannot sign prescriptions "
                "until the pharmacy records a current licence; drafts can still be "
                "prepared.",
            ).format(when=when),
        )
    if days <= LICENCE_WARNING_DAYS:
        if days == 0:
            left = translate("Accounts", "today")
        elif days == 1:
            left = translate("Accounts", "in 1 day")
        else:
            left = translate("Accounts", "in {days} days").format(days=days)
        return LicenceStatus(
            "expiring",
            days,
            translate(
                "Accounts",
                "Your state licence expires {left} ({when}). Send the renewed licence "
                "to the pharmacy so that you can keep signing.",
            ).format(left=left, when=when),
        )
    return LicenceStatus("current", days, "")


# ------------------------------------------------------------------ errors


class SignInRefused(InvalidCredentials):
    """A sign-in step was refused; ``reason`` says which kind, ``str()`` says it to a person.

    reason: ``credentials`` (user name or password), ``wrong_code``, ``code_used``,
    ``challenge_expired`` (the code step took too long), ``locked`` (the account),
    ``throttled`` (too many failures from this workstation).
    """

    def __init__(self, reason: str, message: str, wait_seconds: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.wait_seconds = wait_seconds


def _minutes(seconds: float | None) -> str:
    if not seconds:
        return translate("Accounts", "a few minutes")
    minutes = max(1, round(seconds / 60))
    if minutes == 1:
        return translate("Accounts", "1 minute")
    return translate("Accounts", "{minutes} minutes").format(minutes=minutes)


def _error_answer(error: PortalError) -> ErrorWire | None:
    return error.answer if isinstance(error, ApiError | NotSignedIn) else None


def _error_code(error: PortalError) -> str:
    answer = _error_answer(error)
    return (answer.code or "") if answer is not None else ""


def _wait_of(error: PortalError) -> float | None:
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after > 0:
        return float(retry_after)
    answer = _error_answer(error)
    if answer is not None and answer.retry_after_seconds is not None:
        return float(answer.retry_after_seconds)
    return None


_REFUSED_CODE_TEXT = {
    "code_used": QT_TRANSLATE_NOOP(
        "Accounts",
        "That code was already used: each code works once. Wait for the "
        "authenticator to show the next code (they change every 30 seconds) "
        "and enter that.",
    ),
    "challenge_expired": QT_TRANSLATE_NOOP(
        "Accounts", "The code step timed out. Enter your password again."
    ),
    "wrong_code": QT_TRANSLATE_NOOP(
        "Accounts",
        "That code is not right. Check that you read the code for this portal, "
        "and that the phone's clock is set automatically.",
    ),
    # The server need not say why a code was refused; then both causes are named.
    "refused_code": QT_TRANSLATE_NOOP(
        "Accounts",
        "The code was not accepted. Enter the code the authenticator shows "
        "now; each code works once, so if you just used one, wait for the next.",
    ),
}
_REFUSED_CODE_REASONS = {
    "auth.code_used": "code_used",
    "auth.replayed_code": "code_used",
    "auth.otp_replayed": "code_used",
    "auth.challenge_expired": "challenge_expired",
    "auth.mfa_expired": "challenge_expired",
    "auth.wrong_code": "wrong_code",
    "auth.otp_invalid": "wrong_code",
}


def _blocked(error: PortalError) -> SignInRefused | None:
    """A locked account or a throttled workstation, with how long to wait."""
    wait = _wait_of(error)
    status = error.status if isinstance(error, ApiError) else None
    if _error_code(error) in ("auth.locked", "account.locked") or status == 423:
        return SignInRefused(
            "locked",
            translate(
                "Accounts",
                "This account is locked after too many failed attempts. Try again in "
                "{minutes}, or ask the pharmacy to unlock it.",
            ).format(minutes=_minutes(wait)),
            wait,
        )
    if status == 429:
        return SignInRefused(
            "throttled",
            translate(
                "Accounts",
                "Too many failed sign-ins from this workstation. Try again in {minutes}.",
            ).format(minutes=_minutes(wait)),
            wait,
        )
    return None


def _refusal(error: PortalError, step: Literal["password", "code"]) -> PortalError:
    """Turn a refused sign-in step into a ``SignInRefused`` with the most specific words
    the server's answer allows; other errors (network, server faults) pass through."""
    if not isinstance(error, ApiError | NotSignedIn):
        return error
    blocked = _blocked(error)
    if blocked is not None:
        return blocked
    if isinstance(error, ApiError) and error.status not in (400, 401, 403):
        return error
    if step == "password":
        return SignInRefused(
            "credentials",
            translate("Accounts", "Wrong user name or password. Check both and try again."),
        )
    reason = _REFUSED_CODE_REASONS.get(_error_code(error), "refused_code")
    return SignInRefused(
        "wrong_code" if reason == "refused_code" else reason,
        translate("Accounts", _REFUSED_CODE_TEXT[reason]),
    )


# ------------------------------------------------------------------ sign-in


@dataclass(frozen=True, repr=False)
class CodeChallenge:
    """The password was right; the account needs its authenticator code next."""

    mfa_token: str
    username: str
    expires_at: str | None = None

    def __repr__(self) -> str:  # the token opens the code step: never print it
        return f"CodeChallenge(username={self.username!r})"


def begin_sign_in(client: ApiClient, username: str, password: str) -> SignedInUser | CodeChallenge:
    """Check the password. Accounts with an authenticator get a ``CodeChallenge`` back;
    the others (demo accounts in demo mode) are signed in at once."""
    try:
        answer = client.request(
            "POST",
            "/auth/login",
            json_body={"username": username, "password": password},
            authenticated=False,
        )
    except PortalError as error:
        raise _refusal(error, "password") from error
    # The one answer of two shapes (LoginResponse | MfaChallengeOut): mfa_required decides.
    if isinstance(answer, Mapping) and "mfa_required" in answer:
        challenge = parse(MfaChallengeWire, answer)
        return CodeChallenge(challenge.mfa_token, username, challenge.expires_at)
    return client.adopt_session(parse(LoginWire, answer))


def clean_code(code: str) -> str:
    return "".join(char for char in code if char.isdigit())


def finish_sign_in(client: ApiClient, challenge: CodeChallenge, code: str) -> SignedInUser:
    """Send the authenticator code of ``challenge``; the session opens on success."""
    try:
        answer = client.read(
            LoginWire,
            "POST",
            "/auth/login/otp",
            json_body={"mfa_token": challenge.mfa_token, "otp": clean_code(code)},
            authenticated=False,
        )
    except UnreadableAnswer:
        raise
    except PortalError as error:
        raise _refusal(error, "code") from error
    return client.adopt_session(answer)


def verify_password(client: ApiClient, password: str) -> None:
    """Unlocking: the signed-in user proves it is still them, within the same session (the
    server restarts its idle time). The password only, also for accounts with an
    authenticator: the session they opened with it is still alive.

    ``SignInRefused``: ``credentials`` (wrong password; it counts toward the lockout),
    ``locked`` (this failure locked the account and ended the session) or ``throttled``.
    ``NotSignedIn``: the session ended meanwhile; sign in again.
    """
    try:
        client.request("POST", "/auth/reauthenticate", json_body={"password": password})
    except (ApiError, NotSignedIn) as error:
        blocked = _blocked(error)
        if blocked is not None:
            raise blocked from error
        if isinstance(error, ApiError) and error.status == 403:
            raise SignInRefused(
                "credentials", translate("Accounts", "That password is not right. Try again.")
            ) from error
        raise


def change_password(client: ApiClient, current: str, new: str) -> None:
    """Change the password. The server then ends every session of the account."""
    try:
        client.request(
            "POST",
            "/auth/password",
            json_body={"current_password": current, "new_password": new},
        )
    except ApiError as error:
        if error.status == 403:
            raise SignInRefused(
                "credentials", translate("Accounts", "The current password is not right.")
            ) from error
        raise


# ------------------------------------------------------------------ requests and activation


@dataclass(frozen=True)
class AccountRequest:
    """What someone asking for an account tells the pharmacy."""

    username: str
    display_name: str
    email: str
    clinic: str
    role: Literal["prescriber", "clinic_staff"] = "prescriber"
    npi: str | None = None
    licence_number: str | None = None
    licence_state: str | None = None
    licence_expires_on: str | None = None  # YYYY-MM-DD
    dea_number: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "clinic": self.clinic,
            "role": self.role,
        }
        for name in ("npi", "licence_number", "licence_state", "licence_expires_on", "dea_number"):
            value = getattr(self, name)
            if value:
                wire[name] = value
        return wire


def request_account(client: ApiClient, request: AccountRequest) -> str:
    """Send the request (no sign-in needed); its id. It then waits for the pharmacy."""
    answer = client.read(
        AccountRequestCreatedWire,
        "POST",
        "/account-requests",
        json_body=request.to_wire(),
        authenticated=False,
    )
    return answer.id


@dataclass(frozen=True, repr=False)
class Enrollment:
    """The authenticator secret to enroll, shown once as a QR code and as text."""

    otpauth_uri: str
    secret: str
    digits: int = 6
    period: int = 30

    def __repr__(self) -> str:  # a second factor's seed is never printed or logged
        return "Enrollment(<secret>)"

    @property
    def grouped_secret(self) -> str:
        """The base32 secret in groups of four, easier to type by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def start_activation(client: ApiClient, username: str, code: str, password: str) -> Enrollment:
    """Check the e-mailed code and the new password; the authenticator secret to enroll.
    Nothing takes effect until ``confirm_activation`` sends a first code."""
    answer = client.read(
        ActivationWire,
        "POST",
        "/auth/activate",
        json_body={"username": username, "code": code.strip(), "password": password},
        authenticated=False,
    )
    return Enrollment(answer.otpauth_uri, answer.secret, answer.digits, answer.period)


def confirm_activation(client: ApiClient, username: str, code: str, otp: str) -> SignedInUser:
    """The authenticator's first code: the account becomes active and is signed in."""
    answer = client.read(
        LoginWire,
        "POST",
        "/auth/activate/confirm",
        json_body={"username": username, "code": code.strip(), "otp": clean_code(otp)},
        authenticated=False,
    )
    return client.adopt_session(answer)


# ------------------------------------------------------------------ pharmacy administration


def account_requests(
    client: ApiClient, status: str | None = "pending", cursor: str | None = None, limit: int = 50
) -> AccountRequestPage:
    return client.read(
        AccountRequestPage,
        "GET",
        "/admin/account-requests",
        params={"status": status, "cursor": cursor, "limit": limit},
    )


def approve_request(client: ApiClient, request_id: str) -> AccountRequestWire:
    return client.read(
        AccountRequestWire, "POST", f"/admin/account-requests/{request_id}/approve", json_body={}
    )


def reject_request(client: ApiClient, request_id: str, reason: str) -> AccountRequestWire:
    return client.read(
        AccountRequestWire,
        "POST",
        f"/admin/account-requests/{request_id}/reject",
        json_body={"reason": reason},
    )


def audit_events(
    client: ApiClient, cursor: str | None = None, limit: int = 50, action: str | None = None
) -> AuditPage:
    """One page of the audit trail, newest first (optionally one action, e.g. auth.login)."""
    return client.read(
        AuditPage,
        "GET",
        "/admin/audit",
        params={"cursor": cursor, "limit": limit, "action": action},
    )
