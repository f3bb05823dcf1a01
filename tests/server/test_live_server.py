"""Through a real ``pharmacy-server`` process over real HTTP: start-up, the demo
mode, and the concurrency guarantees (50 simultaneous submissions)."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

import pharmacy_server
from pharmacy_server.db import Database
from pharmacy_server.models import Prescription, User
from pharmacy_server.seed import DEMO_ACCOUNTS
from tests.helpers.live_server import (
    DEMO_PASSWORD,
    LiveServer,
    demo_database_url,
    start_live_server,
)
from tests.helpers.signing import sign_body
from tests.server.support import new_prescription_body

CONCURRENT_REQUESTS = 50


def _token(base_url: str, username: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def _fire_together(base_url: str, token: str, keys: list[str]) -> list[httpx.Response]:
    """Send one submit per key, all released by one barrier, each on its own connection.
    Each key's prescription is signed once beforehand (a repeated key reuses its body)."""
    barrier = threading.Barrier(len(keys))
    bodies = {key: sign_body(base_url, token, new_prescription_body()) for key in set(keys)}

    def send(key: str) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            barrier.wait(timeout=30)
            return http.post(
                "/api/v1/prescriptions",
                json=bodies[key],
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            )

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(send, keys))


def test_demo_server_writes_ready_file_and_serves(live_server: LiveServer) -> None:
    ready_files = list(live_server.data_dir.glob("ready-*.json"))
    assert len(ready_files) == 1
    ready = json.loads(ready_files[0].read_text())
    assert ready == {"url": live_server.url, "pid": live_server.process.pid}
    assert live_server.url.startswith("http://127.0.0.1:")
    health = httpx.get(f"{live_server.url}/healthz").json()
    assert uuid.UUID(health.pop("pharmacy_id"))
    assert health == {
        "status": "ok",
        "service": "pharmacy-server",
        "api_version": 1,
        "version": pharmacy_server.__version__,
        "pharmacy_name": "Northside Compounding Pharmacy",  # the demo's seeded pharmacy
    }
    for username in ("prescriber1", "prescriber2", "pharmacist1", "admin1"):
        _token(live_server.url, username)


def test_server_logs_carry_no_phi_or_secrets(live_server: LiveServer) -> None:
    """A canary patient goes through the whole flow: validate, draft, sign, submit,
    review, FHIR export. Neither the name nor any secret reaches the server's output."""
    url = live_server.url
    # Sign-in and step-up run argon2 (64 MiB); on a busy 2-core machine give them time.
    with httpx.Client(timeout=60) as http:
        token = _token(url, "prescriber1")
        auth = {"Authorization": f"Bearer {token}"}
        body = new_prescription_body()
        assert http.post(f"{url}/api/v1/prescriptions/validate", json=body, headers=auth).is_success
        draft = http.post(f"{url}/api/v1/drafts", json={"body": body}, headers=auth)
        assert draft.status_code == 201
        canary = sign_body(url, token, body)
        response = http.post(
            f"{url}/api/v1/prescriptions",
            json=canary,
            headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201
        prescription_id = response.json()["id"]
        pharmacist = {"Authorization": f"Bearer {_token(url, 'pharmacist1')}"}
        review = http.post(
            f"{url}/api/v1/prescriptions/{prescription_id}/review",
            json={"action": "approve"},
            headers=pharmacist,
        )
        assert review.status_code == 200
        fhir = http.get(f"{url}/api/v1/prescriptions/{prescription_id}/fhir", headers=pharmacist)
        assert "Canary" in fhir.text  # the bundle carries the patient; the logs must not
        http.post(
            f"{url}/api/v1/auth/login",
            json={"username": "prescriber1", "password": "canary-wrong-password"},
        )
    live_server.stop()
    log = live_server.log_text()
    assert "login" in log and "POST /api/v1/prescriptions" in log  # the log is not empty
    for secret in ("Canary", "Testpatient", "1980-04-02", token, DEMO_PASSWORD,
                   "canary-wrong-password", canary["signing_token"]):  # fmt: skip
        assert secret not in log


def test_demo_seed_is_idempotent_across_restarts(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    with start_live_server(data_dir) as first:
        token = _token(first.url, "prescriber1")
        created = httpx.post(
            f"{first.url}/api/v1/prescriptions",
            json=sign_body(first.url, token, new_prescription_body()),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "restart-key"},
        ).json()
    with start_live_server(data_dir) as second:
        token = _token(second.url, "prescriber1")
        listed = httpx.get(
            f"{second.url}/api/v1/prescriptions", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert [item["id"] for item in listed["items"]] == [created["id"]]
    demo_db = Database.from_url(demo_database_url(data_dir))
    try:
        with demo_db.reading() as session:
            usernames = sorted(session.scalars(select(User.username)))
    finally:
        demo_db.dispose()
    # Each demo account once: the second start added none again.
    assert usernames == sorted(account.username for account in DEMO_ACCOUNTS)


@pytest.mark.parametrize("scenario", ["one_key", "distinct_keys"])
def test_fifty_concurrent_submissions(
    database_url: str, database: Database, tmp_path: Path, scenario: str
) -> None:
    """One key sent 50 times at once → exactly one prescription; 50 keys → 50 prescriptions
    with 50 distinct references."""
    with start_live_server(tmp_path / "server", database_url=database_url) as server:
        token = _token(server.url, "prescriber1")
        shared = str(uuid.uuid4())
        keys = (
            [shared] * CONCURRENT_REQUESTS
            if scenario == "one_key"
            else [str(uuid.uuid4()) for _ in range(CONCURRENT_REQUESTS)]
        )
        responses = _fire_together(server.url, token, keys)
        log = server.log_text()

    statuses = Counter(response.status_code for response in responses)
    replays = sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses)
    backend = database.engine.dialect.name
    print(f"\n[{backend}] {scenario}: statuses={dict(statuses)} replays={replays}")
    assert set(statuses) <= {201, 409}, [r.text for r in responses if r.status_code >= 500]
    assert "database is locked" not in log
    with database.reading() as session:
        rows = session.scalar(select(func.count()).select_from(Prescription))
        references = set(session.scalars(select(Prescription.reference)))
    created = [r.json() for r in responses if r.status_code == 201]
    if scenario == "one_key":
        assert rows == 1
        assert len({body["id"] for body in created}) == 1
        assert replays == statuses[201] - 1
    else:
        assert statuses == {201: CONCURRENT_REQUESTS}
        assert rows == CONCURRENT_REQUESTS
        assert len(references) == CONCURRENT_REQUESTS
