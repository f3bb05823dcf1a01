"""Whole server answers for stand-ins of the pharmacy: what the real ApiClient reads.

The client checks every answer against the contract, so a stand-in that leaves out a
required field is refused just as a broken server would be. Start from these and
change what a test is about.
"""

from __future__ import annotations

from typing import Any

from pharmacy_domain.canonical import canonical_sha256, signing_sha256
from portal_client.core.wire import PrescriptionWire, parse

CLINIC = "Riverside Infusion Clinic"


def prescriber(
    user_id: str = "u-pr", display_name: str = "Dr. Maya Chen", clinic: str = CLINIC
) -> dict[str, str]:
    return {"id": user_id, "display_name": display_name, "clinic": clinic}


def prescription_answer(**fields: Any) -> dict[str, Any]:
    """A prescription as ``GET /prescriptions/{id}`` answers it; ``fields`` replace keys."""
    answer: dict[str, Any] = {
        "id": "id-1",
        "reference": "RX-0001",
        "status": "submitted",
        "created_at": "2026-11-02T10:00:00Z",
        "updated_at": "2026-11-02T10:00:00Z",
        "template_id": "myers-infusion",
        "template_version": 1,
        "template_name": "Myers' cocktail",
        "patient": {"given_name": "Ada", "family_name": "Lovelace", "birth_date": "1980-02-03"},
        "ingredients": [],
        "access": "peripheral",
        "vehicle": None,
        "infusion_minutes": 60,
        "notes": "",
        "prescriber": prescriber(),
        "content_sha256": "0" * 64,
        "acknowledgements": [],
        "evaluation": None,
        "signature": None,
        "review": None,
        "history": [],
    }
    answer.update(fields)
    return answer


def prescription(**fields: Any) -> PrescriptionWire:
    """``prescription_answer`` as the real ApiClient hands it on: read into the wire type."""
    return parse(PrescriptionWire, prescription_answer(**fields))


def signed_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` with the hashes a real server would send for its content: the content's
    ``content_sha256`` and a signature over it, so the desk's check verifies it."""
    body = parse(PrescriptionWire, answer).body()
    signer = answer["prescriber"]
    return answer | {
        "content_sha256": canonical_sha256(body),
        "signature": {
            "signed_by": {"id": signer["id"], "display_name": signer["display_name"]},
            "signed_at": answer["created_at"],
            "body_sha256": signing_sha256(body),
            "method": "password",
        },
    }
