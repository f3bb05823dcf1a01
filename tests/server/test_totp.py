"""``pharmacy_server.totp`` against RFC 6238 Appendix B's published SHA1 vectors, not
against codes it made itself; and the tests' own authenticator against the same vectors."""

from __future__ import annotations

import datetime as dt

import pytest

from pharmacy_server import totp
from tests.helpers.rfc6238 import SHA1_SECRET, SHA1_VECTORS, Vector, reference_code
from tests.helpers.totp_accounts import Authenticator

VECTOR_IDS = [str(vector.unix_time) for vector in SHA1_VECTORS]


def at(unix_time: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix_time, dt.UTC)


@pytest.mark.parametrize("vector", SHA1_VECTORS, ids=VECTOR_IDS)
def test_the_time_step_is_the_rfcs_t(vector: Vector) -> None:
    assert totp.STEP_SECONDS == 30
    assert totp.time_step(at(vector.unix_time)) == vector.step


@pytest.mark.parametrize("vector", SHA1_VECTORS, ids=VECTOR_IDS)
def test_eight_digit_codes_are_the_published_ones(vector: Vector) -> None:
    assert totp.code_at(SHA1_SECRET, vector.step, digits=8) == vector.code


@pytest.mark.parametrize("vector", SHA1_VECTORS, ids=VECTOR_IDS)
def test_our_six_digit_code_is_the_published_codes_last_six(vector: Vector) -> None:
    assert totp.DIGITS == 6
    assert totp.code_at(SHA1_SECRET, vector.step) == vector.six_digits


@pytest.mark.parametrize("vector", SHA1_VECTORS, ids=VECTOR_IDS)
def test_the_published_code_signs_in_at_its_time_once(vector: Vector) -> None:
    now = at(vector.unix_time)
    assert totp.matching_step(SHA1_SECRET, vector.six_digits, now, None) == vector.step
    # Typed with a space, as apps show it: "940 872"... still the same code.
    spaced = f"{vector.six_digits[:3]} {vector.six_digits[3:]}"
    assert totp.matching_step(SHA1_SECRET, spaced, now, None) == vector.step
    # Used once: the same step (or an older one) is refused.
    assert totp.matching_step(SHA1_SECRET, vector.six_digits, now, vector.step) is None
    # The 8-digit form is not what we ask for.
    assert totp.matching_step(SHA1_SECRET, vector.code, now, None) is None


@pytest.mark.parametrize("vector", SHA1_VECTORS[1:], ids=VECTOR_IDS[1:])
def test_the_window_is_one_step_either_side(vector: Vector) -> None:
    code = vector.six_digits
    step_start = vector.step * totp.STEP_SECONDS
    one_step_late = at(step_start + totp.STEP_SECONDS)
    one_step_early = at(step_start - totp.STEP_SECONDS)
    assert totp.matching_step(SHA1_SECRET, code, one_step_late, None) == vector.step
    assert totp.matching_step(SHA1_SECRET, code, one_step_early, None) == vector.step
    two_steps_late = at(step_start + 2 * totp.STEP_SECONDS)
    two_steps_early = at(step_start - 2 * totp.STEP_SECONDS)
    assert totp.matching_step(SHA1_SECRET, code, two_steps_late, None) is None
    assert totp.matching_step(SHA1_SECRET, code, two_steps_early, None) is None


def test_the_enrollment_uri_says_sha1_six_digits_thirty_seconds() -> None:
    uri = totp.provisioning_uri(SHA1_SECRET, account="dr.rivers", issuer="Northside Pharmacy")
    assert uri.startswith("otpauth://totp/Northside%20Pharmacy:dr.rivers?")
    # base32 of "12345678901234567890" (RFC 4648 §6), unpadded.
    assert "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in uri
    assert "algorithm=SHA1" in uri
    assert "digits=6" in uri
    assert "period=30" in uri


@pytest.mark.parametrize("vector", SHA1_VECTORS, ids=VECTOR_IDS)
def test_the_tests_authenticator_gives_the_published_codes(vector: Vector) -> None:
    """The helper every account test signs in with is checked on its own, too."""
    assert reference_code(SHA1_SECRET, vector.step, digits=8) == vector.code
    phone = Authenticator("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    phone.last_step = vector.step
    assert phone.used_code() == vector.six_digits
