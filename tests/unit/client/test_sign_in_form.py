"""The sign-in window's decisions without Qt: the button, Enter, failures, the code step."""

from __future__ import annotations

import subprocess
import sys

import pytest

from portal_client.core.accounts import CodeChallenge, SignInRefused
from portal_client.core.errors import (
    InvalidCredentials,
    OutcomeUnknown,
    PortalError,
    ServerUnreachable,
)
from portal_client.core.sign_in import (
    NO_KEYRING_USERNAME_NOTICE,
    AfterFailure,
    EnterGoes,
    SignInForm,
    after_failure,
    code_prompt_html,
    keyring_notice_text,
    server_label_text,
    sign_in_error_text,
)


def test_the_password_step_needs_a_user_name_and_a_password() -> None:
    form = SignInForm()
    assert not form.submit_enabled(username="  ", password="secret", code="")
    assert not form.submit_enabled(username="ada", password="", code="")
    assert form.submit_enabled(username=" ada ", password="secret", code="")
    form.server_ready = False  # demo mode: the local server is still starting
    assert not form.submit_enabled(username="ada", password="secret", code="")


def test_the_code_step_needs_six_digits_and_sends_itself() -> None:
    form = SignInForm(on_code_step=True)
    assert not form.submit_enabled(username="", password="", code="12345")
    assert form.submit_enabled(username="", password="", code="123 456")
    assert not form.code_complete("12 34 5") and form.code_complete("123-456")
    form.busy = True  # one request at a time: the pasted code is not sent twice
    assert not form.code_complete("123456")
    assert not form.submit_enabled(username="", password="", code="123456")


def test_the_button_and_progress_say_what_is_happening() -> None:
    url = "https://rx.example"
    idle, busy = SignInForm(), SignInForm(busy=True)
    assert (idle.submit_text, idle.progress_text(url), idle.server_change_allowed) == (
        "Sign in",
        "",
        True,
    )
    assert (busy.submit_text, busy.progress_text(url), busy.server_change_allowed) == (
        "Signing in…",
        "Contacting https://rx.example…",
        False,
    )
    code, checking = SignInForm(on_code_step=True), SignInForm(on_code_step=True, busy=True)
    assert (code.submit_text, code.server_change_allowed) == ("Verify code", False)
    assert checking.submit_text == "Checking…"


@pytest.mark.parametrize(
    ("username", "password", "goes"),
    [
        ("", "secret", EnterGoes.USERNAME),
        ("  ", "", EnterGoes.USERNAME),
        ("ada", "", EnterGoes.PASSWORD),
        ("ada", "secret", EnterGoes.SUBMIT),
    ],
)
def test_enter_goes_to_what_is_missing_first(username: str, password: str, goes: EnterGoes) -> None:
    assert SignInForm.enter_goes(username=username, password=password) is goes


def test_failures_are_worded_and_lead_somewhere() -> None:
    refused = SignInRefused("wrong_code", "That code is not right. Check the app and retype it.")
    expired = SignInRefused("challenge_expired", "The code step took too long.")
    locked = SignInRefused("locked", "The account is locked for 15 minutes.")
    assert sign_in_error_text(refused) == str(refused)
    assert sign_in_error_text(InvalidCredentials("x")).startswith("Wrong user name or password")
    assert sign_in_error_text(ServerUnreachable("Cannot reach rx")) == "Cannot reach rx"
    assert sign_in_error_text(OutcomeUnknown("t")).startswith("The server did not answer")
    assert sign_in_error_text(PortalError("boom")) == "Sign-in failed: boom"
    assert "KeyError" in sign_in_error_text(KeyError("x"))

    assert after_failure(expired, on_code_step=True) is AfterFailure.BACK_TO_PASSWORD
    assert after_failure(locked, on_code_step=False) is AfterFailure.BACK_TO_PASSWORD
    assert after_failure(refused, on_code_step=True) is AfterFailure.RETRY_CODE
    assert after_failure(OutcomeUnknown("t"), on_code_step=True) is AfterFailure.RETRY_CODE
    assert after_failure(InvalidCredentials("x"), on_code_step=False) is (
        AfterFailure.RETRY_PASSWORD
    )
    assert after_failure(ServerUnreachable("x"), on_code_step=False) is AfterFailure.STAY


def test_texts_escape_what_the_server_or_user_typed() -> None:
    prompt = code_prompt_html(CodeChallenge("token", "<b>ada</b>"))
    assert "&lt;b&gt;ada&lt;/b&gt;" in prompt and "token" not in prompt
    assert server_label_text("https://rx.example") == "Server: https://rx.example"
    assert keyring_notice_text(True) == ""
    assert keyring_notice_text(False) == NO_KEYRING_USERNAME_NOTICE


def test_the_module_loads_nothing_heavy() -> None:
    """It is imported before the sign-in window paints."""
    probe = (
        "import sys, portal_client.core.sign_in; "
        "print(sorted(m for m in ('requests', 'keyring', 'portal_client.core.accounts', "
        "'html.entities', 'PySide6') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
