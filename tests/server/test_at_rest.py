"""Patient data at rest: the embedded database encrypted with SQLCipher, its folder and
files private, the key kept apart, rekeyed, plain databases from before encrypted, and
servers started at once on a new folder agreeing on one key and one migration.

Every test drives real ``pharmacy-server`` processes on real files.
"""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from pharmacy_server.config import ServerSettings, sqlite_url_for
from pharmacy_server.database_encryption import (
    export_copy,
    is_plain_sqlite,
    key_opens,
    new_database_key,
    replace_with,
)
from pharmacy_server.database_setup import DATABASE_KEY_FILE_NAME, prepare_database
from pharmacy_server.db import Database
from pharmacy_server.migrate import upgrade_to_head
from pharmacy_server.models import Clinic, PatientDocument, PatientRecord, Prescription
from pharmacy_server.private_files import read_key_file, replace_key_file
from pharmacy_server.security import Passwords, cheap_hasher
from pharmacy_server.seed import seed_demo
from tests.helpers.live_server import (
    DEMO_DATABASE_NAME,
    DEMO_PASSWORD,
    LiveServer,
    demo_database_url,
    start_live_server,
)
from tests.helpers.postgres import ThrowawayPostgres
from tests.helpers.signing import sign_body
from tests.server.support import new_prescription_body, patient_body

# The tests that start server processes are marked slow; the in-process ones are not.

CANARY = "Zzqcanarywhitfield"


def _token(base_url: str, username: str = "prescriber1") -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def _submit_canary(server: LiveServer, key: str) -> str:
    token = _token(server.url)
    body = new_prescription_body()
    body["patient"] = {**body["patient"], "family_name": CANARY}
    response = httpx.post(
        f"{server.url}/api/v1/prescriptions",
        json=sign_body(server.url, token, body),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _files_holding(folder: Path, needle: bytes) -> list[str]:
    return sorted(
        path.name for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()
    )


def _stored_family_names(database_url: str) -> list[str]:
    database = Database.from_url(database_url)
    try:
        with database.reading() as session:
            bodies = session.scalars(select(Prescription.content_json))
            return [CANARY for body in bodies if CANARY in body]
    finally:
        database.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run_server_command(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment.pop("PHARMACY_DATABASE_URL", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pharmacy_server", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow  # server processes
def test_a_canary_patient_is_in_no_file_and_every_file_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    with start_live_server(data_dir) as server:
        _submit_canary(server, "canary-at-rest")
        database = data_dir / DEMO_DATABASE_NAME
        # The WAL holds the last commits while the server runs: it must be encrypted too.
        assert (data_dir / f"{DEMO_DATABASE_NAME}-wal").stat().st_size > 0
        assert _files_holding(data_dir, CANARY.encode()) == []
        assert not is_plain_sqlite(database)
        assert _stored_family_names(server.database_url) == [CANARY]  # it is there, sealed
        assert _mode(data_dir) == 0o700
        files = {path.name: _mode(path) for path in data_dir.iterdir() if path.is_file()}
        for name in (
            DEMO_DATABASE_NAME,
            f"{DEMO_DATABASE_NAME}-wal",
            f"{DEMO_DATABASE_NAME}-shm",
            DATABASE_KEY_FILE_NAME,
            "server-secret.key",
        ):
            assert name in files
        assert set(files.values()) == {0o600}, files
    assert _files_holding(data_dir, CANARY.encode()) == []


@pytest.mark.slow  # server processes
def test_a_canary_patient_record_and_its_document_are_in_no_file(tmp_path: Path) -> None:
    """The patient tables and the documents' BLOBs are sealed like every other page,
    and a search by the canary name leaves it in no log line either."""
    data_dir = tmp_path / "server"
    document = b"%PDF-1.4\n(" + CANARY.encode() + b" renal panel)\n%%EOF\n"
    with start_live_server(data_dir) as server:
        headers = {"Authorization": f"Bearer {_token(server.url)}"}
        created = httpx.post(
            f"{server.url}/api/v1/patients",
            json=patient_body(family_name=CANARY, address=f"1 {CANARY} Lane"),
            headers=headers,
            timeout=30,
        )
        assert created.status_code == 201, created.text
        patient_id = created.json()["id"]
        attached = httpx.post(
            f"{server.url}/api/v1/patients/{patient_id}/documents",
            json={
                "filename": f"{CANARY}.pdf",
                "content_base64": base64.b64encode(document).decode(),
            },
            headers=headers,
            timeout=30,
        )
        assert attached.status_code == 201, attached.text
        found = httpx.get(
            f"{server.url}/api/v1/patients", params={"q": CANARY}, headers=headers, timeout=30
        )
        assert [item["id"] for item in found.json()["items"]] == [patient_id]
        assert _files_holding(data_dir, CANARY.encode()) == []  # the log files too
        database = Database.from_url(server.database_url)
        try:
            with database.reading() as session:
                names = session.scalars(select(PatientRecord.family_name)).all()
                assert names.count(CANARY) == 1  # beside the demo clinic's patients
                assert session.scalars(select(PatientDocument.content)).all() == [document]
        finally:
            database.dispose()
    assert _files_holding(data_dir, CANARY.encode()) == []


@pytest.mark.slow  # server processes
def test_a_wrong_key_refuses_to_start_with_a_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    with start_live_server(data_dir):
        pass
    refused = _run_server_command(
        "demo", "--port", "0", "--data-dir", str(data_dir), env={"PHARMACY_DATABASE_KEY": "ab" * 32}
    )
    assert refused.returncode == 2
    assert "the database key does not open" in refused.stderr
    assert "Traceback" not in refused.stderr
    malformed = _run_server_command(
        "demo", "--port", "0", "--data-dir", str(data_dir), env={"PHARMACY_DATABASE_KEY": "secret"}
    )
    assert malformed.returncode == 2
    assert "64 hex digits" in malformed.stderr and "Traceback" not in malformed.stderr


@pytest.mark.slow  # server processes
def test_a_missing_key_file_is_not_replaced_by_a_new_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    with start_live_server(data_dir):
        pass
    key_file = data_dir / DATABASE_KEY_FILE_NAME
    key_file.rename(tmp_path / "kept-elsewhere.key")
    refused = _run_server_command("demo", "--port", "0", "--data-dir", str(data_dir))
    assert refused.returncode == 2
    assert "is encrypted and its key file" in refused.stderr
    assert not key_file.exists()


@pytest.mark.slow  # server processes
def test_rekey_re_encrypts_under_a_new_key_and_keeps_the_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    database = data_dir / DEMO_DATABASE_NAME
    url = sqlite_url_for(database)
    with start_live_server(data_dir) as server:
        created = _submit_canary(server, "canary-rekey")
        busy = _run_server_command("rekey", "--database", url, "--state-dir", str(data_dir))
        assert busy.returncode == 2 and "stop it first" in busy.stderr
    old_key = read_key_file(data_dir / DATABASE_KEY_FILE_NAME)
    done = _run_server_command("rekey", "--database", url, "--state-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    new_key = read_key_file(data_dir / DATABASE_KEY_FILE_NAME)
    assert new_key != old_key
    assert not key_opens(database, old_key)
    assert key_opens(database, new_key)
    assert _mode(data_dir / DATABASE_KEY_FILE_NAME) == 0o600 and _mode(database) == 0o600
    assert sorted(path.name for path in data_dir.iterdir() if ".new" in path.name) == []
    assert _stored_family_names(demo_database_url(data_dir)) == [CANARY]
    assert _files_holding(data_dir, CANARY.encode()) == []
    with start_live_server(data_dir) as again:
        token = _token(again.url)
        listed = httpx.get(
            f"{again.url}/api/v1/prescriptions",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        assert [item["id"] for item in listed["items"]] == [created]


@pytest.mark.slow  # server processes
def test_a_plain_database_from_before_is_encrypted_in_place(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o700)
    database = data_dir / DEMO_DATABASE_NAME
    plain_url = sqlite_url_for(database)
    upgrade_to_head(plain_url)
    plain = Database.from_url(plain_url)
    try:
        seed_demo(plain, Passwords(hasher=cheap_hasher()))
        with plain.writing() as session:
            session.add(Clinic(name=f"{CANARY} Clinic", kind="clinic"))
    finally:
        plain.dispose()
    assert is_plain_sqlite(database) and CANARY.encode() in database.read_bytes()
    with start_live_server(data_dir) as server:
        _token(server.url)  # the seeded accounts from before still sign in
        assert not is_plain_sqlite(database)
        assert _files_holding(data_dir, CANARY.encode()) == []
        assert sorted(path.name for path in data_dir.iterdir() if "encrypting" in path.name) == []
        encrypted = Database.from_url(server.database_url)
        try:
            with encrypted.reading() as session:
                names = set(session.scalars(select(Clinic.name)))
        finally:
            encrypted.dispose()
        assert f"{CANARY} Clinic" in names
    assert "encrypted the plain database" in server.log_text()


@pytest.mark.slow  # server processes
def test_a_data_folder_others_may_read_is_refused_outside_demo_mode(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    os.chmod(data_dir, 0o755)
    url = sqlite_url_for(data_dir / DEMO_DATABASE_NAME)
    # Production hashing: outside demo mode the test-strength hasher is refused first.
    environment = {"PHARMACY_TEST_CHEAP_HASHING": "0", "PHARMACY_DEMO_MODE": "0"}
    refused = _run_server_command(
        "serve", "--port", "0", "--database", url, "--state-dir", str(data_dir), env=environment
    )
    assert refused.returncode == 2, refused.stderr
    assert f"chmod 700 {data_dir}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert list(data_dir.iterdir()) == []  # nothing written into it


@contextmanager
def _servers_started_at_once(data_dir: Path, count: int) -> Iterator[list[str]]:
    """``count`` demo servers launched together on one data folder; their URLs once all
    answer /healthz (a server that exits first fails the test with its log)."""
    from tests.helpers.live_server import _server_command, _wait_until_ready

    processes: list[tuple[subprocess.Popen[bytes], Path, Path]] = []
    data_dir.parent.mkdir(parents=True)  # the data folder itself is the servers' to make
    try:
        for number in range(count):
            ready = data_dir.parent / f"ready-{number}.json"
            log = data_dir.parent / f"server-{number}.log"
            with log.open("wb") as stream:
                command = _server_command(
                    "demo", "--port", "0", "--data-dir", str(data_dir), "--ready-file", str(ready)
                )
                processes.append(
                    (subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT), ready, log)
                )
        yield [_wait_until_ready(process, ready, log) for process, ready, log in processes]
    finally:
        for process, _, _ in processes:
            if process.poll() is None:
                process.terminate()
        for process, _, _ in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.slow  # server processes
@pytest.mark.parametrize("attempt", range(4))
def test_two_servers_started_at_once_on_a_new_folder_both_come_up(
    tmp_path: Path, attempt: int
) -> None:
    data_dir = tmp_path / f"new-{attempt}" / "server"
    with _servers_started_at_once(data_dir, 2) as urls:
        tokens = [_token(url) for url in urls]
        assert all(tokens)
        names = sorted(path.name for path in data_dir.iterdir() if "key" in path.name)
        # One key of each kind, and no half-written temporary key file left behind.
        assert names == [DATABASE_KEY_FILE_NAME, "server-secret.key"]
        assert not is_plain_sqlite(data_dir / DEMO_DATABASE_NAME)
    # Both ran on the one key: the database opens with the key file that is there.
    assert key_opens(
        data_dir / DEMO_DATABASE_NAME, read_key_file(data_dir / DATABASE_KEY_FILE_NAME)
    )


def _plain_demo_database(database: Path) -> None:
    plain_url = sqlite_url_for(database)
    upgrade_to_head(plain_url)
    plain = Database.from_url(plain_url)
    try:
        with plain.writing() as session:
            session.add(Clinic(name=f"{CANARY} Clinic", kind="clinic"))
    finally:
        plain.dispose()


def _clinic_names(database_url: str) -> set[str]:
    database = Database.from_url(database_url)
    try:
        with database.reading() as session:
            return set(session.scalars(select(Clinic.name)))
    finally:
        database.dispose()


def test_a_plain_database_killed_with_commits_in_its_wal_keeps_them(tmp_path: Path) -> None:
    """A server killed mid-run leaves its last commits in the plain WAL: they must come
    along into the encrypted file, and the plain WAL must not be left beside it."""
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o700)
    database = data_dir / DEMO_DATABASE_NAME
    _plain_demo_database(database)
    writer = (
        "import os, sqlite3, sys, uuid\n"
        "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "connection.execute('PRAGMA journal_mode = WAL')\n"
        "connection.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "connection.execute(\"INSERT INTO clinic (id, name, kind) VALUES (?, ?, 'clinic')\", "
        "(uuid.uuid4().hex, sys.argv[2]))\n"
        "os._exit(0)  # as if killed: no checkpoint, the WAL stays\n"
    )
    subprocess.run(
        [sys.executable, "-c", writer, str(database), f"{CANARY} Late"], check=True, timeout=60
    )
    wal = data_dir / f"{DEMO_DATABASE_NAME}-wal"
    assert CANARY.encode() + b" Late" in wal.read_bytes()
    state = tmp_path / "state"
    settings = ServerSettings()
    url = prepare_database(sqlite_url_for(database), settings, state, demo=False, migrate=True)
    assert not is_plain_sqlite(database)
    assert _files_holding(data_dir, CANARY.encode()) == []
    assert {f"{CANARY} Clinic", f"{CANARY} Late"} <= _clinic_names(url)


def test_a_rekey_stopped_between_its_renames_is_finished_at_the_next_start(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o700)
    database = data_dir / DEMO_DATABASE_NAME
    _plain_demo_database(database)
    settings = ServerSettings()
    prepare_database(sqlite_url_for(database), settings, data_dir, demo=False, migrate=False)
    key_file = data_dir / DATABASE_KEY_FILE_NAME
    old_key, new_key = read_key_file(key_file), new_database_key()
    # What rekey has done when it stops after renaming the database, before the key file.
    replace_key_file(key_file.with_name(key_file.name + ".new"), new_key)
    copy = data_dir / "copy.sqlite3"
    export_copy(database, old_key, new_key, copy)
    replace_with(copy, database)
    assert not key_opens(database, old_key)

    url = prepare_database(sqlite_url_for(database), settings, data_dir, demo=False, migrate=False)
    assert read_key_file(key_file) == new_key
    assert not key_file.with_name(key_file.name + ".new").exists()
    assert f"{CANARY} Clinic" in _clinic_names(url)


def test_a_pending_key_from_a_rekey_stopped_before_its_copy_is_dropped(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o700)
    database = data_dir / DEMO_DATABASE_NAME
    _plain_demo_database(database)
    settings = ServerSettings()
    prepare_database(sqlite_url_for(database), settings, data_dir, demo=False, migrate=False)
    key_file = data_dir / DATABASE_KEY_FILE_NAME
    old_key = read_key_file(key_file)
    pending = key_file.with_name(key_file.name + ".new")
    replace_key_file(pending, new_database_key())

    url = prepare_database(sqlite_url_for(database), settings, data_dir, demo=False, migrate=False)
    assert read_key_file(key_file) == old_key
    assert not pending.exists()
    assert f"{CANARY} Clinic" in _clinic_names(url)


@pytest.mark.slow  # migrate processes
@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_migrations_started_at_once_on_postgres_take_turns(
    throwaway_postgres: ThrowawayPostgres, tmp_path: Path, attempt: int
) -> None:
    url = throwaway_postgres.create()
    command = [sys.executable, "-m", "pharmacy_server", "migrate", "--database", url]
    command += ["--state-dir", str(tmp_path / f"state-{attempt}")]
    migrations = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in migrations]
    assert [process.returncode for process in migrations] == [0, 0], outputs
