from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.store import LocalStore
from tests.unit.durable.fakes import FakeClock, FakePharmacy, ScriptedTransport


@pytest.fixture
def data_key() -> bytes:
    return new_data_key()


@pytest.fixture
def cipher(data_key: bytes) -> RecordCipher:
    return RecordCipher(data_key)


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "store.sqlite3"


@pytest.fixture
def store(store_file: Path, cipher: RecordCipher) -> Iterator[LocalStore]:
    opened = LocalStore.open(store_file, cipher)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pharmacy() -> FakePharmacy:
    return FakePharmacy()


@pytest.fixture
def transport(pharmacy: FakePharmacy) -> ScriptedTransport:
    return ScriptedTransport(pharmacy)
