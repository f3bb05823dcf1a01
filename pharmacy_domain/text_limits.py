"""Lengths the client checks while a person types and the server enforces.

Passwords follow NIST 800-63B §5.1.1.2: a length range and nothing about composition.
Their length counts Unicode code points after NFKC normalisation, so "é" typed as one
code point or as "e" plus a combining accent counts the same on both sides.
"""

from __future__ import annotations

import unicodedata

#: The longest note a step of the lifecycle takes (a reason, a question, an answer), and
#: the longest free-text note on a prescription.
MAX_NOTE_LENGTH = 2000

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
PASSWORD_LENGTH_RULE = f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters."


def password_length(password: str) -> int:
    """The length the password rules count: code points after NFKC normalisation."""
    return len(unicodedata.normalize("NFKC", password))
