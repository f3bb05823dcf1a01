"""Whether an order as shown is the order as signed, checked on the client (no Qt).

The body the views show (``PrescriptionWire.body()``, the content exactly as the server
sent it) is hashed here with the domain's RFC 8785 canonical form and compared twice:
with the server's ``content_sha256`` (the content was not changed after it was stored),
and, with the patient record link the composer signs alongside it, with the signature's
``body_sha256`` (it is what the prescriber signed). Either mismatch, or no signature, is
a specific failure the desk shows above the order and that keeps Approve disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html import escape

from pharmacy_domain.canonical import canonical_sha256, signing_sha256
from pharmacy_domain.patient_records import PATIENT_LINK_FIELD
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.wire import PrescriptionWire


class Verdict(StrEnum):
    VERIFIED = "verified"
    #: The content hashes to something else than the server's ``content_sha256``.
    CONTENT_CHANGED = "content_changed"
    #: The content is intact but is not what the signature covers.
    NOT_AS_SIGNED = "not_as_signed"
    #: No signature (or no signed hash) is recorded for the order.
    UNSIGNED = "unsigned"
    #: The content holds a value canonical JSON cannot carry (NaN, a huge integer).
    UNHASHABLE = "unhashable"


_PROBLEMS = {
    Verdict.CONTENT_CHANGED: QT_TRANSLATE_NOOP(
        "SignatureCheck",
        "Signature NOT verified: the order shown does not match the content hash the "
        "server stored for it. Do not approve it; tell the pharmacy's administrator.",
    ),
    Verdict.NOT_AS_SIGNED: QT_TRANSLATE_NOOP(
        "SignatureCheck",
        "Signature NOT verified: the order shown is not the one the prescriber signed "
        "(its hash differs from the signed hash). Do not approve it; ask the prescriber "
        "to sign it again.",
    ),
    Verdict.UNSIGNED: QT_TRANSLATE_NOOP(
        "SignatureCheck",
        "Signature NOT verified: no signature is recorded for this order. Do not approve it.",
    ),
    Verdict.UNHASHABLE: QT_TRANSLATE_NOOP(
        "SignatureCheck",
        "Signature NOT verified: the order holds a value that cannot be hashed. "
        "Do not approve it; tell the pharmacy's administrator.",
    ),
}
VERIFIED_TEXT = QT_TRANSLATE_NOOP("SignatureCheck", "Signature verified")


@dataclass(frozen=True)
class SignatureCheck:
    verdict: Verdict
    #: SHA-256 of the content as shown ("" when it could not be hashed).
    content_sha256: str = ""

    @property
    def verified(self) -> bool:
        return self.verdict is Verdict.VERIFIED

    def problem(self) -> str:
        """What is wrong, in words ("" when verified)."""
        text = _PROBLEMS.get(self.verdict)
        return translate("SignatureCheck", text) if text else ""


def check_signature(item: PrescriptionWire) -> SignatureCheck:
    """The order ``item`` as shown against its stored hash and its signature."""
    body = item.body()
    try:
        content = canonical_sha256(body)
    except ValueError:
        return SignatureCheck(Verdict.UNHASHABLE)
    if content != item.content_sha256:
        return SignatureCheck(Verdict.CONTENT_CHANGED, content)
    signature = item.signature
    if signature is None or not signature.body_sha256:
        return SignatureCheck(Verdict.UNSIGNED, content)
    # The server keeps the record link beside the content, not in it; it was signed.
    signed = body if not item.patient_id else {**body, PATIENT_LINK_FIELD: item.patient_id}
    if signing_sha256(signed) != signature.body_sha256:
        return SignatureCheck(Verdict.NOT_AS_SIGNED, content)
    return SignatureCheck(Verdict.VERIFIED, content)


def failure_banner_html(check: SignatureCheck) -> str:
    """Above the order: the failure, prominent; a verified order's one quiet line."""
    if check.verified:
        return f"<p style='margin:0 0 8px 0'>{verdict_html(check)}</p>"
    return (
        "<p style='background:#FDE8E8;color:#8A1C1C;border:2px solid #C53030;"
        f"padding:8px;font-weight:bold'>{escape(check.problem())}</p>"
    )


def verdict_html(check: SignatureCheck) -> str:
    """The signature table's line: verified (with the hash's start) or the failure."""
    if not check.verified:
        return f"<span style='color:#8A1C1C;font-weight:bold'>{escape(check.problem())}</span>"
    return (
        f"<span style='color:#1E6B3A;font-weight:bold'>✔ "
        f"{escape(translate('SignatureCheck', VERIFIED_TEXT))}</span>"
        f" <span style='color:#7B8794;font-size:8pt'>SHA-256 {escape(check.content_sha256[:12])}…"
        "</span>"
    )
