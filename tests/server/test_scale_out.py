"""Scale-out: two real server processes over one PostgreSQL database behind a loopback
round-robin balancer, with nothing a process keeps in memory needed by the next request.

Two prescribers sign in through the balancer and submit at the same time; every
submission is retried with its Idempotency-Key through the other server, and one per
prescriber is sent to both servers at once. A pharmacist reviews every order through
the balancer, and two approvals of one order race on the two servers. Then, read with
SQL, each order exists exactly once, and each server, asked directly, shows every
review. Failed sign-ins spread over both servers add up to one lockout and one
per-address limit."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
import sqlalchemy

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD, signing_sha256
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.templates import load_template_catalog
from pharmacy_server.security import new_secret_key_text
from portal_client.core.api_client import ApiClient
from portal_client.core.errors import ApiError
from portal_client.core.wire import PrescriptionWire
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server
from tests.helpers.postgres import ThrowawayPostgres
from tests.helpers.round_robin_proxy import RoundRobinProxy

pytestmark = pytest.mark.postgres

PER_PRESCRIBER = 4
PRESCRIBERS = ("prescriber1", "prescriber2")
# Sign-in and step-up check a password: generous on a busy 2-core machine.
TIMEOUT_S = 60.0


def _signed_in(url: str, username: str) -> ApiClient:
    client = ApiClient(url, connect_timeout=5.0, read_timeout=TIMEOUT_S)
    client.login(username, DEMO_PASSWORD)
    return client


def _body(label: str) -> dict[str, Any]:
    raw = {
        "template_id": "hydration-magnesium",
        "template_version": 1,
        "patient": {"given_name": "Zebediah", "family_name": "Canaryfield",
                    "birth_date": "1961-04-12", "sex": "male", "weight_kg": 81.5,
                    "height_cm": 180},
        "notes": label,
    }  # fmt: skip
    return parse_prescription(raw, load_template_catalog()).to_wire()


def _signed(client: ApiClient, body: dict[str, Any]) -> dict[str, Any]:
    grant = client.step_up(signing_sha256(body), password=DEMO_PASSWORD)
    return {**body, SIGNING_TOKEN_FIELD: grant.signing_token}


def _upstream(server: LiveServer) -> tuple[str, int]:
    address = urlparse(server.url)
    assert address.hostname is not None and address.port is not None
    return address.hostname, address.port


@contextmanager
def _two_servers_over(
    database_url: str, folder: Path, settings: dict[str, str] | None = None
) -> Iterator[list[LiveServer]]:
    # What a deployment shares between its servers: the database and the secret key.
    env = {
        "PHARMACY_SECRET_KEY": new_secret_key_text(),
        "PHARMACY_TRUSTED_PROXIES": "127.0.0.1",
        **(settings or {}),
    }
    with (
        start_live_server(folder / "a", database_url=database_url, extra_env=env) as first,
        start_live_server(folder / "b", database_url=database_url, extra_env=env) as second,
    ):
        yield [first, second]


@pytest.fixture
def two_servers(
    tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> Iterator[tuple[str, list[LiveServer]]]:
    database_url = throwaway_postgres.create()
    with _two_servers_over(database_url, tmp_path) as servers:
        yield database_url, servers


def _submit_with_retries(
    client: ApiClient, username: str, submitted: dict[str, PrescriptionWire]
) -> None:
    """Each order sent, then sent again with its key (the balancer sends a repeated key to
    the other server); the last one sent to both servers at the same moment."""
    for number in range(PER_PRESCRIBER):
        key = str(uuid.uuid4())
        body = _signed(client, _body(f"scale-out {username} {number}"))
        if number < PER_PRESCRIBER - 1:
            first = client.submit_prescription(body, key)
            again = client.submit_prescription(body, key)
        else:
            first, again = _sent_at_once(client, body, key)
        assert first.id == again.id and first.content_sha256 == again.content_sha256
        submitted[key] = first


def _sent_at_once(
    client: ApiClient, body: dict[str, Any], key: str
) -> tuple[PrescriptionWire, PrescriptionWire]:
    """The same order and key sent twice at the same moment (one to each server)."""
    start = threading.Barrier(2)

    def send(_: int) -> PrescriptionWire:
        start.wait(TIMEOUT_S)
        return client.submit_prescription(body, key)

    with ThreadPoolExecutor(2) as pool:
        first, again = pool.map(send, range(2))
    return first, again


def _rows_per_key(database_url: str) -> Counter[str]:
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            keys = connection.execute(
                sqlalchemy.text("SELECT idempotency_key FROM prescription")
            ).scalars()
            return Counter(str(key) for key in keys)
    finally:
        engine.dispose()


def _review_everything(
    pharmacist: ApiClient, submitted: dict[str, PrescriptionWire]
) -> dict[str, PrescriptionStatus]:
    """Approve or reject each order through the balancer; the last one is approved on
    both servers at once, and exactly one of the two may win."""
    outcomes: dict[str, PrescriptionStatus] = {}
    orders = sorted(submitted.values(), key=lambda item: item.notes)
    for number, order in enumerate(orders[:-1]):
        if number % 2:
            done = pharmacist.act(order.id, "reject", "Please send the renal panel.", seen_steps=1)
        else:
            done = pharmacist.act(order.id, "approve", seen_steps=1)
        outcomes[order.id] = done.status
    last = orders[-1]
    start = threading.Barrier(2)

    def approve(_: int) -> PrescriptionWire | ApiError:
        start.wait(TIMEOUT_S)
        try:
            return pharmacist.act(last.id, "approve", seen_steps=1)
        except ApiError as refused:
            return refused

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(approve, range(2)))
    won = [result for result in results if isinstance(result, PrescriptionWire)]
    lost = [result for result in results if isinstance(result, ApiError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].status == 409
    outcomes[last.id] = won[0].status
    return outcomes


def test_two_servers_behind_a_balancer_act_as_one(
    two_servers: tuple[str, list[LiveServer]], tmp_path: Path
) -> None:
    database_url, servers = two_servers
    with RoundRobinProxy([_upstream(server) for server in servers]) as balancer:
        prescribers = {name: _signed_in(balancer.url, name) for name in PRESCRIBERS}
        pharmacist = _signed_in(balancer.url, "pharmacist1")
        try:
            submitted: dict[str, dict[str, PrescriptionWire]] = {n: {} for n in PRESCRIBERS}
            with ThreadPoolExecutor(len(PRESCRIBERS)) as pool:
                running = [
                    pool.submit(_submit_with_retries, prescribers[name], name, submitted[name])
                    for name in PRESCRIBERS
                ]
                for done in running:
                    done.result()
            every_order = {k: v for orders in submitted.values() for k, v in orders.items()}
            outcomes = _review_everything(pharmacist, every_order)
        finally:
            for client in (*prescribers.values(), pharmacist):
                client.close()
        served = list(balancer.served)

    # Every order exactly once, though each key arrived at both servers.
    assert _rows_per_key(database_url) == Counter(dict.fromkeys(every_order, 1))
    submits: defaultdict[str, list[int]] = defaultdict(list)
    for request in served:
        if request.method == "POST" and request.idempotency_key is not None:
            assert request.status == 201, request
            submits[request.idempotency_key].append(request.upstream)
    assert all(sorted(where) == [0, 1] for where in submits.values()), submits
    replays = [r for r in served if r.idempotency_key is not None and r.replayed]
    assert len(replays) == len(every_order)  # one first answer and one replay per key
    # Each session's requests went to both servers (its token is good on either).
    for token in {r.authorization for r in served if r.authorization}:
        assert {r.upstream for r in served if r.authorization == token} == {0, 1}
    reviews = [r for r in served if r.method == "POST" and r.path.endswith("/actions")]
    assert {r.upstream for r in reviews} == {0, 1}

    # Every review visible from both servers, asked directly.
    assert set(outcomes.values()) == {PrescriptionStatus.APPROVED, PrescriptionStatus.REJECTED}
    for server in servers:
        readers = {name: _signed_in(server.url, name) for name in (*PRESCRIBERS, "pharmacist1")}
        try:
            for name in PRESCRIBERS:
                for order in submitted[name].values():
                    seen = readers[name].get_prescription(order.id)
                    assert seen.status is outcomes[order.id]
                    assert [step.action for step in seen.history][-1] in ("approve", "reject")
            queue = readers["pharmacist1"].all_prescriptions(status="submitted")
            assert not {item.id for item in queue.items} & set(outcomes)
        finally:
            for reader in readers.values():
                reader.close()

    # Both processes appended to one hash chain at once: it still verifies.
    verify = subprocess.run(
        [sys.executable, "-m", "pharmacy_server", "audit", "verify", "--database", database_url,
         "--state-dir", str(tmp_path / "verify")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    assert "audit trail intact" in verify.stdout


def _audited(database_url: str, action: str) -> int:
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = sqlalchemy.text("SELECT count(*) FROM audit_event WHERE action = :action")
            return int(connection.execute(query, {"action": action}).scalar_one())
    finally:
        engine.dispose()


def _sign_in_answer(balancer: RoundRobinProxy, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{balancer.url}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=TIMEOUT_S,
    )


def test_lockouts_and_address_limits_count_on_both_servers_together(
    tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> None:
    """Failures spread over both servers add up to one lockout, which ends the account's
    sessions on both; the per-address limit is one count for both as well."""
    limits = {"PHARMACY_LOCKOUT_THRESHOLD": "3", "PHARMACY_ADDRESS_FAILURE_LIMIT": "5"}
    database_url = throwaway_postgres.create()
    with (
        _two_servers_over(database_url, tmp_path, limits) as servers,
        RoundRobinProxy([_upstream(server) for server in servers]) as balancer,
    ):
        opened = _sign_in_answer(balancer, "prescriber1", DEMO_PASSWORD)
        assert opened.status_code == 200
        bearer = {"Authorization": f"Bearer {opened.json()['token']}"}
        for server in servers:  # one session, good on either server
            me = httpx.get(f"{server.url}/api/v1/auth/me", headers=bearer, timeout=TIMEOUT_S)
            assert me.status_code == 200
        wrong = [_sign_in_answer(balancer, "prescriber1", "not-the-password") for _ in range(3)]
        assert [answer.status_code for answer in wrong] == [401, 401, 401]
        # Locked: the right password is refused too (a sign-in never says why), on both.
        right = [_sign_in_answer(balancer, "prescriber1", DEMO_PASSWORD) for _ in range(2)]
        assert [answer.status_code for answer in right] == [401, 401]
        for server in servers:  # the session opened before is gone everywhere
            me = httpx.get(f"{server.url}/api/v1/auth/me", headers=bearer, timeout=TIMEOUT_S)
            assert me.status_code == 401
        # 3 counted failures from this address (a locked account's are not counted);
        # 2 more reach the limit of 5.
        for _ in range(2):
            assert _sign_in_answer(balancer, "nobody", "not-the-password").status_code == 401
        throttled = [_sign_in_answer(balancer, "pharmacist1", DEMO_PASSWORD) for _ in range(2)]
        assert [answer.status_code for answer in throttled] == [429, 429]
        served = list(balancer.served)
    assert _audited(database_url, "auth.lockout") == 1  # one lockout from both servers' counts
    logins = [r for r in served if r.path == "/api/v1/auth/login"]
    assert [r.upstream for r in logins if r.status == 200] == [0]  # the session before
    assert {r.upstream for r in logins if r.status == 401} == {0, 1}
    assert {r.upstream for r in logins if r.status == 429} == {0, 1}
