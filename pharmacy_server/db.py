"""Engine and transactions for SQLite and PostgreSQL alike.

Every write runs in its own short transaction opened by ``Database.writing()``. On
SQLite that transaction starts with ``BEGIN IMMEDIATE``: a deferred transaction that
reads and then writes cannot wait for the lock (it fails at once with SQLITE_BUSY),
whereas an immediate one queues behind ``busy_timeout``. Reads use plain deferred
transactions, which WAL lets run beside a writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from pharmacy_server.private_files import PRIVATE_FOLDER_MODE, create_private_file

SQLITE_BUSY_TIMEOUT_MS = 10_000
_BEGIN_MODE = "pharmacy_sqlite_begin"


def _configure_sqlite(engine: Engine) -> None:
    # Runs after the pysqlcipher dialect's own connect hook has set the key.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL may lose the last commits on power loss; a prescription must not.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``: PostgreSQL, plain SQLite, or SQLite encrypted with SQLCipher
    (``sqlite+pysqlcipher``, the key in the URL; see ``database_encryption``).

    ``hide_parameters``: a failed statement's error (and any log of it) shows the SQL
    without the values bound to it, which may be names, e-mail addresses or NPIs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options: dict[str, Any] = {}
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            path.parent.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
            create_private_file(path)  # WAL and SHM take the database file's mode
            # One pool for both drivers (pysqlcipher would default to one connection per
            # thread, closing connections that other threads still use).
            options["poolclass"] = QueuePool
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, hide_parameters=True, **options
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


class Database:
    """The engine plus the two kinds of transaction the server uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"}), expire_on_commit=False
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_database_engine(url))

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One transaction, committed on success and rolled back on any exception."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
