"""The one place that decides which PostgreSQL server the tests use.

With ``PORTAL_TEST_POSTGRES_URL`` set (say ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
the tests create their throwaway databases through that server. Otherwise the session starts a
private cluster of its own the first time a PostgreSQL test needs one: ``initdb`` into a new
temporary folder, ``postgres`` on a free loopback port, stopped and deleted at the end of the
session, at interpreter exit, and (on Linux) by the kernel when the test process dies.

Server binaries are looked up where Debian, RHEL, Homebrew, Postgres.app and the official
installers put them, and on PATH; the newest version wins. When there are none, the top of
the run says what to install and every PostgreSQL test errors (it is never skipped).
"""

from __future__ import annotations

import atexit
import ctypes
import glob
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

URL_VARIABLE = "PORTAL_TEST_POSTGRES_URL"
ADMIN_USER = "postgres"
ADMIN_DATABASE = "postgres"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
_PORT_ATTEMPTS = 5
_READY_LINE = "database system is ready to accept connections"
# initdb and postgres refuse to run as root; as root the cluster belongs to one of these.
_UNPRIVILEGED_USERS = ("postgres", "nobody")
# Throwaway data: durability costs time and buys nothing here.
_FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # two servers' pools plus the load test's checks
}


class PostgresUnavailable(RuntimeError):
    """No server named and no server binaries found, or the private cluster would not start."""


# ---------------------------------------------------------------- finding the binaries


@dataclass(frozen=True, order=True)
class ServerBinaries:
    version: tuple[int, ...]
    bindir: Path = field(compare=False)
    version_text: str = field(compare=False)

    @property
    def label(self) -> str:
        return "PostgreSQL " + ".".join(str(part) for part in self.version)

    def tool(self, name: str) -> str:
        suffix = ".exe" if sys.platform == "win32" else ""
        return str(self.bindir / f"{name}{suffix}")


def candidate_bindirs() -> list[Path]:
    """Every folder that may hold ``initdb`` and ``postgres``, in no particular order."""
    patterns = [
        "/usr/lib/postgresql/*/bin",  # Debian, Ubuntu
        "/usr/pgsql-*/bin",  # RHEL, Fedora (PGDG packages)
        "/opt/homebrew/opt/postgresql*/bin",  # Homebrew on Apple silicon
        "/usr/local/opt/postgresql*/bin",  # Homebrew on Intel
        "/Library/PostgreSQL/*/bin",  # the EDB installer on macOS
        "/Applications/Postgres.app/Contents/Versions/*/bin",
        "C:/Program Files/PostgreSQL/*/bin",  # the EDB installer on Windows
    ]
    found = [Path(path) for pattern in patterns for path in sorted(glob.glob(pattern))]
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            bindir = ""
        if bindir:
            found.append(Path(bindir))
    for name in ("postgres", "initdb"):
        on_path = shutil.which(name)
        if on_path:
            found.append(Path(on_path).resolve().parent)
    return found


def _probe(bindir: Path) -> ServerBinaries | None:
    """The binaries in ``bindir`` if both are there and ``postgres --version`` answers."""
    binaries = ServerBinaries((), bindir, "")
    if not all(os.access(binaries.tool(name), os.X_OK) for name in ("initdb", "postgres")):
        return None
    try:
        answer = subprocess.run(
            [binaries.tool("postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+(?:\.\d+)*)", answer.stdout)
    if answer.returncode != 0 or match is None:
        return None
    version = tuple(int(part) for part in match.group(1).split("."))
    return ServerBinaries(version, bindir, answer.stdout.strip())


def find_server_binaries(bindirs: Iterable[Path] | None = None) -> ServerBinaries | None:
    """The newest working server among ``bindirs`` (default: every known place)."""
    seen: set[Path] = set()
    working = []
    for bindir in candidate_bindirs() if bindirs is None else bindirs:
        resolved = bindir.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        probed = _probe(resolved)
        if probed is not None:
            working.append(probed)
    return max(working, default=None)


def install_hint(system: str | None = None, debian: bool | None = None) -> str:
    """What to install, on this kind of machine, to get the server binaries."""
    system = platform.system() if system is None else system
    if system == "Darwin":
        return "brew install postgresql@16"
    if system == "Windows":
        return "the PostgreSQL installer from https://www.postgresql.org/download/windows/"
    if debian is None:
        debian = Path("/etc/debian_version").exists()
    if debian:
        return "apt-get install postgresql"
    if shutil.which("dnf"):
        return "dnf install postgresql-server"
    return "your distribution's PostgreSQL server package"


def missing_server_message(system: str | None = None, debian: bool | None = None) -> str:
    return (
        "PostgreSQL server binaries (initdb, postgres) not found, so the PostgreSQL tests "
        f"will fail: install them with `{install_hint(system, debian)}`, or set {URL_VARIABLE} "
        "to a server of your own"
    )


# ---------------------------------------------------------------- one server, many databases


@dataclass(frozen=True)
class PostgresServer:
    """A server the tests may create databases on, reached through an admin database."""

    admin_url: URL
    description: str
    startup_seconds: float | None = None  # set for a private cluster

    @classmethod
    def from_url(cls, url_text: str, description: str | None = None) -> PostgresServer:
        url = make_url(url_text)
        if url.get_backend_name() != "postgresql":
            raise PostgresUnavailable(f"{URL_VARIABLE} must name a PostgreSQL database")
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        shown = url.render_as_string(hide_password=True)
        return cls(url, description or f"{URL_VARIABLE} ({shown})")

    def _admin_conninfo(self) -> str:
        return self.admin_url.set(drivername="postgresql").render_as_string(hide_password=False)

    def url_for(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def create_database(self, prefix: str = "test") -> str:
        """A new, empty database named ``<prefix>_<random>``; returns its URL."""
        name = f"{prefix}_{secrets.token_hex(6)}"
        with psycopg.connect(self._admin_conninfo(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with psycopg.connect(self._admin_conninfo(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ThrowawayPostgres:
    """Creates ``test_<random>`` databases on the session's server; drops them all later.

    The server is asked for on the first ``create``, so a fixture that takes this object
    but runs on SQLite starts no cluster (and does not fail where PostgreSQL is missing)."""

    def __init__(self, server: Callable[[], PostgresServer]) -> None:
        self._server = server
        self.urls: list[str] = []

    def create(self) -> str:
        url = self._server().create_database("test")
        self.urls.append(url)
        return url

    def drop_all(self) -> None:
        for url in self.urls:
            self._server().drop_database(url)
        self.urls.clear()


# ---------------------------------------------------------------- the private cluster


@dataclass(frozen=True)
class _Account:
    uid: int
    gid: int
    name: str


def _unprivileged_account() -> _Account | None:
    """Who runs the cluster when we are root; None when we are not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd  # POSIX only, and only needed as root

    for name in _UNPRIVILEGED_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return _Account(entry.pw_uid, entry.pw_gid, name)
    raise PostgresUnavailable(
        "running as root, and PostgreSQL refuses to: no 'postgres' or 'nobody' user to run it as"
    )


def _parent_death_signal() -> Callable[[], None] | None:
    """Linux: a pre-exec hook asking the kernel to send the postmaster SIGQUIT (its
    immediate shutdown) if the test process dies first, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return None
    # Looked up before the fork, so the child only makes the one system call.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    quit_signal = int(signal.SIGQUIT)

    def hook() -> None:
        prctl(pr_set_pdeathsig, quit_signal)

    return hook


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateCluster:
    """One throwaway cluster in its own temporary folder. ``stop`` is safe to call twice."""

    def __init__(self, binaries: ServerBinaries, settings: Mapping[str, str] | None = None) -> None:
        self.binaries = binaries
        self.extra_settings = dict(settings or {})  # e.g. TLS for the tests of TLS
        self.account = _unprivileged_account()
        self.root = Path(tempfile.mkdtemp(prefix="portal-test-postgres-"))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log_path = self.root / "server.log"
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self._log_thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self.socket_dir.mkdir()
        if self.account is not None:
            for folder in (self.root, self.socket_dir):
                os.chown(folder, self.account.uid, self.account.gid)

    def _environment(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", os.defpath),
            "LC_ALL": "C",  # the server's messages in English: the ready line is matched
            "TZ": "UTC",
        }

    def _user(self) -> int | None:
        return None if self.account is None else self.account.uid

    def _group(self) -> int | None:
        return None if self.account is None else self.account.gid

    def _extra_groups(self) -> list[int] | None:
        return None if self.account is None else []

    def _initdb(self) -> None:
        command = [
            self.binaries.tool("initdb"),
            *("-D", str(self.data_dir), "-U", ADMIN_USER, "-A", "trust", "-E", "UTF8"),
            *("--no-locale", "--no-sync"),
        ]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
            cwd=self.root,
            env=self._environment(),
            user=self._user(),
            group=self._group(),
            extra_groups=self._extra_groups(),
        )
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({done.returncode}): {done.stderr.strip()}")

    def _launch(self, port: int) -> bool:
        """Start ``postgres`` on ``port``; True once it accepts connections, False if it exits."""
        settings = {
            **_FAST_SETTINGS,
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(self.socket_dir),
            **self.extra_settings,
        }
        command = [self.binaries.tool("postgres"), "-D", str(self.data_dir)]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.root,
            env=self._environment(),
            user=self._user(),
            group=self._group(),
            extra_groups=self._extra_groups(),
            # Its own session: a Ctrl-C in the terminal reaches pytest, whose teardown then
            # stops the server, instead of shutting the server down under running tests; and
            # the scheduler shares the CPU with it as with a machine's own service.
            start_new_session=True,
            # The hook makes one system call and takes no lock, so threads do not matter.
            preexec_fn=_parent_death_signal(),  # noqa: PLW1509
        )
        self.process = process
        ready = threading.Event()

        def copy_log() -> None:
            # Drains the server's output (a full pipe would stall it) and reports readiness.
            assert process.stdout is not None
            with self.log_path.open("a", encoding="utf-8") as log:
                for line in process.stdout:
                    log.write(line)
                    log.flush()
                    if _READY_LINE in line:
                        ready.set()
            ready.set()  # the server exited: stop waiting

        self._log_thread = threading.Thread(target=copy_log, name="postgres-log", daemon=True)
        self._log_thread.start()
        if not ready.wait(START_TIMEOUT_S):
            raise PostgresUnavailable(f"postgres not ready within {START_TIMEOUT_S} s")
        if process.poll() is None:
            return True
        self._reap()
        return False

    def _reap(self) -> None:
        """Wait for the exited server's output to be copied, then close its pipe."""
        if self._log_thread is not None:
            self._log_thread.join(STOP_TIMEOUT_S)
        if self.process is not None:
            self.process.wait(STOP_TIMEOUT_S)
            if self.process.stdout is not None:
                self.process.stdout.close()

    def start(self) -> None:
        self._initdb()
        for _ in range(_PORT_ATTEMPTS):
            # Another process may take the port between the probe and the bind: then retry.
            self.port = _free_loopback_port()
            if self._launch(self.port):
                return
        log = self.log_path.read_text(encoding="utf-8", errors="replace")
        raise PostgresUnavailable(f"postgres would not start:\n{log[-2000:]}")

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            process = self.process
            if process is not None and process.poll() is None:
                # What `pg_ctl stop -m immediate` sends: the data is thrown away anyway.
                process.send_signal(getattr(signal, "SIGQUIT", signal.SIGTERM))
                try:
                    process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
            self._reap()
            shutil.rmtree(self.root, ignore_errors=True)

    def server(self, startup_seconds: float) -> PostgresServer:
        url = URL.create(
            "postgresql+psycopg",
            username=ADMIN_USER,
            host="127.0.0.1",
            port=self.port,
            database=ADMIN_DATABASE,
        )
        description = (
            f"a private cluster ({self.binaries.label}) on 127.0.0.1:{self.port}, "
            f"started in {startup_seconds:.2f} s"
        )
        return PostgresServer(url, description, startup_seconds)


@contextmanager
def private_cluster(
    binaries: ServerBinaries, settings: Mapping[str, str] | None = None
) -> Iterator[PostgresServer]:
    """Start a throwaway cluster, yield it, always stop and delete it (at exit at the latest)."""
    began = time.monotonic()
    cluster = PrivateCluster(binaries, settings)
    atexit.register(cluster.stop)
    try:
        cluster.start()
        yield cluster.server(time.monotonic() - began)
    finally:
        cluster.stop()
        atexit.unregister(cluster.stop)


@contextmanager
def postgres_for_tests(
    environ: Mapping[str, str] | None = None,
    find: Callable[[], ServerBinaries | None] = find_server_binaries,
) -> Iterator[PostgresServer]:
    """The server named by ``PORTAL_TEST_POSTGRES_URL``, else a private cluster."""
    environ = os.environ if environ is None else environ
    configured = environ.get(URL_VARIABLE, "").strip()
    if configured:
        yield PostgresServer.from_url(configured)
        return
    binaries = find()
    if binaries is None:
        raise PostgresUnavailable(missing_server_message())
    with private_cluster(binaries) as server:
        yield server


# ---------------------------------------------------------------- pytest plugin


class _SessionServer:
    """The one server of this test process, started on first use, stopped at session end."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self.server: PostgresServer | None = None
        self.error: str | None = None

    def get(self) -> PostgresServer:
        if self.error is not None:
            raise PostgresUnavailable(self.error)
        if self.server is None:
            try:
                self.server = self._stack.enter_context(postgres_for_tests())
            except PostgresUnavailable as error:
                self.error = str(error)
                raise
        return self.server

    def close(self) -> None:
        self._stack.close()


_session = _SessionServer()


def session_postgres() -> PostgresServer:
    """The session's PostgreSQL server; where there is none, the calling test errors."""
    try:
        return _session.get()
    except PostgresUnavailable as error:
        reason = str(error)
    pytest.fail(reason, pytrace=False)  # outside the handler: one message, no chained trace


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """Started lazily, so ``-m "not postgres"`` starts no cluster."""
    return session_postgres()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    del session
    _session.close()  # after the session fixtures (which drop their databases) are gone


def pytest_report_header(config: pytest.Config) -> str:
    del config
    configured = os.environ.get(URL_VARIABLE, "").strip()
    if configured:
        try:
            return f"postgresql: {PostgresServer.from_url(configured).description}"
        except (PostgresUnavailable, ValueError) as error:
            return f"postgresql: {URL_VARIABLE} is not usable: {error}"
    binaries = find_server_binaries()
    if binaries is None:
        return f"postgresql: {missing_server_message()}"
    return (
        f"postgresql: a private cluster from {binaries.bindir} ({binaries.label}), "
        "started when a PostgreSQL test first needs it"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _session.server is not None:
        terminalreporter.write_line(f"postgresql: the tests used {_session.server.description}")
