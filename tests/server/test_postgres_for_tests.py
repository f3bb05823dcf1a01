"""The tests' own PostgreSQL: which server they use, and the private cluster's life cycle."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.helpers import postgres
from tests.helpers.postgres import (
    URL_VARIABLE,
    PostgresServer,
    PostgresUnavailable,
    ServerBinaries,
    find_server_binaries,
    install_hint,
    missing_server_message,
    postgres_for_tests,
    private_cluster,
)

REPOSITORY = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="shell-script stand-ins")


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _fake_bindir(root: Path, version_line: str, *, tools: tuple[str, ...], works: bool) -> Path:
    bindir = root / "bin"
    bindir.mkdir(parents=True)
    for tool in tools:
        script = bindir / tool
        body = f"echo '{version_line}'" if works else "exit 1"
        script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        script.chmod(0o755)
    return bindir


def _installed_binaries() -> ServerBinaries:
    binaries = find_server_binaries()
    if binaries is None:
        pytest.fail(missing_server_message(), pytrace=False)
    return binaries


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie nobody has reaped yet (Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_until_gone(pid: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)  # polling another process's exit, bounded by the deadline
    return False


# ---------------------------------------------------------------- finding the binaries


@posix_only
def test_the_newest_working_server_binaries_are_chosen(tmp_path: Path) -> None:
    both = ("initdb", "postgres")
    older = _fake_bindir(tmp_path / "13", "postgres (PostgreSQL) 13.9", tools=both, works=True)
    newest = _fake_bindir(tmp_path / "16", "postgres (PostgreSQL) 16.4", tools=both, works=True)
    broken = _fake_bindir(tmp_path / "17", "postgres (PostgreSQL) 17.1", tools=both, works=False)
    half = _fake_bindir(
        tmp_path / "18", "postgres (PostgreSQL) 18.0", tools=("postgres",), works=True
    )

    chosen = find_server_binaries([older, broken, half, newest, older])

    assert chosen is not None
    assert chosen.bindir == newest.resolve()
    assert chosen.version == (16, 4)
    assert chosen.label == "PostgreSQL 16.4"


def test_no_binaries_anywhere_finds_none(tmp_path: Path) -> None:
    assert find_server_binaries([tmp_path / "nothing-here"]) is None


@pytest.mark.parametrize(
    ("system", "debian", "command"),
    [
        ("Linux", True, "apt-get install postgresql"),
        ("Darwin", False, "brew install postgresql@16"),
        ("Windows", False, "https://www.postgresql.org/download/windows/"),
    ],
)
def test_the_missing_server_message_says_what_to_install(
    system: str, debian: bool, command: str
) -> None:
    message = missing_server_message(system, debian)
    assert command in install_hint(system, debian)
    assert command in message
    assert URL_VARIABLE in message
    assert "\n" not in message  # one line at the top of the run


def test_without_binaries_the_postgres_tests_error_and_the_header_says_why(
    tmp_path: Path,
) -> None:
    """Not skipped: a run that cannot reach PostgreSQL must not look green."""
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            pytest_plugins = ["tests.helpers.postgres"]


            def pytest_configure(config):
                import tests.helpers.postgres as postgres

                postgres.candidate_bindirs = lambda: []  # as on a machine without PostgreSQL
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            def test_needs_postgres(postgres_server):
                pass

            def test_needs_nothing():
                pass
            """
        ),
        encoding="utf-8",
    )
    environment = {key: value for key, value in os.environ.items() if key != URL_VARIABLE}
    environment["PYTHONPATH"] = str(REPOSITORY)
    environment.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = run.stdout
    assert run.returncode == 1, output
    header, _, results = output.partition("collected ")
    assert f"postgresql: {missing_server_message()}" in header.splitlines()
    summary = results.splitlines()[-1]
    assert "1 passed" in summary and "1 error" in summary and "skipped" not in summary, output
    assert "warning" not in summary, output
    assert install_hint() in results  # the error itself repeats what to install


# ---------------------------------------------------------------- which server


@pytest.mark.postgres
def test_a_named_server_is_used_instead_of_a_private_cluster(
    postgres_server: PostgresServer,
) -> None:
    named = postgres_server.admin_url.render_as_string(hide_password=False)

    def no_search() -> ServerBinaries | None:
        raise AssertionError("looked for server binaries although a server was named")

    with postgres_for_tests({URL_VARIABLE: named}, find=no_search) as server:
        assert server.admin_url == postgres_server.admin_url
        assert URL_VARIABLE in server.description
        url = server.create_database("named")
        try:
            created = make_url(url)
            assert (created.host, created.port) == (
                postgres_server.admin_url.host,
                postgres_server.admin_url.port,
            )
            with psycopg.connect(_conninfo(url)) as connection:
                assert connection.execute("SELECT current_database()").fetchone() == (
                    created.database,
                )
        finally:
            server.drop_database(url)


def test_a_named_server_gets_the_psycopg_driver_and_its_password_hidden() -> None:
    server = PostgresServer.from_url("postgresql://tester:s3cret@db.example:6543/test")
    assert server.admin_url.drivername == "postgresql+psycopg"
    assert "s3cret" not in server.description
    assert server.url_for("other") == "postgresql+psycopg://tester:s3cret@db.example:6543/other"
    with pytest.raises(PostgresUnavailable):
        PostgresServer.from_url("sqlite:///pharmacy.sqlite3")


def test_the_header_names_the_server_in_use(
    monkeypatch: pytest.MonkeyPatch, pytestconfig: pytest.Config
) -> None:
    monkeypatch.setenv(URL_VARIABLE, "postgresql+psycopg://postgres:pw@127.0.0.1:5432/test")
    header = postgres.pytest_report_header(pytestconfig)
    assert header.startswith("postgresql: ")
    assert "127.0.0.1:5432/test" in header
    assert ":pw@" not in header


# ---------------------------------------------------------------- the private cluster


@pytest.mark.postgres
def test_a_private_cluster_is_fast_loopback_only_and_leaves_nothing_behind() -> None:
    with private_cluster(_installed_binaries()) as server:
        assert server.admin_url.host == "127.0.0.1"
        assert server.startup_seconds is not None
        with psycopg.connect(_conninfo(server.url_for("postgres"))) as connection:
            settings: dict[str, str] = dict(
                connection.execute(
                    "SELECT name, setting FROM pg_settings"
                    " WHERE name IN ('fsync', 'listen_addresses', 'data_directory')"
                ).fetchall()
            )
        data_dir = Path(settings["data_directory"])
        postmaster_pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        assert settings["fsync"] == "off"
        assert settings["listen_addresses"] == "127.0.0.1"
        if os.geteuid() == 0:  # PostgreSQL refuses root: the cluster is someone else's
            assert data_dir.stat().st_uid != 0
        url = server.create_database("lifecycle")
        server.drop_database(url)
    assert not data_dir.parent.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(postmaster_pid, 0)


@pytest.mark.postgres
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_a_killed_test_process_takes_its_cluster_with_it() -> None:
    _installed_binaries()
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys
                from pathlib import Path
                import psycopg
                from tests.helpers.postgres import find_server_binaries, private_cluster

                with private_cluster(find_server_binaries()) as server:
                    info = server.admin_url.set(drivername="postgresql")
                    conninfo = info.render_as_string(hide_password=False)
                    with psycopg.connect(conninfo) as connection:
                        (data_dir,) = connection.execute("SHOW data_directory").fetchone()
                    pid = (Path(data_dir) / "postmaster.pid").read_text().split()[0]
                    print(pid, data_dir, flush=True)
                    sys.stdin.read()  # until the test kills us
                """
            ),
        ],
        cwd=REPOSITORY,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None and owner.stdin is not None
    data_dir: Path | None = None
    try:
        pid_text, data_dir_text = owner.stdout.readline().split()
        data_dir = Path(data_dir_text)
        postmaster_pid = int(pid_text)
        assert _alive(postmaster_pid)
        owner.send_signal(signal.SIGKILL)  # no finalizer, no atexit: only the kernel is left
        owner.wait(30)
        assert _wait_until_gone(postmaster_pid)
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait(30)
        owner.stdin.close()
        owner.stdout.close()
        if data_dir is not None:
            shutil.rmtree(data_dir.parent, ignore_errors=True)
