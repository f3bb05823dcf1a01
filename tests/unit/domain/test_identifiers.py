"""NPI and DEA check digits: the one copy the client and the server both use."""

from __future__ import annotations

import pytest

from pharmacy_domain.identifiers import (
    DEA_LENGTH,
    NPI_LENGTH,
    dea_check_digit,
    is_valid_dea,
    is_valid_npi,
    npi_check_digit,
)
from pharmacy_server import identifiers as server_identifiers


def test_the_cms_worked_example() -> None:
    # CMS, "Requirements for the NPI check digit": 123456789 gives the check digit 3.
    assert npi_check_digit("123456789") == "3"
    assert is_valid_npi("1234567893")


def test_a_hand_worked_npi() -> None:
    # 124531959: doubled from the right 9,9,3,4,1 -> 9+9+6+8+2 = 34; the others 5+1+5+2 = 13;
    # 24 (for 80840) + 34 + 13 = 71, so the check digit is 9.
    assert npi_check_digit("124531959") == "9"
    assert is_valid_npi("1245319599")


@pytest.mark.parametrize(
    "npi",
    [
        "1234567890",  # wrong check digit
        "1234567894",  # off by one
        "2134567893",  # two digits swapped: Luhn catches adjacent transpositions
        "123456789",  # too short
        "12345678930",  # too long
        "12345X7893",
        "１２３４５６７８９３",  # full-width digits are digits to str.isdigit, not to us
        "",
    ],
)
def test_invalid_npis(npi: str) -> None:
    assert not is_valid_npi(npi)


def test_every_single_digit_error_is_caught() -> None:
    valid = "1234567893"
    for position in range(NPI_LENGTH):
        for digit in "0123456789":
            typo = valid[:position] + digit + valid[position + 1 :]
            assert is_valid_npi(typo) == (typo == valid), typo


def test_dea_published_examples() -> None:
    # AB1234563: (1 + 3 + 5) + 2 × (2 + 4 + 6) = 33, last digit 3.
    assert dea_check_digit("123456") == "3"
    assert is_valid_dea("AB1234563")
    # AP5836727: (5 + 3 + 7) + 2 × (8 + 6 + 2) = 47, last digit 7.
    assert is_valid_dea("AP5836727")
    assert len("AP5836727") == DEA_LENGTH


@pytest.mark.parametrize(
    "dea",
    [
        "AB1234560",  # wrong check digit
        "AB2134563",  # two digits swapped
        "A11234563",  # the second character is a letter or 9
        "IB1234563",  # I is not a registrant type
        "ab1234563",  # the caller upper-cases what a person typed
        "AB123456",  # too short
        "AB12345633",  # too long
        "",
    ],
)
def test_invalid_dea_numbers(dea: str) -> None:
    assert not is_valid_dea(dea)


def test_a_nine_as_the_second_character() -> None:
    assert is_valid_dea("A91234563")


def test_client_and_server_use_this_copy() -> None:
    assert server_identifiers.is_valid_npi is is_valid_npi
    assert server_identifiers.is_valid_dea is is_valid_dea
    assert server_identifiers.npi_check_digit is npi_check_digit
