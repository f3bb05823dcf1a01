"""``pharmacy-server backup`` and ``restore`` on the encrypted SQLite database: the same
rows come back, the audit chain still verifies, and a running server blocks a restore."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.cli import main
from pharmacy_server.config import sqlite_url_for
from pharmacy_server.database_encryption import encrypted_sqlite_url, is_plain_sqlite
from pharmacy_server.database_setup import DATABASE_KEY_FILE_NAME
from pharmacy_server.db import Database
from pharmacy_server.models import Base, Clinic
from pharmacy_server.private_files import read_key_file
from pharmacy_server.security import Passwords, cheap_hasher
from pharmacy_server.seed import seed_demo

Snapshot = dict[str, list[tuple[object, ...]]]


def _open(state: Path) -> Database:
    key = read_key_file(state / DATABASE_KEY_FILE_NAME)
    return Database.from_url(encrypted_sqlite_url(state / "pharmacy.sqlite3", key))


def _snapshot(database: Database) -> Snapshot:
    """Every row of every table, in a fixed order."""
    with database.reading() as session:
        return {
            table.name: sorted((tuple(row) for row in session.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


@contextmanager
def _held_by_another_process(database: Path) -> Iterator[None]:
    """A process marking the database in use, as a running server does (fcntl locks are
    per process, so this test's own process cannot stand in for it)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == b"held\n"
        yield
    finally:
        holder.stdin.close()  # the holder exits at end of input
        holder.wait(timeout=30)
        holder.stdout.close()


_HOLDER = """
import sys
from pathlib import Path
from pharmacy_server.startup_lock import hold_in_use
hold_in_use(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.read()
"""


def _run(command: str, state: Path, *extra: str) -> int:
    """``pharmacy-server COMMAND [SUBCOMMAND] --database … --state-dir … [extra]``."""
    database = sqlite_url_for(state / "pharmacy.sqlite3")
    words = command.split()
    return main([*words, "--database", database, "--state-dir", str(state), *extra])


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A migrated, encrypted database with the demo accounts and a few audit events."""
    folder = tmp_path / "state"
    assert _run("migrate", folder) == 0
    database = _open(folder)
    try:
        seed_demo(database, Passwords(hasher=cheap_hasher()))
        with database.writing() as session:
            for outcome in ("failure", "success", "failure"):
                audit.append(
                    session,
                    now=dt.datetime.now(dt.UTC),
                    actor=Actor(None, None, "127.0.0.1"),
                    action="auth.login",
                    outcome=outcome,
                )
    finally:
        database.dispose()
    return folder


def test_backup_then_restore_gives_the_same_rows_and_a_verifying_chain(
    state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = _open(state)
    backup = tmp_path / "backups" / "pharmacy-backup.sqlite3"
    try:
        before = _snapshot(database)
        # Taken online: a server holds the database open meanwhile.
        with _held_by_another_process(state / "pharmacy.sqlite3"):
            assert _run("backup", state, "--to", str(backup)) == 0
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        assert not is_plain_sqlite(backup)  # encrypted, like the database
        # Changes after the backup, including one to the audit trail, are undone.
        with database.writing() as session:
            session.add(Clinic(name="Added After The Backup", kind="clinic"))
            session.execute(
                update(Clinic)
                .where(Clinic.name == "Lakeside Wellness Clinic")
                .values(name="Renamed After The Backup")
            )
            audit.append(
                session,
                now=dt.datetime.now(dt.UTC),
                actor=Actor(None, None, "127.0.0.1"),
                action="auth.login",
                outcome="failure",
            )
        assert _snapshot(database) != before
    finally:
        database.dispose()

    assert _run("restore", state, "--from", str(backup)) == 0

    restored = _open(state)
    try:
        assert _snapshot(restored) == before
        with restored.reading() as session:
            names = set(session.scalars(select(Clinic.name)))
            events = session.scalar(text("SELECT count(*) FROM audit_event"))
    finally:
        restored.dispose()
    assert "Lakeside Wellness Clinic" in names
    assert not names & {"Added After The Backup", "Renamed After The Backup"}
    assert events == len(before["audit_event"]) > 0
    capsys.readouterr()
    assert _run("audit verify", state) == 0
    assert f"audit trail intact: {events} events" in capsys.readouterr().out


_WRITER = """
import sys
from sqlalchemy import text
from pharmacy_server.db import Database
database = Database.from_url(sys.argv[1])
for number in range(20000):  # bounded: stops by itself if nobody closes its input
    with database.writing() as session:
        session.execute(
            text("INSERT INTO clinic (id, name, kind) VALUES (:id, :name, 'clinic')"),
            {"id": f"{number:032x}", "name": f"Writer Clinic {number}"},
        )
    if number == 0:
        print("writing", flush=True)
    if number % 50 == 0:
        import select
        if select.select([sys.stdin], [], [], 0)[0]:
            break
database.dispose()
"""


def test_a_backup_taken_while_another_process_writes_is_whole(state: Path, tmp_path: Path) -> None:
    key = read_key_file(state / DATABASE_KEY_FILE_NAME)
    url = encrypted_sqlite_url(state / "pharmacy.sqlite3", key)
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert writer.stdin is not None and writer.stdout is not None
    backup = tmp_path / "during-writes.sqlite3"
    try:
        assert writer.stdout.readline() == b"writing\n"
        assert _run("backup", state, "--to", str(backup)) == 0
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=120) == 0
        writer.stdout.close()
    copy = Database.from_url(encrypted_sqlite_url(backup, key))
    live = _open(state)
    try:
        with copy.reading() as session:
            assert session.scalar(text("PRAGMA integrity_check")) == "ok"
            copied = session.scalar(text("SELECT count(*) FROM clinic WHERE name LIKE 'Writer%'"))
        with live.reading() as session:
            written = session.scalar(text("SELECT count(*) FROM clinic WHERE name LIKE 'Writer%'"))
    finally:
        copy.dispose()
        live.dispose()
    assert copied is not None and written is not None
    assert 1 <= copied <= written  # one moment of the writes, never a torn page


def test_a_restore_is_refused_while_a_server_holds_the_database(
    state: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backup = tmp_path / "backup.sqlite3"
    assert _run("backup", state, "--to", str(backup)) == 0
    with _held_by_another_process(state / "pharmacy.sqlite3"):
        assert _run("restore", state, "--from", str(backup)) == 2
    assert "stop it first" in caplog.text


def test_a_backup_never_overwrites_a_file(
    state: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"keep me")
    assert _run("backup", state, "--to", str(existing)) == 2
    assert existing.read_bytes() == b"keep me"
    assert "name a new file" in caplog.text


def test_a_backup_under_another_key_is_not_restored(
    state: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backup = tmp_path / "backup.sqlite3"
    assert _run("backup", state, "--to", str(backup)) == 0
    assert _run("rekey", state) == 0
    assert _run("restore", state, "--from", str(backup)) == 2
    assert "does not open the backup" in caplog.text
    database = _open(state)  # the database is untouched and opens with the new key
    try:
        assert _snapshot(database)["clinic"]
    finally:
        database.dispose()


def test_postgres_is_pointed_to_pg_dump(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql+psycopg://pharmacy@127.0.0.1:1/pharmacy"
    assert main(["backup", "--database", url, "--to", str(tmp_path / "b")]) == 2
    assert "pg_dump" in caplog.text
