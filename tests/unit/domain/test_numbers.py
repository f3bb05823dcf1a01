"""How numbers read in text: amounts as entered, derived figures rounded."""

from __future__ import annotations

import pytest

from pharmacy_domain.numbers import format_amount, format_rounded
from portal_client.core.composer import format_number


@pytest.mark.parametrize(
    ("value", "text"),
    [(250.0, "250"), (0.5, "0.5"), (12.25, "12.25"), (1000.0, "1000"), (0.0, "0"), (-2.0, "-2")],
)
def test_amounts_read_as_entered(value: float, text: str) -> None:
    assert format_amount(value) == text
    assert float(format_amount(value)) == value  # the composer reads it back


def test_the_composer_leaves_a_missing_amount_empty() -> None:
    assert format_number(None) == ""
    assert format_number(2.5) == format_amount(2.5)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1544.4, "1,544"), (15.74, "15.7"), (15.0, "15"), (2.984, "2.98"), (2.5, "2.5"), (3.0, "3")],
)
def test_derived_figures_are_rounded_for_reading(value: float, text: str) -> None:
    assert format_rounded(value) == text
