"""The server's SQLite file is locked (another connection's ``BEGIN EXCLUSIVE``) while
prescriptions are submitted: the client sees a retryable outcome, and once the lock
is released every prescription is on the server exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pharmacy_server.database_setup import DATABASE_KEY_FILE_NAME
from pharmacy_server.db import SQLITE_BUSY_TIMEOUT_MS
from pharmacy_server.private_files import read_key_file
from portal_client.core.api_client import ApiClient
from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.outbox import ApiClientTransport, Outbox, State, Why
from portal_client.core.durable.store import LocalStore
from tests.helpers.live_server import DEMO_PASSWORD, start_live_server
from tests.reliability.conftest import (
    new_serial,
    report,
    server_rows,
    sign,
    signed_body,
    signed_in,
)

RETRYABLE = (State.QUEUED, State.UNKNOWN)


@contextmanager
def exclusive_lock(database: Path, key: str) -> Iterator[None]:
    """Hold the write lock of the server's (encrypted) database until the block ends."""
    from sqlcipher3 import dbapi2

    locker = dbapi2.connect(str(database), isolation_level=None, timeout=10)
    try:
        locker.execute(f"PRAGMA key = \"x'{key}'\"")
        locker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            locker.execute("ROLLBACK")
    finally:
        locker.close()


def settle(outbox: Outbox, rounds: int = 5) -> None:
    for _ in range(rounds):
        outbox.reconcile()
        if all(item.state is State.SUBMITTED for item in outbox.items()):
            return


def test_locked_server_database_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    database = data_dir / "pharmacy.sqlite3"
    label = new_serial("locked")
    store = LocalStore.open(tmp_path / "client.sqlite3", RecordCipher(new_data_key()))
    with start_live_server(data_dir) as server:
        # Client A gives up after 1 s (the lock outlasts it); client B waits longer than
        # the server's busy timeout, so it hears the server's own answer to a locked file.
        impatient = signed_in(server.url)
        patient = ApiClient(server.url, connect_timeout=2.0, read_timeout=30.0)
        patient.login("prescriber2", DEMO_PASSWORD)
        outbox = Outbox(store, ApiClientTransport(impatient))
        patient_store = LocalStore.open(tmp_path / "patient.sqlite3", RecordCipher(new_data_key()))
        patient_outbox = Outbox(patient_store, ApiClientTransport(patient))
        serials = [f"{label} {n}" for n in range(3)]
        keys = [sign(outbox, impatient, signed_body(serial)).idempotency_key for serial in serials]
        patient_key = sign(patient_outbox, patient, signed_body(f"{label} patient")).idempotency_key
        started = time.monotonic()
        with exclusive_lock(database, read_key_file(data_dir / DATABASE_KEY_FILE_NAME)):
            outbox.process_due()
            impatient_whys = [(item.state, item.why) for item in outbox.items()]
            [patient_item] = patient_outbox.process_due()
            locked_for_s = time.monotonic() - started
        assert all(state in RETRYABLE for state, _ in impatient_whys), impatient_whys
        assert {why for _, why in impatient_whys} == {Why.NO_ANSWER}
        # The server waited its busy timeout, then asked for a retry (409 + Retry-After).
        assert locked_for_s * 1000 >= SQLITE_BUSY_TIMEOUT_MS
        assert patient_item.state is State.UNKNOWN, patient_item
        assert patient_item.why in (Why.IN_PROGRESS, Why.SERVER_UNAVAILABLE), patient_item

        settle(outbox)
        settle(patient_outbox)
        states = [item.state for item in [*outbox.items(), *patient_outbox.items()]]
        assert states == [State.SUBMITTED] * 4, states
        rows = server_rows(server.database_url, label)
        assert sorted(row.idempotency_key for row in rows) == sorted([*keys, patient_key])
        assert sorted(row.notes for row in rows) == sorted([*serials, f"{label} patient"])
        assert store.integrity_ok() and patient_store.integrity_ok()
        report(
            "locked-database",
            {
                "locked_for_s": round(locked_for_s, 1),
                "impatient_client": sorted({f"{s.value}/{w.value}" for s, w in impatient_whys}),
                "patient_client": f"{patient_item.state.value}/{patient_item.why.value}",
                "server_rows": len(rows),
                "signed": len(keys) + 1,
            },
        )
        impatient.close()
        patient.close()
        patient_store.close()
    store.close()
