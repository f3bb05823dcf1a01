"""The pharmacist's queue at volume: a real server process on SQLite and PostgreSQL, its
queue read over HTTP by the client's own ``ApiClient``, empty and then holding N orders
(``pharmacy-server seed-bulk``'s seed, 100,000 in full, a few hundred in smoke).

Figures, each against its baseline: the first page of the empty queue (baseline) and of
the full one; each filter's, order's and patient-name search's first page; a page 50,000
rows down (a cursor into the middle, against the full first page); a refresh with nothing
new (the target is under 50 ms, absolute); the client's memory holding the first page
(tracemalloc of the parsed page, as the lazy model holds it, full queue against small);
and the real pharmacist window in a child process (``queue_window_driver.py``): its first
page painted from the window's construction, and the process's RSS then.

    python -m bench.queue [--smoke] [--count N] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.harness import Benchmark, repeat, table
from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import load_template_catalog
from pharmacy_server.bulk_seed import seed_bulk
from pharmacy_server.config import sqlite_url_for
from pharmacy_server.db import Database
from pharmacy_server.models import Prescription
from pharmacy_server.prescriptions.queue import ListOrder, cursor_after
from pharmacy_server.private_files import ensure_private_folder
from pharmacy_server.seed import DEMO_PASSWORD
from portal_client.core.api_client import ApiClient
from tests.helpers.live_server import start_live_server

CHEAP_HASHING = {"PHARMACY_TEST_CHEAP_HASHING": "1"}
#: Each page the pharmacist's window asks for.
PAGE = 100
#: The small queue the full one is compared with.
SMALL = 300
#: (figure name, list_prescriptions arguments): the filters and orders measured.
SHAPES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("status submitted", {"status": "submitted", "sort": "needed_by"}),
    ("status shipped", {"status": "shipped", "sort": "needed_by"}),
    ("has warnings", {"has_warnings": True, "sort": "needed_by"}),
    ("answered", {"answered": True, "sort": "needed_by"}),
    ("to review, answered", {"status": "submitted", "answered": True, "sort": "needed_by"}),
    ("order newest", {"sort": "newest"}),
    ("order status", {"sort": "status"}),
    ("order prescriber", {"sort": "prescriber"}),
    # The seed's family and given names: "ga" starts Garcia and Gus, about 1 in 20.
    ("patient name 'ga'", {"search": "ga", "sort": "needed_by"}),
    ("patient name 'ga', to review", {"search": "ga", "status": "submitted", "sort": "newest"}),
    ("patient name, none match", {"search": "zzq", "sort": "needed_by"}),
)


def _page(client: ApiClient, arguments: dict[str, Any]) -> object:
    return client.list_prescriptions(limit=PAGE, **arguments)


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


@contextlib.contextmanager
def _server(folder: Path, database: str, postgres: Any) -> Iterator[tuple[ApiClient, str, str]]:
    ensure_private_folder(folder, tighten=True)
    url = (
        sqlite_url_for(folder / "pharmacy.sqlite3")
        if database == "SQLite"
        else postgres.create_database("bench")
    )
    with start_live_server(folder / "server", database_url=url, extra_env=CHEAP_HASHING) as live:
        client = ApiClient(live.url)
        client.login("pharmacist1", DEMO_PASSWORD)
        try:
            yield client, live.database_url, live.url
        finally:
            client.logout()


def _held_kib(call: Callable[[], object]) -> float:
    """What the client holds after one answer (parsed, as the queue model keeps it)."""
    tracemalloc.start()
    try:
        held = call()
        size, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del held
    return size / 1024


def _window(server_url: str, home: Path) -> dict[str, float]:
    """The real pharmacist window in a child process: first page painted, and its RSS."""
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    done = subprocess.run(
        [sys.executable, "-m", "bench.queue_window_driver", "--server-url", server_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the window driver failed: {done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _window_samples(
    bench: Benchmark, database: str, server_url: str, home: Path, *, label: str, runs: int
) -> None:
    """The window's first paint and RSS over ``runs`` child processes, full queue against
    the small one when ``label`` is not "small queue"."""
    samples = [_window(server_url, home / f"{label}-{n}") for n in range(runs)]
    small = label == "small queue"
    bench.add(
        f"{database}: window first page painted, {label}",
        "ms",
        [sample["painted_ms"] for sample in samples],
        baseline=None if small else f"{database}: window first page painted, small queue",
    )
    bench.add(
        f"{database}: window RSS, {label}",
        "MiB",
        [sample["rss_kib"] / 1024 for sample in samples],
        baseline=None if small else f"{database}: window RSS, small queue",
    )


def _cursor_at(database_url: str, position: int, sort: ListOrder) -> str:
    """A cursor ``position`` rows into the queue in ``sort`` order (read from the table:
    how far the pharmacist scrolled is not what is measured)."""
    database = Database.from_url(database_url)
    try:
        with database.reading() as session:
            order: list[Any] = [Prescription.created_at.desc(), Prescription.id.desc()]
            if sort == "needed_by":
                order.insert(0, Prescription.needed_by_key.asc())
            row = session.scalars(
                select(Prescription).order_by(*order).offset(position).limit(1)
            ).one()
            return cursor_after(sort, row)
    finally:
        database.dispose()


def _seed(url: str, count: int) -> float:
    database = Database.from_url(url)
    started = time.perf_counter()
    try:
        seed_bulk(database, count, load_template_catalog(), load_formulary(), load_rules())
    finally:
        database.dispose()
    return time.perf_counter() - started


def measure(  # noqa: PLR0917 - one database's run
    bench: Benchmark,
    database: str,
    client: ApiClient,
    url: str,
    count: int,
    runs: int,
    window: tuple[str, Path] | None = None,
) -> None:
    """``window``: (server address, home folder) to measure the real window there too."""
    first = lambda: client.list_prescriptions(limit=PAGE, sort="needed_by")  # noqa: E731
    # "Empty": a small queue, so both pages carry the same 100 full prescriptions.
    _seed(url, SMALL)
    empty = f"{database}: first page, small queue ({SMALL})"
    bench.add(empty, "ms", repeat(lambda: _timed(first), runs))
    small_memory = f"{database}: client memory, first page, small queue"
    bench.add(small_memory, "KiB", [_held_kib(first) for _ in range(3)])
    window_runs = 2 if runs < 10 else 5
    if window is not None:
        _window_samples(bench, database, *window, label="small queue", runs=window_runs)
    took = _seed(url, count - SMALL)
    bench.notes[f"{database}: seed-bulk {count - SMALL} s"] = round(took, 1)

    full = f"{database}: first page, {count} orders"
    bench.add(full, "ms", repeat(lambda: _timed(first), runs), baseline=empty)
    bench.add(
        f"{database}: client memory, first page, {count} orders",
        "KiB",
        [_held_kib(first) for _ in range(3)],
        baseline=small_memory,
    )
    if window is not None:
        _window_samples(bench, database, *window, label=f"{count} orders", runs=window_runs)
    for name, arguments in SHAPES:
        samples = [_timed(partial(_page, client, arguments)) for _ in range(runs)]
        bench.add(f"{database}: {name}", "ms", samples, baseline=empty)

    jump = min(50_000, count // 2)
    cursor = _cursor_at(url, jump, "needed_by")
    deep = lambda: client.list_prescriptions(limit=PAGE, sort="needed_by", cursor=cursor)  # noqa: E731
    bench.add(
        f"{database}: a page {jump} rows down",
        "ms",
        repeat(lambda: _timed(deep), runs),
        baseline=full,
    )

    since = client.list_prescriptions(limit=1).changes_cursor
    quiet = lambda: client.list_prescriptions(changed_since=since, limit=1)  # noqa: E731
    bench.add(f"{database}: refresh, nothing new", "ms", repeat(lambda: _timed(quiet), runs))
    page = client.list_prescriptions(limit=PAGE, sort="needed_by")
    bench.notes[f"{database}: first page total"] = (
        f"{page.total}{'+' if page.total_is_lower_bound else ''}"
    )


def run(
    smoke: bool = False, count: int | None = None, sqlite_only: bool | None = None
) -> Benchmark:
    count = max(count or (2 * SMALL if smoke else 100_000), 2 * SMALL)
    runs = 3 if smoke else 15
    databases = (
        ["SQLite"] if (smoke if sqlite_only is None else sqlite_only) else ["SQLite", "PostgreSQL"]
    )
    bench = Benchmark(
        "queue",
        f"The pharmacist's queue over HTTP, empty and at {count} orders: first pages, "
        "filters, a jump down, a quiet refresh",
        notes={
            "count": count,
            "page": PAGE,
            "targets": "filters ≤3× empty; jump ≤3× first page; quiet refresh <50 ms",
        },
    )
    with contextlib.ExitStack() as stack:
        postgres: Any = None
        if "PostgreSQL" in databases:
            from tests.helpers.postgres import postgres_for_tests

            postgres = stack.enter_context(postgres_for_tests())
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-queue-")))
        for database in databases:
            with _server(root / database, database, postgres) as (client, url, address):
                window = (address, root / f"{database}-window")
                measure(bench, database, client, url, count, runs, window)
    return bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--sqlite-only", action="store_true", default=None)
    args = parser.parse_args()
    os.environ.setdefault("PHARMACY_TEST_CHEAP_HASHING", "1")
    bench = run(args.smoke, args.count, args.sqlite_only)
    print(table([bench]))
    print(json.dumps(bench.notes, indent=1))


if __name__ == "__main__":
    main()
