"""Signing a prescription over real HTTP, as the client does (issue 4).

Submissions need a ``signing_token`` from ``POST /api/v1/auth/step-up``, bound to the
SHA-256 of the RFC 8785 canonical body without the token
(``pharmacy_domain.canonical.signing_sha256``). Tests that submit through a live server
call ``sign_body`` first.
"""

from __future__ import annotations

from typing import Any

import httpx

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD, signing_sha256

DEMO_PASSWORD = "demo-password"


def sign_body(
    base_url: str,
    session_token: str,
    body: dict[str, Any],
    *,
    password: str = DEMO_PASSWORD,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """``body`` plus a fresh single-use signing token for exactly that body."""
    unsigned = {key: value for key, value in body.items() if key != SIGNING_TOKEN_FIELD}
    response = httpx.post(
        f"{base_url}/api/v1/auth/step-up",
        json={"password": password, "content_sha256": signing_sha256(unsigned)},
        headers={"Authorization": f"Bearer {session_token}"},
        timeout=timeout,
    )
    response.raise_for_status()
    return {**unsigned, SIGNING_TOKEN_FIELD: response.json()["signing_token"]}
