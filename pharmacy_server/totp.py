"""RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) and the otpauth:// enrollment URI.

Written out rather than imported: it is twenty lines, and the replay rule (each
(user, step) accepted once) needs the step a code matched, which libraries hide.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# One step either side absorbs clock drift and typing time (RFC 6238 §5.2; checklist C5).
WINDOW_STEPS = 1
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def time_step(now: dt.datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: bytes, step: int, digits: int = DIGITS) -> str:
    """The code for ``step``; ``digits`` other than six only to check RFC 6238's vectors."""
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def matching_step(secret: bytes, code: str, now: dt.datetime, last_step: int | None) -> int | None:
    """The step ``code`` belongs to within the window, if it is later than ``last_step``
    (the newest step already used): a code, or an older one, is never accepted twice."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = time_step(now)
    for step in range(current - WINDOW_STEPS, current + WINDOW_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def secret_to_base32(secret: bytes) -> str:
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def provisioning_uri(secret: bytes, *, account: str, issuer: str) -> str:
    """``otpauth://totp/Issuer:account?...``: what authenticator apps read from a QR code."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret_to_base32(secret),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
