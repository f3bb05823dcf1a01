"""The wire contract: one builder per response, one place mapping domain errors to HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from pharmacy_domain.canonical import canonical_json
from pharmacy_server import errors
from pharmacy_server.errors import (
    BadRequest,
    Conflict,
    DeliveryFailed,
    DomainError,
    Forbidden,
    Invalid,
    Locked,
    NotAuthenticated,
    NotFound,
    TooLarge,
    TooManyAttempts,
    UnsupportedType,
)
from pharmacy_server.handlers import headers_of, status_of
from tests.server.support import Headers, new_prescription_body, signed

CASES: list[tuple[DomainError, int, dict[str, str]]] = [
    (BadRequest("x"), 400, {}),
    (NotAuthenticated("x"), 401, {}),
    (NotAuthenticated("x", challenge=True), 401, {"WWW-Authenticate": "Bearer"}),
    (Locked("x", retry_after=90), 401, {"Retry-After": "90"}),
    (Forbidden("x"), 403, {}),
    (NotFound("Thing"), 404, {}),
    (Conflict("x"), 409, {}),
    (Conflict("x", retry_after=1), 409, {"Retry-After": "1"}),
    (TooLarge("x"), 413, {}),
    (UnsupportedType("x"), 415, {}),
    (Invalid("x"), 422, {}),
    (TooManyAttempts("x", retry_after=5), 429, {"Retry-After": "5"}),
    (DeliveryFailed("x"), 502, {}),
]


@pytest.mark.parametrize(("error", "status", "headers"), CASES)
def test_each_domain_error_has_its_status_and_headers(
    error: DomainError, status: int, headers: dict[str, str]
) -> None:
    assert status_of(error) == status
    assert headers_of(error) == headers


def test_every_kind_of_domain_error_is_mapped() -> None:
    """A new kind of error needs a status here (and a case above), not a 500."""
    kinds = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, DomainError) and value is not DomainError
    }
    assert kinds == {type(error) for error, _, _ in CASES}


def test_a_lock_says_how_long_in_the_body_and_the_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ErrorBody"]
    assert "retry_after_seconds" in schema["properties"]
    assert Locked("x", retry_after=90).extra == {"retry_after_seconds": 90}


def test_the_201_is_the_prescription_as_read_back(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    """Submission and every later read come from one builder: the stored 201 is the
    canonical JSON of the prescription as GET returns it right after."""
    headers = as_user("prescriber1")
    body = signed(client, headers, new_prescription_body())
    created = client.post(
        "/api/v1/prescriptions",
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        json=body,
    )
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/prescriptions/{created.json()['id']}", headers=headers)
    assert read.status_code == 200
    assert created.content == canonical_json(read.json())
