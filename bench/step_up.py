"""Step-up (argon2 at production cost): throughput, one signer's wait while others sign
in, and the server's memory under a burst of sign-ins.

A demo server with real argon2 (t=3, 64 MiB, p=4; not the tests' cheap hashing). The
baseline is argon2 itself: verifications per second in this process, one thread at a
time, and the time of one. Figures:

- step-ups per second with 1, 8 and 32 clients signing at once, versus in-process argon2;
- one prescriber signing ten orders, one after another, while 32 clients keep signing in
  as another account: the signer's p50 and p99 versus one argon2 verification (the fair
  queue puts a step-up before every waiting sign-in);
- the server's peak memory (VmHWM) after 100 sign-ins at once, versus after start-up.

    python -m bench.step_up [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
from argon2 import PasswordHasher

from bench.harness import Benchmark, table
from pharmacy_server.seed import DEMO_PASSWORD
from tests.helpers.live_server import LiveServer, start_live_server

REAL_HASHING = {"PHARMACY_TEST_CHEAP_HASHING": "0"}
SIGNER, CROWD = "prescriber1", "prescriber2"
TIMEOUT_S = 300


def argon2_per_second(samples: int) -> tuple[float, float]:
    """(verifications per second, ms per verification) in this process."""
    hasher = PasswordHasher()
    stored = hasher.hash(DEMO_PASSWORD)
    began = time.perf_counter()
    for _ in range(samples):
        hasher.verify(stored, DEMO_PASSWORD)
    seconds = time.perf_counter() - began
    return samples / seconds, seconds / samples * 1000


def sign_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    response = session.post(
        f"{url}/api/v1/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=TIMEOUT_S,
    )
    response.raise_for_status()
    session.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return session


def step_up(url: str, session: requests.Session, number: int) -> float:
    """One step-up's latency in milliseconds."""
    began = time.perf_counter()
    response = session.post(
        f"{url}/api/v1/auth/step-up",
        json={"password": DEMO_PASSWORD, "content_sha256": f"{number:064x}"},
        timeout=TIMEOUT_S,
    )
    response.raise_for_status()
    return (time.perf_counter() - began) * 1000


def in_threads(count: int, work: Callable[[int], object]) -> float:
    """Run ``work(n)`` on ``count`` threads started together; the seconds it took."""
    start = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        start.wait()
        try:
            work(number)
        except BaseException as error:  # reported below, not lost in a thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {count} failed: {errors[0]!r}")
    return time.perf_counter() - began


def throughput(url: str, clients: int, per_client: int) -> float:
    sessions = [sign_in(url, SIGNER) for _ in range(clients)]

    def sign(number: int) -> None:
        for index in range(per_client):
            step_up(url, sessions[number], number * 1000 + index)

    seconds = in_threads(clients, sign)
    return clients * per_client / seconds


def signer_among_crowd(url: str, crowd: int, signatures: int) -> list[float]:
    """The lone signer's step-up latencies while ``crowd`` clients keep signing in."""
    signer = sign_in(url, SIGNER)
    stop = threading.Event()

    def keep_signing_in(_number: int) -> None:
        while not stop.is_set():
            sign_in(url, CROWD).close()

    crowd_threads = threading.Thread(target=in_threads, args=(crowd, keep_signing_in))
    crowd_threads.start()
    try:
        sign_in(url, CROWD).close()  # the crowd is at work before the first signature
        return [step_up(url, signer, number) for number in range(signatures)]
    finally:
        stop.set()
        crowd_threads.join()


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(smoke: bool = False, rounds: int | None = None) -> Benchmark:
    rounds = 1 if smoke else max(2, rounds or 3)
    client_counts = (1, 4) if smoke else (1, 8, 32)
    per_client, crowd, signatures, burst = (2, 4, 3, 8) if smoke else (4, 32, 10, 100)
    bench = Benchmark(
        "step_up",
        "argon2 step-up at production cost: throughput, fairness, memory",
        notes={"rounds": rounds, "argon2": "t=3, m=64 MiB, p=4"},
    )
    rates, times = zip(*(argon2_per_second(3 if smoke else 20) for _ in range(rounds)), strict=True)
    base_rate = bench.add(
        "in-process argon2 verifications [per s]", "per s", rates, higher_is_better=True
    )
    base_time = bench.add("in-process argon2, one verification [ms]", "ms", times)
    with (
        tempfile.TemporaryDirectory(prefix="portal-bench-step-up-") as folder,
        start_live_server(Path(folder) / "server", extra_env=REAL_HASHING) as server,
    ):
        _measure(
            bench,
            server,
            base_rate.name,
            base_time.name,
            rounds=rounds,
            client_counts=client_counts,
            per_client=per_client,
            crowd=crowd,
            signatures=signatures,
            burst=burst,
        )
    return bench


def _measure(
    bench: Benchmark,
    server: LiveServer,
    base_rate: str,
    base_time: str,
    *,
    rounds: int,
    client_counts: tuple[int, ...],
    per_client: int,
    crowd: int,
    signatures: int,
    burst: int,
) -> None:
    url = server.url
    for clients in client_counts:
        bench.add(
            f"step-ups, {clients} client{'s' if clients > 1 else ''} [per s]",
            "per s",
            [throughput(url, clients, per_client) for _ in range(rounds)],
            baseline=base_rate,
            higher_is_better=True,
        )
    waits = [signer_among_crowd(url, crowd, signatures) for _ in range(rounds)]
    bench.add(
        f"one signer among {crowd} signing in: step-up p50 [ms]",
        "ms",
        [statistics.median(w) for w in waits],
        baseline=base_time,
    )
    bench.add(
        f"one signer among {crowd} signing in: step-up p99 [ms]",
        "ms",
        [max(w) for w in waits],  # ten samples: the worst is the p99
        baseline=base_time,
    )
    after_start = bench.add(
        "server peak memory after start-up [MB]", "MB", [peak_memory_mb(server.process.pid)]
    )
    in_threads(burst, lambda _n: sign_in(url, CROWD).close())
    bench.add(
        f"server peak memory after {burst} sign-ins at once [MB]",
        "MB",
        [peak_memory_mb(server.process.pid)],
        baseline=after_start.name,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(table([run(rounds=args.rounds)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
