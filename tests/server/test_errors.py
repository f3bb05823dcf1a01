"""Unexpected failures answer with a bare JSON 500 and log no request body."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from typing import NoReturn

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from pharmacy_domain.canonical import canonical_json, canonical_sha256
from pharmacy_server.handlers import dotted_path
from pharmacy_server.prescriptions.service import PrescriptionService
from tests.server.support import Headers, new_prescription_body


def test_unexpected_error_is_a_bare_json_500(
    client: TestClient,
    as_user: Callable[[str], Headers],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(*_args: object, **_kwargs: object) -> NoReturn:
        raise RuntimeError("boom")

    monkeypatch.setattr(PrescriptionService, "submit", explode)
    caplog.set_level(logging.ERROR)
    response = client.post(
        "/api/v1/prescriptions",
        headers={**as_user("prescriber1"), "Idempotency-Key": str(uuid.uuid4())},
        json=new_prescription_body(),
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged
    assert "Canary" not in logged and "Testpatient" not in logged


def test_dotted_paths() -> None:
    assert dotted_path(("body", "patient", "allergies", 2)) == "patient.allergies[2]"
    assert dotted_path(("query", "limit")) == "limit"
    assert dotted_path(("body",)) == "body"


def test_canonical_json_is_sorted_compact_utf8() -> None:
    value = {"b": [1, 2.5], "a": "µg — ok", "c": None}
    assert canonical_json(value) == '{"a":"µg — ok","b":[1,2.5],"c":null}'.encode()
    assert canonical_sha256(value) == canonical_sha256(dict(reversed(list(value.items()))))
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


@pytest.mark.parametrize(
    "cause",
    [sqlite3.OperationalError("database is locked"), sqlite3.OperationalError("no such table")],
    ids=["locked", "other"],
)
def test_a_database_locked_past_its_wait_is_a_retryable_503(
    cause: sqlite3.OperationalError,
    client: TestClient,
    as_user: Callable[[str], Headers],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A writer that waited out the busy timeout gets 503 with Retry-After (the outbox
    retries it), not a 500 with a traceback; any other database fault stays a 500."""

    def locked(*_args: object, **_kwargs: object) -> NoReturn:
        raise OperationalError("INSERT INTO prescription ...", {}, cause)

    monkeypatch.setattr(PrescriptionService, "submit", locked)
    caplog.set_level(logging.WARNING)
    response = client.post(
        "/api/v1/prescriptions",
        headers={**as_user("prescriber1"), "Idempotency-Key": str(uuid.uuid4())},
        json=new_prescription_body(),
    )
    if "locked" in str(cause):
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert response.json()["code"] == "server.busy"
        assert not any(record.exc_info for record in caplog.records)
    else:
        assert response.status_code == 500
