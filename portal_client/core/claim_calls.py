"""``ApiClient``'s calls for claims on the pharmacist's desk
(``/api/v1/prescriptions/{id}/claim``); each answer is parsed here, at the boundary."""

from __future__ import annotations

from dataclasses import dataclass

from portal_client.core.calls import ApiCalls
from portal_client.core.errors import ApiError
from portal_client.core.wire import ClaimWire

#: The 409 ``code`` of a claim another pharmacist holds.
CLAIMED_CODE = "prescription.claimed"


@dataclass(frozen=True)
class ClaimRefused:
    """Another pharmacist holds the order: who, and since when (UTC, ISO 8601)."""

    holder_name: str
    since: str


class ClaimCalls:
    """Mixed into ``ApiClient``."""

    def claim(
        self: ApiCalls, prescription_id: str, *, take_over: bool = False
    ) -> ClaimWire | ClaimRefused:
        """Take (or renew) the claim on an order; ``ClaimRefused`` when another pharmacist
        holds it and ``take_over`` was not asked. Other failures raise as usual."""
        try:
            return self.read(
                ClaimWire,
                "POST",
                f"/prescriptions/{prescription_id}/claim",
                json_body={"take_over": take_over},
            )
        except ApiError as error:
            answer = error.answer
            if error.status == 409 and answer is not None and answer.code == CLAIMED_CODE:
                return ClaimRefused(answer.claimed_by or "", answer.claimed_since or "")
            raise

    def release_claim(self: ApiCalls, prescription_id: str) -> None:
        """Let go of the caller's claim (the server leaves anyone else's)."""
        self.request("DELETE", f"/prescriptions/{prescription_id}/claim")
