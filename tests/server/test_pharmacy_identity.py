"""``/healthz`` names the pharmacy by a stable id kept in the database (SQLite and
PostgreSQL): the same from every app on one database, unknown while there is no schema."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.migrate import upgrade_to_head
from pharmacy_server.models import Clinic
from pharmacy_server.pharmacy_identity import IdentityCache
from pharmacy_server.security import Passwords
from pharmacy_server.seed import PHARMACY_NAME
from tests.server.support import encrypted_test_url


def _pharmacy_row(database: Database) -> Clinic:
    with database.reading() as session:
        return session.scalars(select(Clinic).where(Clinic.kind == "pharmacy")).one()


def test_healthz_names_the_pharmacy_row_of_the_database(
    client: TestClient, database: Database
) -> None:
    health = client.get("/healthz").json()
    row = _pharmacy_row(database)
    assert health["pharmacy_id"] == str(row.id)
    assert health["pharmacy_name"] == PHARMACY_NAME


def test_a_second_app_on_the_same_database_answers_the_same_identity(
    client: TestClient, settings: ServerSettings, database: Database, passwords: Passwords
) -> None:
    first = client.get("/healthz").json()["pharmacy_id"]
    restarted = create_app(settings, database=database, passwords=passwords)
    with TestClient(restarted) as again:
        assert again.get("/healthz").json()["pharmacy_id"] == first


def test_a_database_without_a_pharmacy_gets_one_made_once(
    tmp_path: Path, settings: ServerSettings, passwords: Passwords
) -> None:
    url = encrypted_test_url(tmp_path / "unseeded.sqlite3")
    upgrade_to_head(url)
    unseeded = Database.from_url(url)
    named = settings.model_copy(update={"name": "Eastside Infusion Pharmacy"})
    ids = set()
    try:
        for _ in range(2):
            app = create_app(named, database=unseeded, passwords=passwords)
            with TestClient(app) as http:
                health = http.get("/healthz").json()
            assert health["pharmacy_name"] == "Eastside Infusion Pharmacy"
            ids.add(uuid.UUID(health["pharmacy_id"]))
        assert ids == {_pharmacy_row(unseeded).id}
        assert _pharmacy_row(unseeded).name == "Eastside Infusion Pharmacy"
    finally:
        unseeded.dispose()


def test_without_a_schema_the_identity_is_unknown_and_healthz_still_answers(
    tmp_path: Path, settings: ServerSettings, passwords: Passwords
) -> None:
    blank = Database.from_url(encrypted_test_url(tmp_path / "blank.sqlite3"))
    try:
        with TestClient(create_app(settings, database=blank, passwords=passwords)) as http:
            answer = http.get("/healthz")
    finally:
        blank.dispose()
    assert answer.status_code == 200
    assert answer.json()["pharmacy_id"] is None


def test_an_unknown_identity_is_tried_again_only_after_a_pause(tmp_path: Path) -> None:
    url = encrypted_test_url(tmp_path / "later.sqlite3")
    blank = Database.from_url(url)
    now = [0.0]
    cache = IdentityCache(blank, "Pharmacy", clock=lambda: now[0])
    try:
        assert cache.get() is None
        upgrade_to_head(url)
        assert cache.get() is None  # within the pause: not asked again
        now[0] += 60
        identity = cache.get()
    finally:
        blank.dispose()
    assert identity is not None
    assert identity.name == "Pharmacy"
