"""RFC 6238 as the tests know it: the published Appendix B vectors and a second, separate
implementation (the test's "phone"), so no test checks a code against the code that made it.

Appendix B lists 8-digit codes for the ASCII secret ``12345678901234567890`` (HMAC-SHA1).
We use 6 digits: the same HOTP value taken modulo 10**6, i.e. the last six digits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from typing import NamedTuple

STEP_SECONDS = 30
SHA1_SECRET = b"12345678901234567890"


class Vector(NamedTuple):
    unix_time: int
    step: int  # T in the RFC's table, there in hexadecimal
    code: str  # the published 8-digit code

    @property
    def six_digits(self) -> str:
        return self.code[-6:]


#: RFC 6238 Appendix B, the SHA1 rows.
SHA1_VECTORS = (
    Vector(59, 0x0000000000000001, "94287082"),
    Vector(1111111109, 0x00000000023523EC, "07081804"),
    Vector(1111111111, 0x00000000023523ED, "14050471"),
    Vector(1234567890, 0x000000000273EF07, "89005924"),
    Vector(2000000000, 0x0000000003F940AA, "69279037"),
    Vector(20000000000, 0x0000000027BC86AA, "65353130"),
)


def reference_code(secret: bytes, step: int, digits: int = 6) -> str:
    """RFC 4226 §5.3 dynamic truncation of HMAC-SHA1 over the 8-byte big-endian step."""
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[19] & 0x0F
    binary = (
        (digest[offset] & 0x7F) << 24
        | digest[offset + 1] << 16
        | digest[offset + 2] << 8
        | digest[offset + 3]
    )
    return f"{binary % 10**digits:0{digits}d}"


def reference_step(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def secret_from_base32(text: str) -> bytes:
    """An enrollment secret as the server shows it (base32, padding stripped)."""
    return base64.b32decode(text + "=" * (-len(text) % 8))
