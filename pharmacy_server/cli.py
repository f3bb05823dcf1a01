"""``pharmacy-server``: serve, migrate, back up or restore, or run the demo server."""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pharmacy_server.config import ServerSettings
    from pharmacy_server.db import Database
    from pharmacy_server.security import Passwords
    from pharmacy_server.serving import TlsFiles

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


def is_loopback(host: str) -> bool:
    from pharmacy_server.deployment_checks import is_loopback as loopback

    return loopback(host)


def _serving_host(host: str, *, demo_mode: bool) -> str:
    if demo_mode and not is_loopback(host):
        # A published password and no second factor: never reachable from the network.
        log.warning("demo mode serves on 127.0.0.1 only (asked for %s)", host)
        return "127.0.0.1"
    return host


def _passwords(settings: ServerSettings, *, demo_mode: bool) -> Passwords | None:
    from pharmacy_server.security import CheapHashingRefused, server_passwords

    try:
        return server_passwords(
            max_concurrent=settings.max_concurrent_password_checks,
            cheap=settings.test_cheap_hashing,
            demo_mode=demo_mode,
        )
    except CheapHashingRefused as refused:
        log.error("%s", refused)
        return None


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
    migrate: bool = False,
    tls: TlsFiles | None = None,
    workers: int = 1,
    log_format: str = "",
) -> int:
    from pharmacy_server.app import create_app
    from pharmacy_server.config import ServerSettings
    from pharmacy_server.database_encryption import sqlite_path
    from pharmacy_server.db import Database
    from pharmacy_server.deployment_checks import check_deployment, check_schema_current
    from pharmacy_server.request_context import configure_logging
    from pharmacy_server.serving import (
        AppSpec,
        bind_listening_socket,
        run_one,
        run_workers,
        serving_settings,
    )
    from pharmacy_server.startup_lock import hold_in_use

    state = state_dir or _default_state_dir()
    settings = ServerSettings(database_url=database_url)  # checked in main()
    # The seeded demo accounts need demo mode; nothing else turns it on implicitly.
    demo_mode = settings.demo_mode or seed
    log_format = log_format or settings.log_format or ("text" if demo_mode else "json")
    configure_logging(log_format)
    host = _serving_host(host, demo_mode=demo_mode)
    # Before anything is written: a refused server leaves no trace.
    passwords = _passwords(settings, demo_mode=demo_mode)
    if passwords is None:
        return 2
    if not demo_mode and not _logged_refusal(check_deployment, settings, state, host, tls):
        return 2
    engine_url = _prepared_url(
        database_url, settings, state, demo=demo_mode, migrate=migrate or demo_mode, serving=True
    )
    if engine_url is None:
        return 2
    database = Database.from_url(engine_url)
    if not demo_mode and not _logged_refusal(check_schema_current, database):
        database.dispose()
        return 2
    database_file = sqlite_path(database_url)
    # Held until exit: `pharmacy-server rekey` refuses while a server has the file open.
    in_use = hold_in_use(database_file) if database_file is not None else None
    settings = serving_settings(settings, state, demo_mode=demo_mode)
    if seed:
        from pharmacy_server.seed import seed_demo_and_patients

        seed_demo_and_patients(database, passwords)
    sock = bind_listening_socket(host, port)
    url = _url_of(sock, tls=tls is not None)

    def listening() -> None:
        log.info("listening on %s", url)
        if ready_file is not None:
            _write_ready_file(ready_file, url)

    watch = None
    if exit_with is not None:
        watch = functools.partial(watch_parent, exit_with[0], was_parent=exit_with[1])
    try:
        if workers > 1:
            database.dispose()  # each worker opens its own
            spec = AppSpec(database_url, str(state), demo_mode, log_format)
            run_workers(spec, sock, tls=tls, workers=workers, on_listening=listening)
            return 0
        app = create_app(settings, database=database, passwords=passwords)
        started = run_one(app, sock, tls=tls, on_listening=listening, watch=watch)
    finally:
        sock.close()
        database.dispose()
        if in_use is not None:
            os.close(in_use)
    return 0 if started else 1


def _url_of(sock: socket.socket, *, tls: bool) -> str:
    bound_host, bound_port = sock.getsockname()[:2]
    url_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    return f"{'https' if tls else 'http'}://{url_host}:{bound_port}"


def _logged_refusal(check: Callable[..., None], *args: object) -> bool:
    """Run ``check``; False (its message logged, no traceback) if it refuses."""
    try:
        check(*args)
    except _refusals() as refused:
        log.error("%s", refused)
        return False
    return True


def _refusals() -> tuple[type[Exception], ...]:
    """The start-up refusals whose message says what to do (no traceback needed)."""
    from pharmacy_server.backup import BackupFailed
    from pharmacy_server.database_encryption import DatabaseKeyInvalid, EncryptionFailed
    from pharmacy_server.database_setup import StartRefused
    from pharmacy_server.deployment_checks import DeploymentRefused
    from pharmacy_server.private_files import FolderNotPrivate
    from pharmacy_server.startup_lock import DatabaseInUse

    return (
        StartRefused,
        FolderNotPrivate,
        DatabaseKeyInvalid,
        EncryptionFailed,
        DatabaseInUse,
        DeploymentRefused,
        BackupFailed,
    )


def _prepared_url(
    database_url: str,
    settings: ServerSettings,
    state_dir: Path,
    *,
    demo: bool,
    migrate: bool,
    serving: bool = False,
) -> str | None:
    """The URL to open the database with, or None (the reason logged) if it must not be.
    ``serving``: the state folder will hold the secret key and mail, so it must be private."""
    from pharmacy_server.database_setup import prepare_database
    from pharmacy_server.private_files import ensure_private_folder

    try:
        if serving:
            ensure_private_folder(state_dir, tighten=demo)
        return prepare_database(database_url, settings, state_dir, demo=demo, migrate=migrate)
    except _refusals() as refused:
        log.error("%s", refused)
        return None


def _rekey(database_url: str, state_dir: Path) -> int:
    from pharmacy_server.config import ServerSettings
    from pharmacy_server.database_setup import rekey_database

    try:
        key_file = rekey_database(database_url, ServerSettings(), state_dir)
    except _refusals() as refused:
        log.error("%s", refused)
        return 2
    print(f"database re-encrypted; its new key is in {key_file}")  # noqa: T201 - CLI output
    return 0


def _backup_or_restore(command: str, database_url: str, state_dir: Path, file: Path) -> int:
    from pharmacy_server.backup import backup_database, restore_database
    from pharmacy_server.config import ServerSettings

    try:
        if command == "backup":
            written = backup_database(database_url, ServerSettings(), state_dir, file)
            message = f"backup written to {written} (encrypted with the database key)"
        else:
            restored = restore_database(database_url, ServerSettings(), state_dir, file)
            message = f"restored {restored} from {file}; run `pharmacy-server migrate` next"
    except _refusals() as refused:
        log.error("%s", refused)
        return 2
    print(message)  # noqa: T201 - CLI output
    return 0


def _database_url(value: str | None) -> str:
    from pharmacy_server.config import ServerSettings

    return value or ServerSettings().resolved_database_url()


def _add_create_admin(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], state_help: str
) -> None:
    admin = commands.add_parser(
        "create-admin",
        help="make the first pharmacy account of a new deployment and print its one-time "
        "activation code (run again before activation for a fresh code)",
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name", required=True, help='e.g. "Priya Raman, PharmD"')
    admin.add_argument("--email", required=True)
    admin.add_argument("--role", choices=("admin", "pharmacist"), default="admin")
    admin.add_argument("--database")
    admin.add_argument("--state-dir", type=Path, help=state_help)


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
        help="where the key files and demo mail go (default: the user data folder)",
    )
    serve.add_argument(
        "--migrate",
        action="store_true",
        help="upgrade the schema before serving (else an old schema is refused)",
    )
    serve.add_argument("--ssl-certfile", type=Path, help="serve TLS with this certificate chain")
    serve.add_argument("--ssl-keyfile", type=Path, help="the private key of --ssl-certfile")
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes sharing the port (default 1)"
    )
    serve.add_argument(
        "--log-format",
        choices=("json", "text"),
        help="json (default) or text (default in demo mode); also $PHARMACY_LOG_FORMAT",
    )

    state_help = "where the key files are (default: the user data folder)"
    migrate = commands.add_parser("migrate", help="upgrade the database schema to the newest")
    migrate.add_argument("--database")
    migrate.add_argument("--state-dir", type=Path, help=state_help)

    rekey = commands.add_parser(
        "rekey",
        help="re-encrypt the SQLite database under a new key and replace its key file "
        "(stop the servers first)",
    )
    rekey.add_argument("--database")
    rekey.add_argument("--state-dir", type=Path, help=state_help)

    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database, while servers run, to a new file encrypted with "
        "its key (PostgreSQL: pg_dump)",
    )
    backup.add_argument("--to", dest="file", type=Path, required=True, metavar="FILE")
    backup.add_argument("--database")
    backup.add_argument("--state-dir", type=Path, help=state_help)

    restore = commands.add_parser(
        "restore",
        help="replace the SQLite database with a backup (stop the servers first)",
    )
    restore.add_argument("--from", dest="file", type=Path, required=True, metavar="FILE")
    restore.add_argument("--database")
    restore.add_argument("--state-dir", type=Path, help=state_help)

    audit = commands.add_parser("audit", help="check the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="recompute the hash chain; exit 1 at the first altered or missing event"
    )
    verify.add_argument("--database")
    verify.add_argument("--state-dir", type=Path, help=state_help)

    _add_create_admin(commands, state_help)

    bulk = commands.add_parser(
        "seed-bulk",
        help="add N invented prescriptions across the prescriber accounts (to measure "
        "the queue at volume; never in production)",
    )
    bulk.add_argument("--count", type=int, required=True, metavar="N")
    where = bulk.add_mutually_exclusive_group()
    where.add_argument("--database", help="as for serve")
    where.add_argument("--data-dir", type=Path, help="a demo folder (as for demo)")
    bulk.add_argument("--state-dir", type=Path, help=state_help)

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


def _database_command(args: argparse.Namespace) -> int:
    """``migrate``, ``audit verify``, ``rekey``, ``backup`` and ``restore``."""
    from pharmacy_server.config import ServerSettings

    url = _database_url(args.database)
    state = args.state_dir or _default_state_dir()
    if args.command == "rekey":
        return _rekey(url, state)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args.command, url, state, args.file)
    migrate = args.command == "migrate"
    engine_url = _prepared_url(url, ServerSettings(), state, demo=False, migrate=migrate)
    if engine_url is None:
        return 2
    return 0 if migrate else _verify_audit(engine_url)


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
    if not _settings_are_valid():
        return 2
    from pharmacy_server.config import sqlite_url_for

    if args.command in ("migrate", "audit", "rekey", "backup", "restore"):
        return _database_command(args)
    if args.command == "serve":
        return _serve_command(args)
    if args.command == "seed-bulk":
        return _seed_bulk_command(args)
    if args.command == "create-admin":
        return _create_admin_command(args)
    data_dir: Path = args.data_dir
    exit_with = None
    if args.exit_with_parent is not None:
        exit_with = (args.exit_with_parent, args.exit_with_parent == parent_at_start)
    # Demo accounts have a published password: loopback only, whatever the caller asks.
    return _serve(
        sqlite_url_for(data_dir / "pharmacy.sqlite3"),
        "127.0.0.1",
        args.port,
        args.ready_file,
        seed=True,
        state_dir=data_dir,
        exit_with=exit_with,
        migrate=True,
    )


def _create_admin_command(args: argparse.Namespace) -> int:
    from pharmacy_server.bootstrap import run_create_admin

    return run_create_admin(args, _open_database)


def _open_database(
    database: str | None, state_dir: Path | None
) -> tuple[Database, ServerSettings] | None:
    """The deployment's database as ``serve`` would open it, not migrated (None: refused,
    the reason logged)."""
    from pharmacy_server.config import ServerSettings
    from pharmacy_server.db import Database

    url = _database_url(database)
    settings = ServerSettings(database_url=url)
    state = state_dir or _default_state_dir()
    engine_url = _prepared_url(url, settings, state, demo=False, migrate=False)
    if engine_url is None:
        return None
    return Database.from_url(engine_url), settings


def _seed_bulk_command(args: argparse.Namespace) -> int:
    import time

    from pharmacy_domain.formulary import load_formulary
    from pharmacy_domain.rules import load_rules
    from pharmacy_domain.templates import load_template_catalog
    from pharmacy_server.bulk_seed import seed_bulk
    from pharmacy_server.config import ServerSettings, sqlite_url_for
    from pharmacy_server.db import Database

    if args.count < 1:
        log.error("--count must be at least 1")
        return 2
    demo = args.data_dir is not None
    if demo:
        url = sqlite_url_for(args.data_dir / "pharmacy.sqlite3")
        state = args.state_dir or args.data_dir
    else:
        url, state = _database_url(args.database), args.state_dir or _default_state_dir()
    engine_url = _prepared_url(url, ServerSettings(), state, demo=demo, migrate=True)
    if engine_url is None:
        return 2
    database = Database.from_url(engine_url)
    if demo:  # a demo folder: its accounts, as ``demo`` would make them
        from pharmacy_server.security import Passwords
        from pharmacy_server.seed import seed_demo

        seed_demo(database, Passwords())
    started = time.perf_counter()
    try:
        added = seed_bulk(
            database, args.count, load_template_catalog(), load_formulary(), load_rules()
        )
    except RuntimeError as refused:
        log.error("%s", refused)
        return 2
    finally:
        database.dispose()
    took = time.perf_counter() - started
    print(f"added {added} prescriptions in {took:.1f} s")  # noqa: T201 - CLI output
    return 0


def _serve_command(args: argparse.Namespace) -> int:
    from pharmacy_server.serving import TlsFiles

    if args.workers < 1:
        log.error("--workers must be at least 1")
        return 2
    tls = None
    if args.ssl_certfile is not None or args.ssl_keyfile is not None:
        if args.ssl_certfile is None:
            log.error("--ssl-keyfile needs --ssl-certfile (the certificate chain)")
            return 2
        tls = TlsFiles(args.ssl_certfile, args.ssl_keyfile)
    return _serve(
        _database_url(args.database),
        args.host,
        args.port,
        args.ready_file,
        args.seed_demo,
        state_dir=args.state_dir,
        migrate=args.migrate,
        tls=tls,
        workers=args.workers,
        log_format=args.log_format or "",
    )


def _settings_are_valid() -> bool:
    """The PHARMACY_* environment, checked once: a bad value is one log line, not a
    traceback (for every command, so a typo never goes unnoticed)."""
    from pydantic import ValidationError

    from pharmacy_server.config import ServerSettings

    try:
        ServerSettings()
    except ValidationError as invalid:
        for error in invalid.errors():
            log.error("invalid setting: %s", error["msg"])
        return False
    return True


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
