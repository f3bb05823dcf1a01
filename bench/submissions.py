"""Submissions per second and latency (p50, p99) at 1, 8 and 32 clients, on SQLite and on
PostgreSQL, the pharmacy server against a bare FastAPI endpoint measured side by side.

Both are real server processes on random loopback ports: ``pharmacy-server serve`` (demo
accounts seeded; argon2 at its minimum cost, as step-up is not what is measured) and
``bench/bare_server.py``, which inserts one row holding the same signed order. Every order
is signed beforehand (untimed); each client is a thread with its own keep-alive
connection sending its share one after another, each under a fresh Idempotency-Key. Rounds
alternate which side goes first. After the run, rows are counted by idempotency key on
both: every key answered 201 must have exactly one row (lost and duplicated: 0 and 0).

    python -m bench.submissions [--smoke] [--per-client N] [--rounds N] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import text

from bench.bare_server import DATABASE_URL_ENV
from bench.harness import Benchmark, table
from pharmacy_domain.canonical import signing_sha256
from pharmacy_server.config import sqlite_url_for
from pharmacy_server.database_encryption import encrypted_sqlite_url, new_database_key
from pharmacy_server.db import Database
from pharmacy_server.private_files import ensure_private_folder
from pharmacy_server.seed import DEMO_PASSWORD
from tests.helpers.live_server import START_TIMEOUT_S, start_live_server
from tests.server.support import new_prescription_body

SUBMIT = "/api/v1/prescriptions"
CHEAP_HASHING = {"PHARMACY_TEST_CHEAP_HASHING": "1"}


# Below this many clock ticks a process's CPU time is mostly rounding (``/proc`` counts
# in 10 ms ticks), so a short smoke run reports no CPU figure rather than a ratio of zeros.
MIN_CPU_TICKS = 10


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """What one burst of ``clients`` threads measured."""

    seconds: float
    latencies_ms: list[float]
    accepted_keys: list[str]
    failures: list[str] = field(default_factory=list)
    server_cpu_s: float = 0.0

    @property
    def cpu_ms_per_submission(self) -> float:
        return self.server_cpu_s / max(1, len(self.accepted_keys)) * 1000

    @property
    def per_second(self) -> float:
        return len(self.accepted_keys) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _p50(load: Load) -> float:
    return load.percentile(0.50)


def _p99(load: Load) -> float:
    return load.percentile(0.99)


def _per_second(load: Load) -> float:
    return load.per_second


def _cpu_ms(load: Load) -> float:
    return load.cpu_ms_per_submission


def _cpu_measurable(results: dict[str, list[Load]]) -> bool:
    """Whether every round on both sides used enough CPU to be told apart from rounding."""
    tick_s = 1 / os.sysconf("SC_CLK_TCK")
    return all(
        load.server_cpu_s >= MIN_CPU_TICKS * tick_s for loads in results.values() for load in loads
    )


FIGURES: tuple[tuple[str, str, Callable[[Load], float], bool], ...] = (
    ("submissions", "per s", _per_second, True),
    ("latency p50", "ms", _p50, False),
    ("latency p99", "ms", _p99, False),
    ("CPU per submission", "ms", _cpu_ms, False),
)


def burst(url: str, headers: dict[str, str], bodies: list[dict[str, Any]], clients: int) -> Load:
    """``bodies`` POSTed by ``clients`` threads at once, each with its own connection."""
    shares = [bodies[number::clients] for number in range(clients)]
    latencies: list[float] = []
    accepted: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client(share: list[dict[str, Any]]) -> None:
        with requests.Session() as session:
            session.get(url.rsplit("/api/", 1)[0] + "/healthz", timeout=30)  # connected
            start_line.wait()
            for body in share:
                key = str(uuid.uuid4())
                began = time.perf_counter()
                response = session.post(
                    url, json=body, headers={**headers, "Idempotency-Key": key}, timeout=120
                )
                took = (time.perf_counter() - began) * 1000
                with lock:
                    if response.status_code == 201:
                        latencies.append(took)
                        accepted.append(key)
                    else:
                        failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(time.perf_counter() - began, latencies, accepted, failures)


class PharmacySide:
    """The real server: a prescriber signed in, orders signed ahead by password step-up."""

    name = "pharmacy server"

    def __init__(self, url: str, database_url: str, pid: int) -> None:
        self.url = url
        self.database_url = database_url
        self.pid = pid
        self.session = requests.Session()
        response = self.session.post(
            f"{url}/api/v1/auth/login",
            json={"username": "prescriber1", "password": DEMO_PASSWORD},
            timeout=30,
        )
        response.raise_for_status()
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}
        self.keys: list[str] = []

    def bodies(self, count: int) -> list[dict[str, Any]]:
        signed: list[dict[str, Any]] = []
        for _ in range(count):
            body = new_prescription_body()
            response = self.session.post(
                f"{self.url}/api/v1/auth/step-up",
                headers=self.headers,
                json={"password": DEMO_PASSWORD, "content_sha256": signing_sha256(body)},
                timeout=30,
            )
            response.raise_for_status()
            signed.append({**body, "signing_token": response.json()["signing_token"]})
        return signed

    def submit(self, bodies: list[dict[str, Any]], clients: int) -> Load:
        before = process_cpu_s(self.pid)
        load = burst(f"{self.url}{SUBMIT}", self.headers, bodies, clients)
        load.server_cpu_s = process_cpu_s(self.pid) - before
        self.keys += load.accepted_keys
        return load

    def rows_per_key(self) -> dict[str, int]:
        return _rows_per_key(self.database_url, "prescription")


class BareSide:
    name = "bare FastAPI"

    def __init__(self, url: str, database_url: str, pid: int) -> None:
        self.url = url
        self.database_url = database_url
        self.pid = pid
        self.keys: list[str] = []

    def submit(self, bodies: list[dict[str, Any]], clients: int) -> Load:
        before = process_cpu_s(self.pid)
        load = burst(f"{self.url}/submit", {}, bodies, clients)
        load.server_cpu_s = process_cpu_s(self.pid) - before
        self.keys += load.accepted_keys
        return load

    def rows_per_key(self) -> dict[str, int]:
        return _rows_per_key(self.database_url, "bare_submission")


def _rows_per_key(database_url: str, table_name: str) -> dict[str, int]:
    database = Database.from_url(database_url)
    try:
        with database.reading() as session:
            rows = session.execute(
                text(f"SELECT idempotency_key, COUNT(*) FROM {table_name} GROUP BY idempotency_key")
            )
            return {str(key): int(count) for key, count in rows}
    finally:
        database.dispose()


def lost_and_duplicated(keys: list[str], rows: dict[str, int]) -> tuple[int, int]:
    """Keys answered 201 without a row; rows beyond the first for a key."""
    lost = sum(1 for key in keys if rows.get(key, 0) == 0)
    duplicated = sum(count - 1 for count in rows.values() if count > 1)
    # An accepted key may appear once only in the answers too.
    duplicated += len(keys) - len(set(keys))
    return lost, duplicated


@contextlib.contextmanager
def bare_server(folder: Path, database_url: str) -> Iterator[tuple[str, int]]:
    ensure_private_folder(folder, tighten=True)
    ready = folder / "bare-ready.json"
    env = dict(os.environ, **{DATABASE_URL_ENV: database_url})
    with (folder / "bare.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_server", str(ready)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the bare server did not start:\n" + (folder / "bare.log").read_text()
                )
            with contextlib.suppress(ValueError, OSError, requests.RequestException):
                url = str(json.loads(ready.read_text(encoding="utf-8"))["url"])
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.05)  # polling a condition with a deadline
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def sides(folder: Path, database: str, postgres: Any) -> Iterator[tuple[PharmacySide, BareSide]]:
    ensure_private_folder(folder, tighten=True)  # the server refuses a readable data folder
    if database == "SQLite":
        server_url = sqlite_url_for(folder / "pharmacy.sqlite3")
        bare_url = encrypted_sqlite_url(folder / "bare.sqlite3", new_database_key())
    else:
        server_url = postgres.create_database("bench")
        bare_url = postgres.create_database("bench")
    with (
        start_live_server(
            folder / "server", database_url=server_url, extra_env=CHEAP_HASHING
        ) as server,
        bare_server(folder / "bare", bare_url) as (bare, bare_pid),
    ):
        yield (
            PharmacySide(server.url, server.database_url, server.process.pid),
            BareSide(bare, bare_url, bare_pid),
        )


def measure(
    bench: Benchmark,
    *,
    database: str,
    pharmacy: PharmacySide,
    bare: BareSide,
    client_counts: tuple[int, ...],
    per_client: int,
    rounds: int,
) -> None:
    for clients in client_counts:
        count = clients * per_client
        results: dict[str, list[Load]] = {pharmacy.name: [], bare.name: []}
        for number in range(rounds):
            bodies = pharmacy.bodies(count)  # signed now, submitted by both
            order: list[PharmacySide | BareSide] = [bare, pharmacy]
            for side in order if number % 2 == 0 else reversed(order):
                load = side.submit(bodies, clients)
                if load.failures:
                    raise RuntimeError(f"{side.name}: {load.failures[:3]}")
                results[side.name].append(load)
        prefix = f"{database}, {clients} client{'s' if clients > 1 else ''}"
        for what, unit, pick, higher in FIGURES:
            if pick is _cpu_ms and not _cpu_measurable(results):
                bench.notes[f"{prefix}: {what}"] = (
                    f"not reported: under {MIN_CPU_TICKS} clock ticks of server CPU in a round"
                )
                continue
            base = bench.add(
                f"{prefix}: {bare.name} {what}",
                unit,
                (pick(load) for load in results[bare.name]),
                higher_is_better=higher,
            )
            bench.add(
                f"{prefix}: {pharmacy.name} {what}",
                unit,
                (pick(load) for load in results[pharmacy.name]),
                baseline=base.name,
                higher_is_better=higher,
            )
    for side in (pharmacy, bare):
        lost, duplicated = lost_and_duplicated(side.keys, side.rows_per_key())
        bench.notes[f"{database}, {side.name}"] = {
            "accepted": len(side.keys),
            "lost": lost,
            "duplicated": duplicated,
        }


def run(
    smoke: bool = False,
    per_client: int | None = None,
    rounds: int | None = None,
    sqlite_only: bool | None = None,
) -> Benchmark:
    client_counts = (1, 4) if smoke else (1, 8, 32)
    per_client = per_client or (2 if smoke else 10)
    rounds = rounds or (1 if smoke else 3)
    databases = (
        ["SQLite"]
        if (smoke if sqlite_only is None else sqlite_only)
        else [
            "SQLite",
            "PostgreSQL",
        ]
    )
    bench = Benchmark(
        "submissions",
        "POST of a signed order: pharmacy server against a bare FastAPI insert, "
        "real processes on loopback",
        notes={"per_client": per_client, "rounds": rounds, "clients": list(client_counts)},
    )
    with contextlib.ExitStack() as stack:
        postgres: Any = None
        if "PostgreSQL" in databases:
            from tests.helpers.postgres import postgres_for_tests

            postgres = stack.enter_context(postgres_for_tests())
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-submit-")))
        for database in databases:
            with sides(root / database, database, postgres) as (pharmacy, bare):
                measure(
                    bench,
                    database=database,
                    pharmacy=pharmacy,
                    bare=bare,
                    client_counts=client_counts,
                    per_client=per_client,
                    rounds=rounds,
                )
    return bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--per-client", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--sqlite-only", action="store_true", default=None)
    args = parser.parse_args()
    os.environ.setdefault("PHARMACY_TEST_CHEAP_HASHING", "1")
    bench = run(args.smoke, args.per_client, args.rounds, args.sqlite_only)
    print(table([bench]))
    print(json.dumps(bench.notes, indent=1))


if __name__ == "__main__":
    main()
