"""The client's side of a field clarification without Qt (``core.version_diff``): the body
to sign is the latest content with the proposal applied, checked against the order's hash."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pharmacy_domain.canonical import canonical_sha256
from pharmacy_domain.field_proposals import ingredient_path
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.templates import load_template_catalog
from portal_client.core.version_diff import (
    ContentMismatch,
    accepted_body,
    proposal_text,
    version_html,
)
from portal_client.core.version_wire import PrescriptionVersionsWire
from portal_client.core.wire import PrescriptionWire, parse

MAGNESIUM = ingredient_path("magnesium-chloride-20")


def _content() -> dict[str, Any]:
    body = {
        "template_id": "myers-infusion",
        "template_version": 1,
        "patient": {"given_name": "A", "family_name": "B", "birth_date": "1980-04-02"},
    }
    catalog = load_template_catalog()
    return parse_prescription(body, catalog, today=dt.date(2026, 12, 4)).to_wire()


def _signer() -> dict[str, str]:
    return {"id": "u1", "display_name": "Priya Nair, PharmD"}


def _versions(content: dict[str, Any], *extra: dict[str, Any]) -> PrescriptionVersionsWire:
    first = {
        "number": 1, "content": content, "content_sha256": canonical_sha256(content),
        "created_at": "2026-12-04T01:00:00Z", "signed_by": _signer(),
        "signed_at": "2026-12-04T01:00:00Z", "signing_method": "password", "evaluation": None,
    }  # fmt: skip
    proposal = {
        "id": "p1", "field": MAGNESIUM, "label": "Magnesium chloride", "unit": "mL",
        "kind": "number", "current_value": 5, "value": 3.0, "message": "3 mL?",
        "state": "open", "base_version": 1, "accepted_version": None,
        "proposed_by": _signer(), "proposed_at": "2026-12-04T01:05:00Z",
    }  # fmt: skip
    answer = {"latest": len(extra) + 1, "versions": [first, *extra], "proposals": [proposal]}
    return parse(PrescriptionVersionsWire, answer)


def _item(content: dict[str, Any], **changes: Any) -> PrescriptionWire:
    wire = {
        **content, "id": "rx", "reference": "RX-261204-0001", "status": "needs_clarification",
        "created_at": "x", "updated_at": "x", "template_name": "Myers'",
        "prescriber": {"id": "u2", "display_name": "Dr. Maya Chen", "clinic": "C"},
        "content_sha256": canonical_sha256(content), "evaluation": None, "signature": None,
        "review": None,
    }  # fmt: skip
    return parse(PrescriptionWire, wire | changes)


def test_the_body_to_sign_is_the_latest_content_with_the_proposal_applied() -> None:
    content = _content()
    body = accepted_body(_item(content), _versions(content))
    assert body["ingredients"][0] == {"code": "magnesium-chloride-20", "amount": 3.0, "unit": "mL"}
    assert {k: v for k, v in body.items() if k != "ingredients"} == {
        k: v for k, v in content.items() if k != "ingredients"
    }


def test_versions_that_do_not_hold_the_orders_content_are_refused() -> None:
    content = _content()
    with pytest.raises(ContentMismatch):
        accepted_body(_item(content, content_sha256="0" * 64), _versions(content))


def test_the_proposal_and_the_diff_read_as_shown() -> None:
    content = _content()
    versions = _versions(content)
    assert proposal_text(versions.proposals[0]) == (
        "Magnesium chloride 5 mL → 3 mL proposed by Priya Nair, PharmD"
    )
    assert "first signed" in version_html(versions, 1, None)
