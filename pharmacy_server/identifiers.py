"""Check digits of the US prescriber identifiers: NPI and DEA registration numbers."""

from __future__ import annotations

import re

# First letter of a DEA number: the registrant type (practitioners A, B, F, G; mid-level
# practitioners M; ...). The second is the registrant's surname initial, or 9 for some.
_DEA_PATTERN = re.compile(r"^[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7}$")
_LICENCE_STATE = re.compile(r"^[A-Z]{2}$")


def npi_check_digit(first_nine: str) -> str:
    """The NPI check digit: Luhn over the digits prefixed with the 80840 health-industry code."""
    total = 24  # the Luhn contribution of the "80840" prefix
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_npi(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]


def dea_check_digit(six_digits: str) -> str:
    """(d1 + d3 + d5) + 2 × (d2 + d4 + d6), last digit."""
    digits = [int(char) for char in six_digits]
    total = digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])
    return str(total % 10)


def is_valid_dea(dea: str) -> bool:
    return bool(_DEA_PATTERN.match(dea)) and dea_check_digit(dea[2:8]) == dea[8]


def is_valid_state(code: str) -> bool:
    return bool(_LICENCE_STATE.match(code))
