"""``pharmacy-server``: serve, migrate, or run the demo server."""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger("pharmacy_server")

# The portal client's default server address is http://127.0.0.1:8470.
DEFAULT_PORT = 8470
# How often ``--exit-with-parent`` looks for its process.
PARENT_CHECK_INTERVAL_S = 1.0


def _write_ready_file(path: Path, url: str) -> None:
    """Atomically: a reader sees either no file or the whole JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"url": url, "pid": os.getpid()}).encode()
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".ready-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _bind(host: str, port: int) -> socket.socket:
    """Bind before serving, so ``--port 0`` gives a port we can report."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _secret_key(settings_key: str, key_file: Path) -> str:
    """The key that seals TOTP seeds: from settings, else a key file made on first run."""
    from pharmacy_server.security import new_secret_key_text

    if settings_key:
        return settings_key
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(new_secret_key_text())
        stream.flush()
        os.fsync(stream.fileno())
    log.warning("created a new server secret key file (keep it with the database backups)")
    return key_file.read_text(encoding="ascii").strip()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is still running (an exited, unreaped zombie is not)."""
    if sys.platform == "win32":
        import ctypes

        synchronize, wait_timeout = 0x00100000, 0x102
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        try:
            return bool(kernel32.WaitForSingleObject(handle, 0) == wait_timeout)
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    try:
        # "pid (name) S ...": the state follows the last ")" (names may hold one).
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc (macOS, BSD): kill(0) is the answer
    return stat.rpartition(")")[2].split()[:1] not in (["Z"], ["X"])


def watch_parent(
    pid: int,
    stop: Callable[[], None],
    *,
    was_parent: bool,
    interval_s: float = PARENT_CHECK_INTERVAL_S,
) -> threading.Event:
    """Call ``stop`` once process ``pid`` is gone, checking every ``interval_s``; set the
    returned event to end the watch. ``was_parent``: ``pid`` was this process's parent
    at start, so a changed ``os.getppid()`` (re-parenting) tells at once, even if the PID
    is reused later."""
    finished = threading.Event()

    def gone() -> bool:
        return (was_parent and os.getppid() != pid) or not process_alive(pid)

    def watch() -> None:
        while not finished.wait(interval_s):
            if gone():
                log.warning("process %d is gone: shutting down with it", pid)
                stop()
                return

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
    return finished


def _default_state_dir() -> Path:
    import platformdirs

    from pharmacy_server.config import APP_NAME

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _serve(
    database_url: str,
    host: str,
    port: int,
    ready_file: Path | None,
    seed: bool,
    *,
    state_dir: Path | None = None,
    exit_with: tuple[int, bool] | None = None,
) -> int:
    import uvicorn

    from pharmacy_server.app import create_app
    from pharmacy_server.config import ServerSettings
    from pharmacy_server.db import Database
    from pharmacy_server.security import CheapHashingRefused, server_passwords

    state = state_dir or _default_state_dir()
    settings = ServerSettings(database_url=database_url)
    # The seeded demo accounts need demo mode; nothing else turns it on implicitly.
    demo_mode = settings.demo_mode or seed
    try:  # before anything is written: a refused server leaves no trace
        passwords = server_passwords(
            max_concurrent=settings.max_concurrent_password_checks,
            cheap=settings.test_cheap_hashing,
            demo_mode=demo_mode,
        )
    except CheapHashingRefused as refused:
        log.error("%s", refused)
        return 2
    updates: dict[str, object] = {
        "secret_key": _secret_key(settings.secret_key, state / "server-secret.key"),
        "demo_mode": demo_mode,
    }
    if not settings.notify_dir:
        updates["notify_dir"] = str(state / "mail")
    settings = settings.model_copy(update=updates)
    database = Database.from_url(database_url)
    if seed:
        from pharmacy_server.seed import seed_demo

        seed_demo(database, passwords)
    app = create_app(settings, database=database, passwords=passwords)
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    url_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    url = f"http://{url_host}:{bound_port}"

    class _ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                log.info("listening on %s", url)
                if ready_file is not None:
                    _write_ready_file(ready_file, url)

    config = uvicorn.Config(app, log_config=None, access_log=True, timeout_graceful_shutdown=5)
    server = _ReadyServer(config)
    watch: threading.Event | None = None
    if exit_with is not None:
        pid, was_parent = exit_with

        def shut_down() -> None:
            # uvicorn's own main loop sees this within 0.1 s and shuts down gracefully.
            server.should_exit = True

        watch = watch_parent(pid, shut_down, was_parent=was_parent)
    try:
        server.run(sockets=[sock])
    finally:
        if watch is not None:
            watch.set()
        sock.close()
        database.dispose()
    return 0 if server.started else 1


def _database_url(value: str | None) -> str:
    from pharmacy_server.config import ServerSettings

    return value or ServerSettings().resolved_database_url()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pharmacy-server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--database",
        help="SQLAlchemy URL (default: $PHARMACY_DATABASE_URL "
        "or a SQLite file in the user data folder)",
    )
    serve.add_argument("--ready-file", type=Path, help="write {url, pid} here once accepting")
    serve.add_argument(
        "--seed-demo",
        action="store_true",
        help="add the demo clinics and accounts (never in production)",
    )

    serve.add_argument(
        "--state-dir",
        type=Path,
        help="where the secret key file and demo mail go (default: the user data folder)",
    )

    migrate = commands.add_parser("migrate", help="upgrade the database schema to the newest")
    migrate.add_argument("--database")

    audit = commands.add_parser("audit", help="check the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="recompute the hash chain; exit 1 at the first altered or missing event"
    )
    verify.add_argument("--database")

    demo = commands.add_parser("demo", help="migrate, seed demo accounts and serve on loopback")
    demo.add_argument("--port", type=int, default=DEFAULT_PORT)
    demo.add_argument("--data-dir", type=Path, required=True)
    demo.add_argument("--ready-file", type=Path)
    demo.add_argument(
        "--exit-with-parent",
        type=int,
        metavar="PID",
        help="shut down cleanly once process PID (the client that started it) is gone",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Read first: once the parent dies, the process is re-parented and this changes.
    parent_at_start = os.getppid()
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from pharmacy_server.migrate import upgrade_to_head

    if args.command == "migrate":
        upgrade_to_head(_database_url(args.database))
        return 0
    if args.command == "audit":
        return _verify_audit(_database_url(args.database))
    if args.command == "serve":
        url = _database_url(args.database)
        return _serve(
            url, args.host, args.port, args.ready_file, args.seed_demo, state_dir=args.state_dir
        )
    from pharmacy_server.config import sqlite_url_for

    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    url = sqlite_url_for(data_dir / "pharmacy.sqlite3")
    upgrade_to_head(url)
    exit_with = None
    if args.exit_with_parent is not None:
        exit_with = (args.exit_with_parent, args.exit_with_parent == parent_at_start)
    # Demo accounts have a published password: loopback only, whatever the caller asks.
    return _serve(
        url,
        "127.0.0.1",
        args.port,
        args.ready_file,
        seed=True,
        state_dir=data_dir,
        exit_with=exit_with,
    )


def _verify_audit(database_url: str) -> int:
    from pharmacy_server.audit import verify_chain
    from pharmacy_server.db import Database

    database = Database.from_url(database_url)
    try:
        result = verify_chain(database)
    finally:
        database.dispose()
    if result.ok:
        print(f"audit trail intact: {result.events} events")  # noqa: T201 - CLI output
        return 0
    print(  # noqa: T201 - CLI output
        f"audit trail BROKEN: {result.problem} ({result.events} events verified before it)",
        file=sys.stderr,
    )
    return 1
