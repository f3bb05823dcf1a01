"""``ApiClient``'s calls for field proposals and versions
(``/api/v1/prescriptions/{id}/proposals``, ``…/versions``); each answer parsed here."""

from __future__ import annotations

from typing import Any

from portal_client.core.calls import ApiCalls
from portal_client.core.version_wire import PrescriptionVersionsWire
from portal_client.core.wire import PrescriptionWire


class VersionCalls:
    """Mixed into ``ApiClient``."""

    def propose_change(
        self: ApiCalls,
        prescription_id: str,
        field: str,
        value: float | str,
        message: str,
        *,
        seen_steps: int | None = None,
    ) -> PrescriptionWire:
        """Ask the prescriber about ``field`` proposing ``value``; 422 names the field when
        the template does not allow it, 409 when the order moved on."""
        request: dict[str, Any] = {"field": field, "value": value, "message": message.strip()}
        if seen_steps is not None:
            request["seen_steps"] = seen_steps
        return self.read(
            PrescriptionWire,
            "POST",
            f"/prescriptions/{prescription_id}/proposals",
            json_body=request,
        )

    def prescription_versions(self: ApiCalls, prescription_id: str) -> PrescriptionVersionsWire:
        return self.read(
            PrescriptionVersionsWire, "GET", f"/prescriptions/{prescription_id}/versions"
        )

    def accept_change(
        self: ApiCalls, prescription_id: str, proposal_id: str, signing_token: str
    ) -> PrescriptionWire:
        """Sign the changed order as its next version (the token from a step-up over
        ``version_diff.accepted_body``); a retry answers the prescription as it is."""
        return self.read(
            PrescriptionWire,
            "POST",
            f"/prescriptions/{prescription_id}/proposals/{proposal_id}/accept",
            json_body={"signing_token": signing_token},
        )
