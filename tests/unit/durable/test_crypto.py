from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal_client.core.durable.crypto import (
    NONCE_BYTES,
    DecryptionFailed,
    RecordCipher,
    new_data_key,
)


@given(plaintext=st.binary(max_size=2048), record_id=st.text(max_size=40))
def test_round_trip(plaintext: bytes, record_id: str) -> None:
    cipher = RecordCipher(bytes(range(32)))
    assert cipher.open("draft", record_id, cipher.seal("draft", record_id, plaintext)) == plaintext


def test_every_seal_uses_a_fresh_nonce(cipher: RecordCipher) -> None:
    blobs = [cipher.seal("draft", "d1", b"same text") for _ in range(50)]
    nonces = {blob[1 : 1 + NONCE_BYTES] for blob in blobs}
    assert len(nonces) == 50
    assert len(set(blobs)) == 50


def test_every_flipped_bit_is_detected(cipher: RecordCipher) -> None:
    blob = cipher.seal("outbox", "k1", b"Zebediah Canaryfield")
    for index in range(len(blob)):
        for bit in (0x01, 0x80):
            tampered = bytearray(blob)
            tampered[index] ^= bit
            with pytest.raises(DecryptionFailed):
                cipher.open("outbox", "k1", bytes(tampered))


def test_truncated_blob_is_an_error_not_garbage(cipher: RecordCipher) -> None:
    blob = cipher.seal("draft", "d1", b"payload")
    for length in range(len(blob)):
        with pytest.raises(DecryptionFailed):
            cipher.open("draft", "d1", blob[:length])


def test_record_cannot_be_moved_to_another_id_or_kind(cipher: RecordCipher) -> None:
    blob = cipher.seal("draft", "d1", b"payload")
    with pytest.raises(DecryptionFailed):
        cipher.open("draft", "d2", blob)
    with pytest.raises(DecryptionFailed):
        cipher.open("outbox", "d1", blob)
    # The separator keeps kind and id apart.
    with pytest.raises(DecryptionFailed):
        cipher.open("draf", "td1", blob)


def test_wrong_key_is_an_error(cipher: RecordCipher) -> None:
    blob = cipher.seal_json("draft", "d1", {"name": "Zebediah"})
    with pytest.raises(DecryptionFailed):
        RecordCipher(new_data_key()).open_json("draft", "d1", blob)


def test_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        RecordCipher(b"short")
