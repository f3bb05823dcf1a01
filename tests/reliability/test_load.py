"""20 clients × 50 submissions through seeded random faults, on SQLite and PostgreSQL,
and on two server processes sharing one PostgreSQL database.

Each client is a whole client stack of its own (store file, ApiClient, Outbox,
OutboxWorker thread) behind its own fault proxy. While the prescriptions are
signed and sent, every request (submits and lookups alike) draws a fault from a
seeded mix. Then the faults stop, the workers stop, and every outbox is
reconciled. The server's table, read with SQL, must then hold exactly one row per
signed prescription: server rows = distinct keys = acknowledged outbox rows.

``RELIABILITY_LOAD_CLIENTS`` and ``RELIABILITY_LOAD_PER_CLIENT`` scale it;
``RELIABILITY_SEED`` replays a fault sequence (thread timing still varies).
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from portal_client.core.api_client import ApiClient
from portal_client.core.durable.backoff import BackoffPolicy
from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.outbox import (
    ApiClientTransport,
    Outbox,
    OutboxItem,
    OutboxWorker,
    State,
)
from portal_client.core.durable.store import LocalStore
from tests.helpers.fault_proxy import Fault, FaultProxy
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server
from tests.reliability.conftest import READ_TIMEOUT_S, report, server_rows, sign, signed_body

CLIENTS = int(os.environ.get("RELIABILITY_LOAD_CLIENTS", "20"))
PER_CLIENT = int(os.environ.get("RELIABILITY_LOAD_PER_CLIENT", "50"))
# Relative weights: about half the requests misbehave in one way or another.
FAULT_MIX = {
    Fault.PASS: 50,
    Fault.DELAY: 10,  # 0.05-1.5 s: some answers arrive after the client's 1 s read timeout
    Fault.HANG: 3,
    Fault.HANG_AFTER_FORWARD: 4,
    Fault.RESET_BEFORE_FORWARD: 6,
    Fault.RESET_AFTER_RESPONSE: 6,
    Fault.TRUNCATE_RESPONSE: 5,
    Fault.ERROR_500_AFTER_FORWARD: 5,
    Fault.ERROR_503: 5,
    Fault.ERROR_429: 6,
}
DELAY_RANGE_S = (0.05, 1.5)
RETRY_AFTER_S = 1.0
# Quick background retries so the run fits in CI; the schedule's shape is unchanged.
FAST_BACKGROUND = BackoffPolicy(base=0.05, cap=1.0)
FAULT_PHASE_LIMIT_S = 60.0
DRAIN_ROUNDS = 10


@dataclass
class ClientStack:
    number: int
    path: Path
    cipher: RecordCipher
    proxy: FaultProxy
    client: ApiClient
    signer: ApiClient  # straight to the server: step-ups are not the load under test
    store: LocalStore
    outbox: Outbox
    worker: OutboxWorker
    serials: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    all_finished: threading.Event = field(default_factory=threading.Event)

    def watch(self, item: OutboxItem) -> None:
        del item  # any change may be the last one: count again
        if len(self.keys) == PER_CLIENT and self.outbox.pending_summary().unsent == 0:
            self.all_finished.set()


def open_stack(number: int, root: Path, upstreams: list[tuple[str, int]], seed: int) -> ClientStack:
    proxy = FaultProxy(*upstreams[0])
    for host, port in upstreams[1:]:
        proxy.add_upstream(host, port)
    proxy.start()
    cipher = RecordCipher(new_data_key())
    path = root / f"client-{number:02d}" / "store.sqlite3"
    store = LocalStore.open(path, cipher)
    # Sign in before the faults start, with time for argon2 on a busy machine; the
    # load under test is the outbox's, which then gets the short read timeout.
    client = ApiClient(proxy.url, connect_timeout=2.0, read_timeout=60.0)
    client.login(f"prescriber{1 + number % 2}", DEMO_PASSWORD)
    client.timeout = (2.0, READ_TIMEOUT_S)
    signer = ApiClient(f"http://{upstreams[0][0]}:{upstreams[0][1]}", read_timeout=60.0)
    signer.login(f"prescriber{1 + number % 2}", DEMO_PASSWORD)
    outbox = Outbox(
        store,
        ApiClientTransport(client),
        rng=random.Random(seed),
        background=FAST_BACKGROUND,
    )
    proxy.randomize(FAULT_MIX, seed=seed, delay=DELAY_RANGE_S, retry_after=RETRY_AFTER_S)
    stack = ClientStack(
        number,
        path,
        cipher,
        proxy,
        client,
        signer,
        store,
        outbox,
        OutboxWorker(outbox, max_idle=1.0),
    )
    outbox.subscribe(stack.watch)
    return stack


def sign_and_send(stack: ClientStack, label: str) -> None:
    """The prescriber signs 50 prescriptions; the worker sends them as they come."""
    stack.worker.start()
    for n in range(PER_CLIENT):
        serial = f"load {label} c{stack.number:02d} n{n:03d}"
        item = sign(stack.outbox, stack.signer, signed_body(serial))
        stack.serials.append(serial)
        stack.keys.append(item.idempotency_key)
        stack.worker.poke()
    stack.watch(item)


def drain(stack: ClientStack) -> int:
    """Faults are off: reconcile until every row is finished; returns the rounds used."""
    for round_number in range(1, DRAIN_ROUNDS + 1):
        stack.outbox.reconcile()
        if all(item.state is State.SUBMITTED for item in stack.outbox.items()):
            return round_number
    return DRAIN_ROUNDS + 1


@contextlib.contextmanager
def client_stacks(
    root: Path, upstreams: list[tuple[str, int]], seed: int
) -> Iterator[list[ClientStack]]:
    with ThreadPoolExecutor(max_workers=4) as pool:  # sign-ins are argon2: keep them few at once
        stacks = list(pool.map(lambda n: open_stack(n, root, upstreams, seed + n), range(CLIENTS)))
    try:
        yield stacks
    finally:
        for stack in stacks:
            stack.worker.stop(timeout=5)
            stack.proxy.stop()
            stack.store.close()
            stack.client.close()
            stack.signer.close()


def run_load(
    name: str, database_url: str, servers: list[LiveServer], root: Path
) -> dict[str, object]:
    seed = int(os.environ.get("RELIABILITY_SEED", random.randrange(2**31)))
    label = uuid.uuid4().hex[:10]
    upstreams = []
    for server in servers:
        address = urlparse(server.url)
        assert address.hostname is not None and address.port is not None
        upstreams.append((address.hostname, address.port))
    started = time.monotonic()
    with client_stacks(root, upstreams, seed) as stacks:
        # Phase 1: sign and send through the faults.
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(lambda stack: sign_and_send(stack, label), stacks))
        deadline = time.monotonic() + FAULT_PHASE_LIMIT_S
        for stack in stacks:
            stack.all_finished.wait(max(0.0, deadline - time.monotonic()))
        fault_phase_s = time.monotonic() - started
        finished_under_faults = sum(
            item.state is State.SUBMITTED for stack in stacks for item in stack.outbox.items()
        )
        # Phase 2: faults off, workers stopped, every outbox reconciled.
        for stack in stacks:
            stack.proxy.clear()
        for stack in stacks:
            assert stack.worker.stop(timeout=10), f"worker {stack.number} did not stop"
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            drain_rounds = list(pool.map(drain, stacks))
        unsettled = {
            stack.number: Counter(f"{i.state.value}/{i.why.value}" for i in stack.outbox.items())
            for stack, rounds in zip(stacks, drain_rounds, strict=True)
            if rounds > DRAIN_ROUNDS
        }
        assert not unsettled, f"seed {seed}: rows left unfinished {unsettled}"
        faults: Counter[str] = Counter()
        attempts = 0
        acknowledged: dict[str, str] = {}  # idempotency key -> server id, as the outboxes hold it
        for stack in stacks:
            faults.update({fault.value: count for fault, count in stack.proxy.applied.items()})
            for item in stack.outbox.items():
                attempts += item.attempts
                if item.state is State.SUBMITTED and item.server_id is not None:
                    acknowledged[item.idempotency_key] = item.server_id
        forwarded: Counter[int] = Counter()
        for stack in stacks:
            forwarded.update(stack.proxy.forwarded_to)
        # Every store opens again (as after a restart) and is intact.
        corrupted = []
        for stack in stacks:
            stack.store.close()
            stack.store = LocalStore.open(stack.path, stack.cipher)
            if not stack.store.integrity_ok():
                corrupted.append(stack.number)
        signed_keys = [key for stack in stacks for key in stack.keys]
        serials = [serial for stack in stacks for serial in stack.serials]
    total_s = time.monotonic() - started

    rows = server_rows(database_url, f"load {label} ")
    expected = CLIENTS * PER_CLIENT
    row_keys = Counter(row.idempotency_key for row in rows)
    row_serials = Counter(row.notes for row in rows)
    duplicated = [serial for serial, count in row_serials.items() if count > 1]
    lost = [serial for serial in serials if serial not in row_serials]
    figures: dict[str, object] = {
        "seed": seed,
        "clients": CLIENTS,
        "per_client": PER_CLIENT,
        "servers": len(servers),
        "database": database_url.split(":", 1)[0],
        "fault_mix_weights": {fault.value: weight for fault, weight in FAULT_MIX.items()},
        "faults_applied": dict(sorted(faults.items())),
        "requests_through_proxies": sum(faults.values()),
        "requests_per_upstream": sorted(forwarded.values()),
        "send_attempts": attempts,
        "finished_under_faults": finished_under_faults,
        "server_rows": len(rows),
        "distinct_server_keys": len(row_keys),
        "acknowledged_outbox_rows": len(acknowledged),
        "signed": len(signed_keys),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "corrupted_stores": len(corrupted),
        "max_drain_rounds": max(drain_rounds),
        "fault_phase_s": round(fault_phase_s, 1),
        "total_s": round(total_s, 1),
    }
    report(name, figures)
    assert (lost, duplicated, corrupted) == ([], [], []), figures
    assert len(rows) == len(row_keys) == len(acknowledged) == len(signed_keys) == expected, figures
    assert set(row_keys) == set(acknowledged) == set(signed_keys)
    # Each outbox row names the very server row made with its key.
    assert {row.idempotency_key: row.id for row in rows} == acknowledged
    return figures


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_clients_times_submissions_through_random_faults(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        data_dir = tmp_path / "server"
        server_context = start_live_server(data_dir)
    else:
        postgres_url = request.getfixturevalue("throwaway_postgres_url")
        server_context = start_live_server(tmp_path / "server", database_url=postgres_url)
    with server_context as server:
        database_url = server.database_url
        figures = run_load(f"load-{backend}", database_url, [server], tmp_path / "clients")
    assert figures["faults_applied"]


@pytest.mark.postgres
def test_two_servers_over_one_postgres_share_the_load(
    tmp_path: Path, throwaway_postgres_url: str
) -> None:
    with (
        start_live_server(tmp_path / "server-a", database_url=throwaway_postgres_url) as first,
        start_live_server(tmp_path / "server-b", database_url=throwaway_postgres_url) as second,
    ):
        figures = run_load(
            "load-postgres-two-servers", throwaway_postgres_url, [first, second], tmp_path
        )
    per_upstream = figures["requests_per_upstream"]
    assert isinstance(per_upstream, list) and len(per_upstream) == 2
    assert min(per_upstream) > 0  # both servers really took part
