from __future__ import annotations

from pathlib import Path

from keyring.backends import fail

from portal_client.core.durable import KeyStore, open_user_store, store_path
from portal_client.core.durable.keystore import NO_KEYRING_NOTICE
from tests.unit.durable.fakes import FakePharmacy, ScriptedTransport, prescription_body
from tests.unit.durable.test_keystore import MemoryBackend

SERVER = "https://pharmacy.example"


def test_with_a_keyring_the_store_is_a_file_that_survives_a_restart(tmp_path: Path) -> None:
    backend = MemoryBackend()
    session = open_user_store(
        tmp_path, SERVER, "prescriber1", None, keystore=KeyStore(SERVER, backend=backend)
    )
    assert session.persistent and session.notice is None
    session.drafts.save("d1", prescription_body())
    session.outbox.sign(prescription_body())
    session.close()
    assert store_path(tmp_path, SERVER, "prescriber1").exists()
    again = open_user_store(
        tmp_path, SERVER, "prescriber1", None, keystore=KeyStore(SERVER, backend=backend)
    )
    assert [d.id for d in again.drafts.list()] == ["d1"]
    assert again.outbox.pending_summary().unsent == 1
    again.close()


def test_users_do_not_share_a_store(tmp_path: Path) -> None:
    assert store_path(tmp_path, SERVER, "a") != store_path(tmp_path, SERVER, "b")
    assert "prescriber" not in store_path(tmp_path, SERVER, "prescriber1").name


def test_without_a_keyring_nothing_is_written(tmp_path: Path) -> None:
    transport = ScriptedTransport(FakePharmacy())
    session = open_user_store(
        tmp_path,
        SERVER,
        "prescriber1",
        transport,
        keystore=KeyStore(SERVER, backend=fail.Keyring()),
    )
    assert not session.persistent and session.notice == NO_KEYRING_NOTICE
    session.drafts.save("d1", prescription_body())
    key = session.outbox.sign(prescription_body()).idempotency_key
    item = session.outbox.send(key)
    assert item is not None and item.finished
    session.close()
    assert list(tmp_path.rglob("*.sqlite3*")) == []
