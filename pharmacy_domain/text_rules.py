"""What a text field may hold: the same rules on the client while a person types and on
the server for every request.

Every string at the server's edge (JSON keys and values, query parameters) is refused
when it holds a control character other than newline and tab, an unpaired surrogate
(it cannot be stored as UTF-8), or an invisible character that reorders or hides text
(bidi overrides and isolates, zero-width characters): a name that displays as another
is a patient mix-up waiting to happen. Single-line fields (names, codes, units) refuse
newline and tab too; multi-line free text (notes) keeps them. Accepted text is stripped
and normalised to NFC, so "é" typed as one code point or two is stored, hashed and
compared alike. The limits are in ``pharmacy_domain.text_limits``.
"""

from __future__ import annotations

import re
import unicodedata

#: Control characters (C0 but newline and tab, DEL, C1), surrogates, and the invisible
#: characters that change how text is ordered or joined.
_NEVER = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_LINE_BREAKS = re.compile("[\n\t]")

CONTROL_REASON = "contains control characters"
SURROGATE_REASON = "contains an unpaired surrogate (not valid Unicode)"
INVISIBLE_REASON = "contains invisible or text-direction characters"
LINE_BREAK_REASON = "must be a single line (no line breaks or tabs)"


def forbidden_characters(text: str, *, multi_line: bool = True) -> str | None:
    """Why ``text`` may not be taken, or None. Never quotes the text (it may name a
    patient)."""
    found = _NEVER.search(text)
    if found is not None:
        code = ord(found.group())
        if 0xD800 <= code <= 0xDFFF:
            return SURROGATE_REASON
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return CONTROL_REASON
        return INVISIBLE_REASON
    if not multi_line and _LINE_BREAKS.search(text) is not None:
        return LINE_BREAK_REASON
    return None


def clean_text(text: str, *, max_length: int, multi_line: bool = False) -> tuple[str, str | None]:
    """``text`` stripped and in NFC, and why it is refused (None when it is fine).

    Stripped first: a trailing newline pasted with a name is trimmed, not refused."""
    value = text.strip()
    reason = forbidden_characters(value, multi_line=multi_line)
    if reason is not None:
        return "", reason
    value = unicodedata.normalize("NFC", value)
    if len(value) > max_length:
        return value, f"must be at most {max_length} characters"
    return value, None
