"""Fixtures for the server tests: every API test runs on SQLite and on PostgreSQL.

Each back-end is migrated once per session (through Alembic, as in production);
each test then starts from empty tables plus the demo accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.migrate import upgrade_to_head
from pharmacy_server.models import Base
from pharmacy_server.security import Passwords, cheap_hasher, new_secret_key_text
from pharmacy_server.seed import DEMO_PASSWORD, seed_demo
from tests.helpers.postgres import ThrowawayPostgres, session_postgres
from tests.server.support import FakeClock, Headers, encrypted_test_url, login_headers


@pytest.fixture(scope="session")
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    # SQLite tests take this fixture too; the server starts when a PostgreSQL test needs it.
    databases = ThrowawayPostgres(session_postgres)
    yield databases
    databases.drop_all()


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    throwaway_postgres: ThrowawayPostgres,
) -> str:
    """A migrated, empty database of each kind, shared by the session."""
    if request.param == "sqlite":
        url = encrypted_test_url(tmp_path_factory.mktemp("sqlite") / "pharmacy.sqlite3")
    else:
        url = throwaway_postgres.create()
    upgrade_to_head(url)
    return url


@pytest.fixture
def passwords(request: pytest.FixtureRequest) -> Passwords:
    """argon2id at its minimum cost, so sign-ins take microseconds; tests marked
    ``production_hashing`` (they check argon2's parameters or its timing) get the real one."""
    if request.node.get_closest_marker("production_hashing") is not None:
        return Passwords()
    return Passwords(hasher=cheap_hasher())


@pytest.fixture
def demo_password_hash(passwords: Passwords) -> str:
    """The demo password hashed as this test's server hashes, for the seeded accounts."""
    return passwords.hash(DEMO_PASSWORD)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database(
    database_url: str, passwords: Passwords, demo_password_hash: str
) -> Iterator[Database]:
    """The session's database emptied and seeded with the demo accounts."""
    db = Database.from_url(database_url)
    with db.writing() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    seed_demo(db, passwords, password_hash=demo_password_hash)
    yield db
    db.dispose()


TEST_SECRET_KEY = new_secret_key_text()


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    """Where the file notifier writes activation mails in these tests."""
    return tmp_path / "mail"


@pytest.fixture
def settings(database_url: str, mail_dir: Path) -> ServerSettings:
    return ServerSettings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        demo_mode=True,
        notifier="file",
        notify_dir=str(mail_dir),
    )


@pytest.fixture
def client(
    settings: ServerSettings, database: Database, passwords: Passwords, clock: FakeClock
) -> Iterator[TestClient]:
    app = create_app(settings, database=database, passwords=passwords, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_user(client: TestClient) -> Callable[[str], Headers]:
    """``as_user("prescriber1")`` → headers for a fresh session of that demo account."""
    return lambda username: login_headers(client, username)
