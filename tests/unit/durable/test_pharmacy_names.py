"""The pharmacy an address reaches is remembered for when the server cannot say."""

from __future__ import annotations

from pathlib import Path

from portal_client.core.durable.pharmacy_names import pharmacy_id_for
from portal_client.core.errors import ServerUnreachable

ADDRESS = "http://127.0.0.1:50123"


def _unreachable() -> str | None:
    raise ServerUnreachable("nothing answers")


def test_an_answered_id_is_remembered_for_an_unreachable_server(tmp_path: Path) -> None:
    assert pharmacy_id_for(tmp_path, ADDRESS + "/", lambda: "pharmacy-a") == "pharmacy-a"
    assert pharmacy_id_for(tmp_path, ADDRESS, _unreachable) == "pharmacy-a"
    assert pharmacy_id_for(tmp_path, ADDRESS, lambda: None) == "pharmacy-a"


def test_an_address_never_answered_has_no_id(tmp_path: Path) -> None:
    pharmacy_id_for(tmp_path, ADDRESS, lambda: "pharmacy-a")
    assert pharmacy_id_for(tmp_path, "http://127.0.0.1:50999", _unreachable) is None


def test_a_new_answer_replaces_the_remembered_one(tmp_path: Path) -> None:
    pharmacy_id_for(tmp_path, ADDRESS, lambda: "pharmacy-a")
    assert pharmacy_id_for(tmp_path, ADDRESS, lambda: "pharmacy-b") == "pharmacy-b"
    assert pharmacy_id_for(tmp_path, ADDRESS, _unreachable) == "pharmacy-b"


def test_a_damaged_file_is_as_if_nothing_was_remembered(tmp_path: Path) -> None:
    known = tmp_path / "local-store" / "pharmacies.json"
    known.parent.mkdir(parents=True)
    known.write_text("{not json", encoding="utf-8")
    assert pharmacy_id_for(tmp_path, ADDRESS, _unreachable) is None
    assert pharmacy_id_for(tmp_path, ADDRESS, lambda: "pharmacy-a") == "pharmacy-a"
