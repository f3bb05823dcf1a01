"""The sign-in window's decisions, without Qt: which step, what the button says and
allows, where Enter goes, what a failure leads to.

Imported before the sign-in window's first paint: nothing here imports ``requests``,
``keyring`` or the accounts module at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto
from typing import TYPE_CHECKING

from portal_client.core.errors import (
    InvalidCredentials,
    OutcomeUnknown,
    PortalError,
    ServerUnreachable,
)
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from portal_client.core.accounts import CodeChallenge

CODE_LENGTH = 6
NO_KEYRING_USERNAME_NOTICE = QT_TRANSLATE_NOOP(
    "SignIn",
    "This computer has no usable system keyring, so your user name will "
    "not be remembered after you quit. Nothing else is affected.",
)


def digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def sign_in_error_text(error: Exception) -> str:
    """Say what went wrong: the password or code, the account, the network, or we can't tell."""
    from portal_client.core.accounts import SignInRefused

    if isinstance(error, InvalidCredentials):
        if isinstance(error, SignInRefused):
            return str(error)  # says which: password, code, locked account, throttling
        return translate("SignIn", "Wrong user name or password. Check both and try again.")
    if isinstance(error, ServerUnreachable):
        return f"{error}"
    if isinstance(error, OutcomeUnknown):
        return translate("SignIn", "The server did not answer in time. Try again in a moment.")
    if isinstance(error, PortalError):
        return translate("SignIn", "Sign-in failed: {error}").format(error=error)
    return translate("SignIn", "Sign-in failed unexpectedly ({name}). Try again.").format(
        name=error.__class__.__name__
    )


class EnterGoes(Enum):
    """Where Enter in the user name or password field leads."""

    USERNAME = auto()
    PASSWORD = auto()
    SUBMIT = auto()


class AfterFailure(Enum):
    """What the form does once a failure's message is shown."""

    BACK_TO_PASSWORD = auto()  # the code step is over (expired, locked)
    RETRY_CODE = auto()  # the code is selected for retyping
    RETRY_PASSWORD = auto()  # the password is selected for retyping
    STAY = auto()


def after_failure(error: Exception, *, on_code_step: bool) -> AfterFailure:
    from portal_client.core.accounts import SignInRefused

    if isinstance(error, SignInRefused) and error.reason in ("challenge_expired", "locked"):
        return AfterFailure.BACK_TO_PASSWORD
    if on_code_step:
        return AfterFailure.RETRY_CODE
    if isinstance(error, InvalidCredentials):
        return AfterFailure.RETRY_PASSWORD
    return AfterFailure.STAY


def code_prompt_html(challenge: CodeChallenge) -> str:
    from html import escape  # not before the first paint (html.entities is large)

    return translate(
        "SignIn",
        "Password accepted for <b>{username}</b>. Enter the 6-digit code from "
        "your authenticator app.",
    ).format(username=escape(challenge.username))


def server_label_text(server_url: str) -> str:
    return translate("SignIn", "Server: {server_url}").format(server_url=server_url)


def keyring_notice_text(available: bool) -> str:
    return "" if available else translate("SignIn", NO_KEYRING_USERNAME_NOTICE)


@dataclass
class SignInForm:
    """Where the sign-in stands: the step, a request in flight, the server's readiness."""

    #: Demo mode waits for its local server; a real server is taken as ready.
    server_ready: bool = True
    busy: bool = False
    #: The password was accepted and a code is due (the window holds the challenge).
    on_code_step: bool = False

    def ready(self, *, username: str, password: str, code: str) -> bool:
        """Whether the form holds what the current step needs."""
        if self.on_code_step:
            return len(digits(code)) == CODE_LENGTH
        return bool(username.strip()) and bool(password)

    def submit_enabled(self, *, username: str, password: str, code: str) -> bool:
        ready = self.ready(username=username, password=password, code=code)
        return self.server_ready and not self.busy and ready

    @property
    def submit_text(self) -> str:
        if self.busy:
            return (
                translate("SignIn", "Checking…")
                if self.on_code_step
                else translate("SignIn", "Signing in…")
            )
        return (
            translate("SignIn", "Verify code")
            if self.on_code_step
            else translate("SignIn", "Sign in")
        )

    def progress_text(self, server_url: str) -> str:
        """Under the button while a request is in flight ("" when idle: no gap)."""
        return (
            translate("SignIn", "Contacting {server_url}…").format(server_url=server_url)
            if self.busy
            else ""
        )

    @property
    def server_change_allowed(self) -> bool:
        return not self.busy and not self.on_code_step

    @staticmethod
    def enter_goes(*, username: str, password: str) -> EnterGoes:
        if not username.strip():
            return EnterGoes.USERNAME
        if not password:
            return EnterGoes.PASSWORD
        return EnterGoes.SUBMIT

    def code_complete(self, code: str) -> bool:
        """Six digits typed or pasted: sent without waiting for Enter."""
        return len(digits(code)) == CODE_LENGTH and not self.busy
