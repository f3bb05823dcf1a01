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


#: A person's given or family name, an allergy, a clinic or display name.
MAX_NAME_LENGTH = 100
MAX_ALLERGY_LENGTH = 100
MAX_DISPLAY_NAME_LENGTH = 200
MAX_CLINIC_NAME_LENGTH = 200
#: A lab result's unit ("mg/dL"), and a code or field path a client echoes back.
MAX_LAB_UNIT_LENGTH = 20
MAX_CODE_LENGTH = 80
#: The prescriber's reason for going past a warning.
MAX_REASON_LENGTH = 500
#: A patient's postal address (several lines) and phone number, for shipping to the patient.
MAX_ADDRESS_LENGTH = 300
MAX_PHONE_LENGTH = 40
#: The name a prescriber gives a favorite order ("Myers' — my usual").
MAX_FAVORITE_NAME_LENGTH = 80
#: One message in a prescription's thread between the prescriber and the pharmacy.
MAX_MESSAGE_LENGTH = 2000
