"""Readiness, request ids and metrics, in-process (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.security import Passwords
from tests.server.support import (
    encrypted_test_url,
    login_headers,
    new_prescription_body,
    signed,
    submit,
)

METRICS_TOKEN = "metrics-" + uuid.uuid4().hex


@pytest.fixture
def metered(
    settings: ServerSettings, database: Database, passwords: Passwords
) -> Iterator[TestClient]:
    """The app with a metrics token (the test client's peer is not loopback)."""
    app = create_app(
        settings.model_copy(update={"metrics_token": METRICS_TOKEN}),
        database=database,
        passwords=passwords,
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _metric(text: str, name: str, labels: str = "") -> float:
    pattern = rf"^{re.escape(name)}{re.escape('{' + labels + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def _metrics(client: TestClient) -> str:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return answer.text


def test_readyz_answers_ready_on_a_migrated_database(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "detail": ""}


def test_readyz_answers_503_on_a_database_without_the_schema(
    tmp_path: Path, settings: ServerSettings, passwords: Passwords
) -> None:
    blank = Database.from_url(encrypted_test_url(tmp_path / "blank.sqlite3"))
    app = create_app(settings, database=blank, passwords=passwords)
    try:
        with TestClient(app) as http:
            answer = http.get("/readyz")
            assert http.get("/healthz").status_code == 200  # alive all the same
    finally:
        blank.dispose()
    assert answer.status_code == 503
    assert answer.json()["status"] == "not_ready"
    assert "pharmacy-server migrate" in answer.json()["detail"]


def test_readyz_answers_503_when_the_database_does_not_answer(
    settings: ServerSettings, passwords: Passwords
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    away = Database.from_url(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
    app = create_app(settings, database=away, passwords=passwords)
    try:
        with TestClient(app) as http:
            answer = http.get("/readyz")
            assert http.get("/healthz").status_code == 200
    finally:
        away.dispose()
    assert answer.status_code == 503
    assert answer.json() == {"status": "not_ready", "detail": "the database does not answer"}
    assert str(port) not in answer.text


def test_a_sane_request_id_comes_back_and_a_bad_one_is_replaced(client: TestClient) -> None:
    sent = str(uuid.uuid4())
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent
    for bad in ("has spaces in it", "x" * 65, "short", 'quote"d-value-here'):
        returned = client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert returned != bad
        assert uuid.UUID(returned)
    made = client.get("/api/v1/no-such-route").headers["x-request-id"]
    assert uuid.UUID(made)


def test_metrics_count_a_submission_a_failed_sign_in_and_the_route(metered: TestClient) -> None:
    before = _metrics(metered)
    refused = metered.post(
        "/api/v1/auth/login", json={"username": "prescriber1", "password": "wrong-password"}
    )
    assert refused.status_code == 401
    headers = login_headers(metered, "prescriber1")
    key = str(uuid.uuid4())
    body = signed(metered, headers, new_prescription_body())
    status, created = submit(metered, headers, body, key=key)
    assert status == 201
    replayed, again = submit(metered, headers, body, key=key)
    assert (replayed, again["id"]) == (201, created["id"])
    metered.get(f"/api/v1/prescriptions/{created['id']}", headers=headers)
    after = _metrics(metered)

    def grew(name: str, labels: str = "") -> float:
        return _metric(after, name, labels) - _metric(before, name, labels)

    assert grew("pharmacy_prescriptions_submitted_total") == 1  # the replay is not new
    assert grew("pharmacy_sign_in_failures_total", 'step="password"') == 1
    route = 'method="GET",route="/api/v1/prescriptions/{prescription_id}",status="200"'
    assert grew("pharmacy_http_requests_total", route) == 1
    histogram = 'method="POST",route="/api/v1/prescriptions",le="+Inf"'
    assert grew("pharmacy_http_request_duration_seconds_bucket", histogram) >= 2
    # No ids, names or users in any label.
    assert created["id"] not in after
    assert "prescriber1" not in after and "Canary" not in after


def test_metrics_are_refused_without_the_token_to_a_peer_off_loopback(
    metered: TestClient,
) -> None:
    assert metered.get("/metrics").status_code == 403
    wrong = metered.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    assert wrong.headers["cache-control"] == "no-store"
