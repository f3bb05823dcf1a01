"""Shared pieces for driving the outbox against a real server through the fault proxy."""

from __future__ import annotations

import functools
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import sqlalchemy

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.templates import TemplateCatalog, load_template_catalog
from portal_client.core.api_client import ApiClient
from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.outbox import ApiClientTransport, Outbox, OutboxItem
from portal_client.core.durable.store import LocalStore
from portal_client.core.errors import ApiError
from tests.helpers.fault_proxy import FaultProxy
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server
from tests.helpers.postgres import PostgresServer

PRESCRIPTIONS_PATH = "/api/v1/prescriptions"
# Short enough that hangs resolve quickly; a loaded machine that times out
# spuriously only adds faults, and the invariants must hold all the same.
READ_TIMEOUT_S = 1.0


@functools.cache
def catalog() -> TemplateCatalog:
    return load_template_catalog()


def signed_body(serial: str) -> dict[str, Any]:
    """A valid prescription in the exact form the server stores (what you see is what you sign)."""
    raw = {
        "template_id": "hydration-magnesium",
        "template_version": 1,
        "patient": {
            "given_name": "Zebediah",
            "family_name": "Canaryfield",
            "birth_date": "1961-04-12",
            "sex": "male",
            "weight_kg": 81.5,
            "height_cm": 180,
        },
        "notes": serial,
    }
    return parse_prescription(raw, catalog()).to_wire()


def new_serial(label: str) -> str:
    return f"reliability {label} {uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_live_server(tmp_path_factory.mktemp("server")) as live:
        yield live


@pytest.fixture
def proxy(server: LiveServer) -> Iterator[FaultProxy]:
    address = urlparse(server.url)
    assert address.hostname is not None and address.port is not None
    with FaultProxy(address.hostname, address.port) as running:
        yield running


# Password checks (argon2, 64 MiB each, a few at a time) can take seconds on a busy
# 2-core machine: sign-in and step-up get this; everything else the short timeout.
PASSWORD_CHECK_TIMEOUT = (2.0, 60.0)


def signed_in(url: str, username: str = "prescriber1") -> ApiClient:
    client = ApiClient(url, connect_timeout=2.0, read_timeout=READ_TIMEOUT_S)
    short = client.timeout
    client.timeout = PASSWORD_CHECK_TIMEOUT
    try:
        client.login(username, DEMO_PASSWORD)
    finally:
        client.timeout = short
    return client


_SERVERS_WITHOUT_SIGNING: set[str] = set()


def sign(
    outbox: Outbox, signer: ApiClient, body: dict[str, Any], *, draft_id: str | None = None
) -> OutboxItem:
    """Sign as the prescriber does: a step-up for the body's signing hash (on a server
    that has signing; an older one answers 404), then queue it with the token.

    ``signer`` is signed in as the outbox's user; pass one that bypasses the fault
    proxy when faults are drawn at random (the GUI would just ask again)."""
    token: str | None = None
    if signer.base_url not in _SERVERS_WITHOUT_SIGNING:
        short = signer.timeout
        signer.timeout = PASSWORD_CHECK_TIMEOUT
        try:
            token = _step_up(signer, body)
        finally:
            signer.timeout = short
    return outbox.sign(body, draft_id=draft_id, signing_token=token)


#: A step-up the server answers "busy" (503 ``server.busy``: its database was held past
#: the busy timeout, nothing written) is asked again, as the sign dialog lets the
#: prescriber do, after the server's Retry-After; this many times at most.
BUSY_STEP_UP_ATTEMPTS = 10


def _step_up(signer: ApiClient, body: dict[str, Any]) -> str | None:
    for attempt in range(1, BUSY_STEP_UP_ATTEMPTS + 1):
        try:
            return signer.step_up(signing_sha256(body), password=DEMO_PASSWORD).signing_token
        except ApiError as error:
            if error.status == 404:
                _SERVERS_WITHOUT_SIGNING.add(signer.base_url)
                return None
            if error.status != 503 or attempt == BUSY_STEP_UP_ATTEMPTS:
                raise
            # The server's own Retry-After: the condition is on its side, not a guess.
            time.sleep(error.retry_after or 1.0)
    return None


@dataclass
class ClientSide:
    path: Path
    cipher: RecordCipher
    client: ApiClient
    store: LocalStore
    outbox: Outbox

    def reopen(self) -> None:
        """As after a restart: drop the objects, open the same file again."""
        self.store.close()
        self.store = LocalStore.open(self.path, self.cipher)
        self.outbox = Outbox(self.store, ApiClientTransport(self.client))


@pytest.fixture
def client_side(tmp_path: Path, proxy: FaultProxy) -> Iterator[ClientSide]:
    cipher = RecordCipher(new_data_key())
    path = tmp_path / "client" / "store.sqlite3"
    store = LocalStore.open(path, cipher)
    client = signed_in(proxy.url)
    side = ClientSide(path, cipher, client, store, Outbox(store, ApiClientTransport(client)))
    yield side
    side.store.close()
    client.close()


def server_counts(url: str, serials: list[str]) -> Counter[str]:
    """How many server rows carry each serial, read through a pharmacist's listing."""
    pharmacist = signed_in(url, "pharmacist1")
    try:
        page = pharmacist.all_prescriptions()
    finally:
        pharmacist.close()
    wanted = set(serials)
    return Counter(item.notes for item in page.items if item.notes in wanted)


def rows_per_key(url: str, keys: list[str]) -> dict[str, int]:
    prescriber = signed_in(url)
    try:
        return {key: prescriber.list_prescriptions(idempotency_key=key).total for key in keys}
    finally:
        prescriber.close()


@pytest.fixture
def throwaway_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    url = postgres_server.create_database("reliability")
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@dataclass(frozen=True)
class ServerRow:
    id: str
    prescriber_id: str
    idempotency_key: str
    notes: str


def server_rows(database_url: str, notes_containing: str) -> list[ServerRow]:
    """Every prescription row in the server's database whose notes contain the label,
    read with SQL directly (not through the API whose behaviour is under test)."""
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            result = connection.execute(
                sqlalchemy.text(
                    "SELECT id, prescriber_id, idempotency_key, content_json FROM prescription"
                )
            ).all()
    finally:
        engine.dispose()
    rows = []
    for row_id, prescriber_id, key, content_json in result:
        notes = str(json.loads(content_json).get("notes") or "")
        if notes_containing in notes:
            rows.append(ServerRow(str(uuid.UUID(str(row_id))), str(prescriber_id), str(key), notes))
    return rows


def report(name: str, figures: dict[str, Any]) -> None:
    """Print one summary line per run (``pytest -s`` shows it); with
    ``RELIABILITY_REPORT_DIR`` set, also write the figures there as JSON."""
    print(f"\nRELIABILITY {name} {json.dumps(figures, sort_keys=True)}")
    directory = os.environ.get("RELIABILITY_REPORT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / f"{name}.json").write_text(
            json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
