"""The note limit and the password length rule, at their boundaries, on both sides."""

from __future__ import annotations

import pytest

from pharmacy_domain import status
from pharmacy_domain.text_limits import (
    MAX_NOTE_LENGTH,
    PASSWORD_LENGTH_RULE,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    password_length,
)
from pharmacy_server import password_policy
from portal_client.core import accounts
from portal_client.core.lifecycle_text import note_problem


def test_the_limits() -> None:
    assert MAX_NOTE_LENGTH == 2000
    assert (PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH) == (12, 128)
    assert PASSWORD_LENGTH_RULE == "12 to 128 characters."
    assert status.MAX_NOTE_LENGTH is MAX_NOTE_LENGTH
    assert password_policy.MIN_LENGTH == PASSWORD_MIN_LENGTH
    assert password_policy.MAX_LENGTH == PASSWORD_MAX_LENGTH


def test_password_length_counts_code_points_after_nfkc() -> None:
    assert password_length("é") == 1  # precomposed
    assert password_length("e\u0301") == 1  # e and a combining acute: NFKC composes them
    assert password_length("ﬁ") == 2  # the ligature is "fi" after NFKC
    assert password_length("🙂") == 1  # one code point, two UTF-16 units


@pytest.mark.parametrize(
    ("length", "accepted"),
    [
        (PASSWORD_MIN_LENGTH - 1, False),
        (PASSWORD_MIN_LENGTH, True),
        (PASSWORD_MAX_LENGTH, True),
        (PASSWORD_MAX_LENGTH + 1, False),
    ],
)
def test_client_and_server_agree_on_the_length_boundaries(length: int, accepted: bool) -> None:
    # Combining accents: 2 code points typed, 1 counted, so the count must be NFKC's.
    password = ("e\u0301" * length)[: 2 * length]
    assert password_length(password) == length
    client_ok = accounts.password_problem(password) is None
    server_reasons = [p.reason for p in password_policy.password_problems(password, username="u")]
    server_length_ok = not any("characters" in reason for reason in server_reasons)
    assert client_ok == accepted
    assert server_length_ok == accepted


def test_the_lifecycle_note_limit_in_the_client() -> None:
    from pharmacy_domain.status import ACTIONS

    ask = ACTIONS["request_clarification"]
    assert note_problem(ask, "x" * MAX_NOTE_LENGTH) is None
    assert note_problem(ask, "x" * (MAX_NOTE_LENGTH + 1)) is not None
