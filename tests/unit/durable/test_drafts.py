from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.drafts import AutosaveDebouncer, DraftHoldsSecret, DraftStore
from portal_client.core.durable.outbox import Outbox
from portal_client.core.durable.store import LocalStore, StoreKeyMismatch
from tests.unit.durable.fakes import CANARY, FakeClock, prescription_body


def raw_bytes_of_store(path: Path) -> bytes:
    """The database, its WAL and shared-memory files, exactly as on disk."""
    blobs = []
    for suffix in ("", "-wal", "-shm"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            blobs.append(candidate.read_bytes())
    return b"".join(blobs)


def canary_forms() -> list[bytes]:
    forms = []
    for text in (CANARY, "Canaryfield", "Zebediah"):
        forms += [text.encode("utf-8"), text.encode("utf-16-le"), text.lower().encode()]
    return forms


def test_round_trip_and_listing(store: LocalStore, clock: FakeClock) -> None:
    drafts = DraftStore(store, clock=clock)
    drafts.save("d1", prescription_body())
    clock.advance(5)
    drafts.save("d2", prescription_body("Other", "Person"))
    assert drafts.load("d1") == prescription_body()
    assert drafts.load("missing") is None
    listed = drafts.list()
    assert [d.id for d in listed] == ["d2", "d1"]
    assert listed[1].title == "Canaryfield, Zebediah"
    assert listed[1].template_id == "myers-infusion"
    assert drafts.discard("d1") and not drafts.discard("d1")
    assert [d.id for d in drafts.list()] == ["d2"]


def test_no_plaintext_phi_on_disk(store_file: Path, cipher: RecordCipher, clock: FakeClock) -> None:
    store = LocalStore.open(store_file, cipher)
    drafts = DraftStore(store, clock=clock)
    outbox = Outbox(store, clock=clock)
    for index in range(20):
        body = prescription_body()
        body["notes"] = f"{CANARY} edit {index}"
        drafts.save(f"draft-{index}", body)
    outbox.sign(prescription_body(), draft_id="draft-3")
    # Checked while open (WAL and -shm present) and again after closing.
    on_disk = raw_bytes_of_store(store_file)
    assert Path(f"{store_file}-wal").exists()
    store.close()
    on_disk += raw_bytes_of_store(store_file)
    assert on_disk
    for form in canary_forms():
        assert form not in on_disk
    assert b"1961-04-12" not in on_disk
    assert b"penicillin" not in on_disk


def test_the_data_key_is_not_on_disk(tmp_path: Path, data_key: bytes, cipher: RecordCipher) -> None:
    import base64

    store = LocalStore.open(tmp_path / "s.sqlite3", cipher)
    DraftStore(store).save("d1", prescription_body())
    store.close()
    every_byte = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert data_key not in every_byte
    assert base64.b64encode(data_key) not in every_byte


def test_store_opened_with_another_key_refuses_and_keeps_the_file(
    store_file: Path, cipher: RecordCipher
) -> None:
    store = LocalStore.open(store_file, cipher)
    DraftStore(store).save("d1", prescription_body())
    store.close()
    before = store_file.read_bytes()
    with pytest.raises(StoreKeyMismatch):
        LocalStore.open(store_file, RecordCipher(new_data_key()))
    assert store_file.read_bytes() == before
    reopened = LocalStore.open(store_file, cipher)
    assert DraftStore(reopened).load("d1") == prescription_body()
    reopened.close()


def test_store_uses_wal_and_full_sync(store: LocalStore) -> None:
    with store.transaction() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.integrity_ok()


def test_in_memory_store_has_the_same_api(cipher: RecordCipher, tmp_path: Path) -> None:
    store = LocalStore.in_memory(cipher)
    drafts = DraftStore(store)
    drafts.save("d1", prescription_body())
    assert drafts.list()[0].title == "Canaryfield, Zebediah"
    assert not store.persistent
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]


@pytest.mark.parametrize("secret_key", ["token", "Authorization", "password", "access_token"])
def test_drafts_never_hold_a_session_token(store: LocalStore, secret_key: str) -> None:
    body: dict[str, Any] = prescription_body()
    body["extra"] = [{secret_key: "abc"}]
    with pytest.raises(DraftHoldsSecret):
        DraftStore(store).save("d1", body)
    assert DraftStore(store).list() == []


class TestAutosave:
    def make(self) -> tuple[AutosaveDebouncer, list[tuple[str, dict[str, Any]]], FakeClock]:
        saved: list[tuple[str, dict[str, Any]]] = []
        clock = FakeClock(0.0)
        return AutosaveDebouncer(lambda i, p: saved.append((i, p)), clock=clock), saved, clock

    def test_saves_within_one_second_of_the_last_edit(self) -> None:
        debouncer, saved, clock = self.make()
        assert debouncer.seconds_until_due() is None
        debouncer.note_edit("d1", {"notes": "a"})
        clock.advance(0.2)
        debouncer.note_edit("d1", {"notes": "ab"})
        assert debouncer.save_if_due() == []
        wait = debouncer.seconds_until_due()
        assert wait is not None and wait <= 1.0
        clock.advance(wait)
        assert debouncer.save_if_due() == ["d1"]
        assert saved == [("d1", {"notes": "ab"})]
        assert not debouncer.has_unsaved

    def test_continuous_typing_still_saves(self) -> None:
        debouncer, saved, clock = self.make()
        for step in range(100):  # an edit every 0.1 s for 10 s
            debouncer.note_edit("d1", {"n": step})
            clock.advance(0.1)
            debouncer.save_if_due()
        assert len(saved) >= 3

    def test_flush_saves_everything_and_failure_keeps_the_edit(self) -> None:
        calls: list[str] = []

        def failing(draft_id: str, payload: dict[str, Any]) -> None:
            calls.append(draft_id)
            raise OSError("disk full")

        debouncer = AutosaveDebouncer(failing, clock=FakeClock(0.0))
        debouncer.note_edit("d1", {"x": 1})
        with pytest.raises(OSError):
            debouncer.flush()
        assert debouncer.has_unsaved
