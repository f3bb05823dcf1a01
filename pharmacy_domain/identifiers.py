"""Check digits of the US prescriber identifiers: NPI and DEA registration numbers.

One copy for both sides: the client says what is wrong while a person types, the server
refuses the same numbers.
"""

from __future__ import annotations

import re

NPI_LENGTH = 10
DEA_LENGTH = 9
# "80840" (the US health-industry prefix) contributes 24 to the Luhn sum of every NPI.
_NPI_PREFIX_LUHN = 24
# First letter of a DEA number: the registrant type (practitioners A, B, F, G; mid-level
# practitioners M; ...). The second is the registrant's surname initial, or 9 for some.
DEA_PATTERN = re.compile(r"^[ABCDEFGHJKLMPRSTUX][A-Z9][0-9]{7}$")


def npi_check_digit(first_nine: str) -> str:
    """Luhn over the nine digits prefixed with 80840 (the CMS NPI check-digit rule)."""
    total = _NPI_PREFIX_LUHN
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_npi(npi: str) -> bool:
    """Ten ASCII digits whose last is the check digit of the first nine."""
    return (
        len(npi) == NPI_LENGTH
        and npi.isascii()
        and npi.isdigit()
        and npi_check_digit(npi[:9]) == npi[9]
    )


def dea_check_digit(six_digits: str) -> str:
    """(d1 + d3 + d5) + 2 × (d2 + d4 + d6), last digit."""
    d = [int(char) for char in six_digits]
    return str((d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10)


def is_valid_dea(dea: str) -> bool:
    """Two letters (upper case), six digits and their check digit."""
    return bool(DEA_PATTERN.match(dea)) and dea_check_digit(dea[2:8]) == dea[8]
