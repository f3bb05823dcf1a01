"""A store named after the server's address moves to the pharmacy's name, still sealed
with its own key, so a pharmacy reached on a new port or address finds the drafts."""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path

import pytest

from portal_client.core.durable import KeyStore, StoreInUse, open_user_store, store_path
from portal_client.core.durable.store import pharmacy_scope, pharmacy_store_path
from tests.unit.durable.fakes import prescription_body
from tests.unit.durable.test_keystore import MemoryBackend

OLD_ADDRESS = "http://127.0.0.1:50123"
NEW_ADDRESS = "http://127.0.0.1:50999"
PHARMACY = "6f1c2b1e-2d7e-4d6a-9d43-0d7f5b2c1a10"
USER = "prescriber1"


def _keystores(backend: MemoryBackend) -> partial[KeyStore]:
    return partial(KeyStore, backend=backend)


def _old_store_with_work(data_dir: Path, backend: MemoryBackend) -> None:
    """Today's store: named after the address, a draft and a signed, unsent order."""
    session = open_user_store(data_dir, OLD_ADDRESS, USER, None, keystores=_keystores(backend))
    session.drafts.save("d1", prescription_body(), title="Myers' cocktail")
    session.outbox.sign(prescription_body())
    session.close()


def test_the_old_store_moves_over_and_opens_from_another_port(tmp_path: Path) -> None:
    backend = MemoryBackend()
    _old_store_with_work(tmp_path, backend)
    old_file = store_path(tmp_path, OLD_ADDRESS, USER)
    sealed_before = old_file.read_bytes()

    moved = open_user_store(
        tmp_path, OLD_ADDRESS, USER, None, pharmacy_id=PHARMACY, keystores=_keystores(backend)
    )
    assert [draft.id for draft in moved.drafts.list()] == ["d1"]
    assert moved.outbox.pending_summary().unsent == 1
    moved.close()
    new_file = pharmacy_store_path(tmp_path, PHARMACY, USER)
    assert not old_file.exists() and new_file.exists()

    # A restarted demo on another port: the same pharmacy, the same drafts.
    restarted = open_user_store(
        tmp_path, NEW_ADDRESS, USER, None, pharmacy_id=PHARMACY, keystores=_keystores(backend)
    )
    assert [draft.id for draft in restarted.drafts.list()] == ["d1"]
    restarted.close()

    # Still encrypted: the patient's name is in no clear column, before or after.
    plain = sqlite3.connect(new_file)
    try:
        rows = plain.execute("SELECT * FROM drafts").fetchall()
    finally:
        plain.close()
    assert rows and "Canaryfield" not in repr(rows)
    assert b"Canaryfield" not in sealed_before
    # Sealed under the same key, now kept under the pharmacy's name too.
    old_key = KeyStore(OLD_ADDRESS, backend=backend).existing_data_key(USER)
    new_key = KeyStore(pharmacy_scope(PHARMACY), backend=backend).existing_data_key(USER)
    assert old_key is not None and old_key == new_key


def test_a_store_already_under_the_pharmacys_name_is_never_overwritten(tmp_path: Path) -> None:
    backend = MemoryBackend()
    first = open_user_store(
        tmp_path, NEW_ADDRESS, USER, None, pharmacy_id=PHARMACY, keystores=_keystores(backend)
    )
    first.drafts.save("kept", prescription_body())
    first.close()
    _old_store_with_work(tmp_path, backend)

    again = open_user_store(
        tmp_path, OLD_ADDRESS, USER, None, pharmacy_id=PHARMACY, keystores=_keystores(backend)
    )
    assert [draft.id for draft in again.drafts.list()] == ["kept"]
    again.close()
    assert store_path(tmp_path, OLD_ADDRESS, USER).exists()  # left where it was, unharmed


def test_an_old_store_whose_key_is_gone_stays_where_it_is(tmp_path: Path) -> None:
    backend = MemoryBackend()
    _old_store_with_work(tmp_path, backend)
    backend.secrets.clear()  # the keyring was reset

    fresh = open_user_store(
        tmp_path, OLD_ADDRESS, USER, None, pharmacy_id=PHARMACY, keystores=_keystores(backend)
    )
    assert fresh.drafts.list() == []
    fresh.close()
    assert store_path(tmp_path, OLD_ADDRESS, USER).exists()


def test_an_old_store_open_in_another_instance_is_not_moved(tmp_path: Path) -> None:
    backend = MemoryBackend()
    _old_store_with_work(tmp_path, backend)
    running = open_user_store(tmp_path, OLD_ADDRESS, USER, None, keystores=_keystores(backend))
    try:
        with pytest.raises(StoreInUse):
            open_user_store(
                tmp_path,
                OLD_ADDRESS,
                USER,
                None,
                pharmacy_id=PHARMACY,
                keystores=_keystores(backend),
            )
    finally:
        running.close()
    assert not pharmacy_store_path(tmp_path, PHARMACY, USER).exists()


def test_users_and_pharmacies_do_not_share_a_store(tmp_path: Path) -> None:
    names = {
        pharmacy_store_path(tmp_path, PHARMACY, USER),
        pharmacy_store_path(tmp_path, PHARMACY, "prescriber2"),
        pharmacy_store_path(tmp_path, "another-pharmacy", USER),
        store_path(tmp_path, OLD_ADDRESS, USER),
    }
    assert len(names) == 4
    assert all(USER not in name.name for name in names)
