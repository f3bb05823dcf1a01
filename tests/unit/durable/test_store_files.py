"""The store file's life: one process at a time, and a store sealed with a lost key
moved aside (never deleted) so the user can go on working."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail

from portal_client.core.durable import KeyStore, open_user_store, store_path
from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.drafts import DraftStore
from portal_client.core.durable.keystore import NO_KEYRING_NOTICE
from portal_client.core.durable.session import MOVED_ASIDE_NOTICE
from portal_client.core.durable.store import (
    LocalStore,
    StoreInUse,
    StoreKeyMismatch,
    move_aside,
)
from tests.unit.durable.fakes import prescription_body
from tests.unit.durable.test_keystore import MemoryBackend

SERVER = "https://pharmacy.example"
HOLD_OPEN = """
import sys
from pathlib import Path
from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.store import LocalStore, StoreInUse
try:
    LocalStore.open(Path(sys.argv[1]), RecordCipher(new_data_key()))
except StoreInUse as error:
    print("in use:", error)
    sys.exit(3)
"""


def test_a_second_open_of_the_same_store_is_refused_clearly(
    store: LocalStore, store_file: Path, cipher: RecordCipher
) -> None:
    with pytest.raises(StoreInUse, match="already open"):
        LocalStore.open(store_file, cipher)
    store.close()
    LocalStore.open(store_file, cipher).close()  # free again once closed


def test_another_process_cannot_open_a_store_in_use(store: LocalStore, store_file: Path) -> None:
    del store  # held open by this process
    other = subprocess.run(
        [sys.executable, "-c", HOLD_OPEN, str(store_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert other.returncode == 3, other.stderr
    assert "already open for this user" in other.stdout


def test_a_refused_second_open_leaves_the_first_working(
    store: LocalStore, store_file: Path, cipher: RecordCipher
) -> None:
    with pytest.raises(StoreInUse):
        LocalStore.open(store_file, cipher)
    DraftStore(store).save("d1", prescription_body())
    assert [d.id for d in DraftStore(store).list()] == ["d1"]


def test_key_mismatch_still_raises_by_default_and_frees_the_lock(
    store: LocalStore, store_file: Path, cipher: RecordCipher
) -> None:
    store.close()
    with pytest.raises(StoreKeyMismatch):
        LocalStore.open(store_file, RecordCipher(new_data_key()))
    LocalStore.open(store_file, cipher).close()


def test_store_with_a_lost_key_is_moved_aside_with_its_wal_and_a_fresh_one_started(
    store: LocalStore, store_file: Path, cipher: RecordCipher
) -> None:
    DraftStore(store).save("old", prescription_body())
    store.close()
    before = sorted(p.name for p in store_file.parent.iterdir())
    fresh = LocalStore.open(
        store_file, RecordCipher(new_data_key()), move_aside_if_key_differs=True
    )
    try:
        kept = fresh.moved_aside
        assert kept is not None and kept.exists() and kept.parent == store_file.parent
        assert kept.name.startswith("store.unreadable-") and kept.suffix == ".sqlite3"
        assert DraftStore(fresh).list() == []
    finally:
        fresh.close()
    assert len(list(store_file.parent.iterdir())) >= len(before)
    # The kept file is intact: with the old key back, the old draft is there.
    old = LocalStore.open(kept, cipher)
    assert [d.id for d in DraftStore(old).list()] == ["old"]
    old.close()


def test_move_aside_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    names = []
    for content in (b"first", b"second"):
        path = tmp_path / "user.sqlite3"
        path.write_bytes(content)
        (tmp_path / "user.sqlite3-wal").write_bytes(content + b" wal")
        names.append(move_aside(path, moment))
    assert [p.name for p in names] == [
        "user.unreadable-20260102T030405Z.sqlite3",
        "user.unreadable-20260102T030405Z-2.sqlite3",
    ]
    assert [p.read_bytes() for p in names] == [b"first", b"second"]
    assert (tmp_path / "user.unreadable-20260102T030405Z-2.sqlite3-wal").read_bytes() == (
        b"second wal"
    )
    assert not (tmp_path / "user.sqlite3").exists()


def test_open_user_store_after_a_keyring_reset_tells_the_user(tmp_path: Path) -> None:
    first = open_user_store(
        tmp_path, SERVER, "p1", None, keystore=KeyStore(SERVER, backend=MemoryBackend())
    )
    first.outbox.sign(prescription_body())
    first.close()
    # A new, empty keyring: a new key, so the old file cannot be opened.
    again = open_user_store(
        tmp_path, SERVER, "p1", None, keystore=KeyStore(SERVER, backend=MemoryBackend())
    )
    try:
        assert again.moved_aside is not None and again.moved_aside.exists()
        assert again.notice == MOVED_ASIDE_NOTICE.format(name=again.moved_aside.name)
        assert again.outbox.items() == []
        assert store_path(tmp_path, SERVER, "p1").exists()
    finally:
        again.close()


def test_open_user_store_refuses_a_second_instance(tmp_path: Path) -> None:
    backend = MemoryBackend()
    first = open_user_store(
        tmp_path, SERVER, "p1", None, keystore=KeyStore(SERVER, backend=backend)
    )
    try:
        with pytest.raises(StoreInUse):
            open_user_store(
                tmp_path, SERVER, "p1", None, keystore=KeyStore(SERVER, backend=backend)
            )
    finally:
        first.close()


def test_no_keyring_notice_is_unchanged(tmp_path: Path) -> None:
    session = open_user_store(
        tmp_path, SERVER, "p1", None, keystore=KeyStore(SERVER, backend=fail.Keyring())
    )
    assert session.notice == NO_KEYRING_NOTICE and session.moved_aside is None
    session.close()
