"""The text rule every field follows, on the client and the server alike."""

from __future__ import annotations

import pytest

from pharmacy_domain.text_rules import (
    CONTROL_REASON,
    INVISIBLE_REASON,
    LINE_BREAK_REASON,
    SURROGATE_REASON,
    clean_text,
    forbidden_characters,
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Ann\x00", CONTROL_REASON),
        ("Ann\x1b[2J", CONTROL_REASON),
        ("An\x85n", CONTROL_REASON),
        ("Ann\r\nLee", CONTROL_REASON),
        ("\ud800", SURROGATE_REASON),
        ("\u202eAnn", INVISIBLE_REASON),
        ("An\u200bn", INVISIBLE_REASON),
        ("Ann\u2066", INVISIBLE_REASON),
        ("\ufeffAnn", INVISIBLE_REASON),
        ("Ann\nLee", LINE_BREAK_REASON),
        ("Ann\tLee", LINE_BREAK_REASON),
    ],
)
def test_a_single_line_field_refuses(text: str, reason: str) -> None:
    assert forbidden_characters(text, multi_line=False) == reason
    assert clean_text(text, max_length=100) == ("", reason)


def test_multi_line_text_keeps_newline_and_tab_only() -> None:
    assert clean_text("take with food\n\tand water", max_length=100, multi_line=True) == (
        "take with food\n\tand water",
        None,
    )
    assert forbidden_characters("a\rb") == CONTROL_REASON


def test_accepted_text_is_stripped_and_in_nfc() -> None:
    assert clean_text("  Rene\u0301e\n", max_length=100) == ("Ren\u00e9e", None)
    assert clean_text("Zoë 李 محمد", max_length=100) == ("Zoë 李 محمد", None)


def test_length_counts_after_normalising() -> None:
    assert clean_text("e\u0301" * 3, max_length=3) == ("\u00e9" * 3, None)
    _value, reason = clean_text("x" * 101, max_length=100)
    assert reason == "must be at most 100 characters"
    assert "x" not in reason
