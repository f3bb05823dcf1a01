"""How numbers read in text: doses, amounts and limits, and derived clinical figures."""

from __future__ import annotations


def format_amount(value: float) -> str:
    """A dose, amount or limit as entered: no trailing zeros, no grouping (250, 0.5, 12.25).

    Read back by a person and by the composer's fields, so it must parse as the same number.
    """
    return f"{value:g}"


def format_rounded(value: float) -> str:
    """A derived figure at a clinician-friendly precision: 1,544 / 15.7 / 2.98."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")
