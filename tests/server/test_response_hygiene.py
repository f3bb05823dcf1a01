"""Every answer forbids caching and type sniffing, errors included; the interactive docs
and the schema are served in demo mode only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.security import Passwords
from tests.server.support import FakeClock, Headers, new_prescription_body

DOCS = ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")


class _Headers(Protocol):
    def get_list(self, key: str) -> list[str]: ...


class _Answer(Protocol):
    @property
    def headers(self) -> _Headers: ...


def assert_hygienic(answer: _Answer) -> None:
    assert answer.headers.get_list("cache-control") == ["no-store"]
    assert answer.headers.get_list("x-content-type-options") == ["nosniff"]


def test_signed_in_answers_and_tokens_are_never_cached(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    login = client.post(
        "/api/v1/auth/login", json={"username": "prescriber1", "password": "demo-password"}
    )
    assert login.status_code == 200 and "token" in login.json()
    assert_hygienic(login)
    prescriber = as_user("prescriber1")
    for path in ("/api/v1/auth/me", "/api/v1/prescriptions", "/api/v1/templates", "/healthz"):
        answer = client.get(path, headers=prescriber)
        assert answer.status_code == 200, path
        assert_hygienic(answer)
    checked = client.post(
        "/api/v1/prescriptions/validate", headers=prescriber, json=new_prescription_body()
    )
    assert checked.status_code == 200
    assert_hygienic(checked)


def test_errors_carry_the_headers_too(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber = as_user("prescriber1")
    answers = {
        401: client.get("/api/v1/auth/me"),
        403: client.get("/api/v1/admin/users", headers=prescriber),
        404: client.get("/api/v1/nothing-here"),
        405: client.delete("/api/v1/templates", headers=prescriber),
        413: client.post(
            "/api/v1/prescriptions/validate",
            headers=prescriber,
            content=b"{" + b" " * (300 * 1024) + b"}",
        ),
        422: client.get("/api/v1/prescriptions", headers=prescriber, params={"limit": 0}),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        assert_hygienic(answer)


def test_an_unexpected_failure_carries_the_headers(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)

    def fails() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/test-only-failure", fails)
    answer = client.get("/api/v1/test-only-failure")
    assert answer.status_code == 500 and answer.json() == {"detail": "Internal server error"}
    assert_hygienic(answer)


@pytest.fixture
def production_client(
    settings: ServerSettings, database: Database, passwords: Passwords, clock: FakeClock
) -> Iterator[TestClient]:
    outside_demo = settings.model_copy(update={"demo_mode": False})
    app = create_app(outside_demo, database=database, passwords=passwords, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_no_docs_or_schema_outside_demo_mode(production_client: TestClient) -> None:
    for path in DOCS:
        answer = production_client.get(path)
        assert answer.status_code == 404, path
        assert answer.json() == {"detail": "Not Found"}
        assert_hygienic(answer)
    # The schema is still built in-process (contract tests, tools).
    app = production_client.app
    assert isinstance(app, FastAPI)
    assert "/api/v1/prescriptions" in app.openapi()["paths"]


def test_demo_mode_serves_docs_and_schema(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert_hygienic(answer)
    assert "/api/v1/prescriptions" in client.get("/openapi.json").json()["paths"]
