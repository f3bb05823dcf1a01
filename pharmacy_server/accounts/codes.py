"""Activation codes: made for a new account, mailed once, compared as typed."""

from __future__ import annotations

import hashlib
import secrets

# Crockford base32 without I, L, O, U: nothing to misread in an e-mail.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 4  # 16 characters, 80 bits


def new_activation_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(
        chars[i : i + CODE_GROUP_LENGTH] for i in range(0, len(chars), CODE_GROUP_LENGTH)
    )


def activation_digest(code: str) -> str:
    """Codes are compared as typed, ignoring case, spaces and dashes."""
    normal = "".join(char for char in code.upper() if char.isalnum())
    return hashlib.sha256(normal.encode("ascii", "replace")).hexdigest()
