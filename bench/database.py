"""What SQLCipher costs the server: plain SQLite and the encrypted database side by side.

Two copies of the whole server application (FastAPI through starlette's TestClient, no
network) run in one process, one on a plain SQLite file and one on a SQLCipher file with
the production settings (WAL, ``synchronous=FULL``, a raw 32-byte key). Rounds alternate
between them so that frequency scaling and the disk cache hit both alike. Each round:

* submissions: ``POST /api/v1/prescriptions`` of orders signed beforehand (the step-up is
  not timed), in submissions per second;
* a queue page: the pharmacist's ``GET /api/v1/prescriptions?status=submitted``, the first
  page of the review queue over everything submitted so far, in ms.

Reported as figures and as the ratio encrypted / plain (of the medians).
Run: ``.venv/bin/python -m bench.database [submissions per round] [rounds]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.harness import Benchmark, table
from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings, sqlite_url_for
from pharmacy_server.database_encryption import encrypted_sqlite_url, new_database_key
from pharmacy_server.db import Database
from pharmacy_server.migrate import upgrade_to_head
from pharmacy_server.security import Passwords, cheap_hasher, new_secret_key_text
from pharmacy_server.seed import DEMO_PASSWORD, seed_demo
from tests.server.support import new_prescription_body, signed

QUEUE = "/api/v1/prescriptions?status=submitted"
PLAIN = "plain SQLite"
CIPHER = "SQLCipher"


class Side:
    """One server application on one database, signed in as a prescriber and a pharmacist."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.prescriber = self._headers("prescriber1")
        self.pharmacist = self._headers("pharmacist1")

    def _headers(self, username: str) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def signed_bodies(self, count: int) -> list[dict[str, Any]]:
        return [signed(self.client, self.prescriber, new_prescription_body()) for _ in range(count)]

    def submissions_per_second(self, bodies: list[dict[str, Any]]) -> float:
        start = time.perf_counter()
        for body in bodies:
            headers = {**self.prescriber, "Idempotency-Key": str(uuid.uuid4())}
            response = self.client.post("/api/v1/prescriptions", json=body, headers=headers)
            assert response.status_code == 201, response.text
        return len(bodies) / (time.perf_counter() - start)

    def queue_page_ms(self, reads: int = 20) -> float:
        start = time.perf_counter()
        for _ in range(reads):
            response = self.client.get(QUEUE, headers=self.pharmacist)
            assert response.status_code == 200, response.text
        return (time.perf_counter() - start) / reads * 1000


@contextmanager
def side(folder: Path, url: str) -> Iterator[Side]:
    upgrade_to_head(url)
    passwords = Passwords(hasher=cheap_hasher())
    database = Database.from_url(url)
    seed_demo(database, passwords)
    settings = ServerSettings(
        database_url=url,
        secret_key=new_secret_key_text(),
        demo_mode=True,
        notifier="file",
        notify_dir=str(folder / "mail"),
        test_cheap_hashing=True,
    )
    app = create_app(settings, database=database, passwords=passwords)
    try:
        with TestClient(app) as client:
            yield Side(client)
    finally:
        database.dispose()


def run(smoke: bool = False, per_round: int | None = None, rounds: int | None = None) -> Benchmark:
    per_round = per_round or (3 if smoke else 50)
    rounds = rounds or (1 if smoke else 6)
    with tempfile.TemporaryDirectory(prefix="bench-database-") as root, ExitStack() as stack:
        plain_dir, cipher_dir = Path(root, "plain"), Path(root, "cipher")
        sides = {
            PLAIN: stack.enter_context(
                side(plain_dir, sqlite_url_for(plain_dir / "pharmacy.sqlite3"))
            ),
            CIPHER: stack.enter_context(
                side(
                    cipher_dir,
                    encrypted_sqlite_url(cipher_dir / "pharmacy.sqlite3", new_database_key()),
                )
            ),
        }
        rates: dict[str, list[float]] = {name: [] for name in sides}
        pages: dict[str, list[float]] = {name: [] for name in sides}
        for number in range(rounds):
            # Each goes first every other round, so that drift in load hits both alike.
            order = list(sides.items()) if number % 2 == 0 else list(sides.items())[::-1]
            for name, server in order:
                rates[name].append(server.submissions_per_second(server.signed_bodies(per_round)))
                pages[name].append(server.queue_page_ms(2 if smoke else 20))
    bench = Benchmark(
        "database",
        "SQLCipher against plain SQLite, the whole app in-process (TestClient)",
        notes={"submissions_per_round": per_round, "rounds": rounds},
    )
    for name in (PLAIN, CIPHER):
        bench.add(
            f"{name} submissions",
            "per s",
            rates[name],
            baseline=None if name == PLAIN else f"{PLAIN} submissions",
            higher_is_better=True,
        )
    for name in (PLAIN, CIPHER):
        bench.add(
            f"{name} queue page",
            "ms",
            pages[name],
            baseline=None if name == PLAIN else f"{PLAIN} queue page",
        )
    return bench


def main() -> None:
    per_round = int(sys.argv[1]) if len(sys.argv) > 1 else None
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else None
    print(table([run(per_round=per_round, rounds=rounds)]))


if __name__ == "__main__":
    main()
