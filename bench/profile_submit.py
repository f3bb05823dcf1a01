"""Where a submission's server CPU goes: cProfile over ``POST /api/v1/prescriptions``.

The whole app in-process (``bench/database.py``'s set-up, on SQLCipher as deployed), orders
signed beforehand; prints the functions with the most cumulative time, and the share of
time per submission.

    python -m bench.profile_submit [submissions] [--sort cumulative|tottime] [--limit N]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
import uuid
from pathlib import Path

from bench.database import side
from pharmacy_server.database_encryption import encrypted_sqlite_url, new_database_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=int, nargs="?", default=200)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as root:
        url = encrypted_sqlite_url(Path(root, "pharmacy.sqlite3"), new_database_key())
        with side(Path(root), url) as server:
            bodies = server.signed_bodies(args.submissions + 20)
            warm, measured = bodies[:20], bodies[20:]
            server.submissions_per_second(warm)
            profiler = cProfile.Profile()
            start = time.perf_counter()
            profiler.enable()
            for body in measured:
                headers = {**server.prescriber, "Idempotency-Key": str(uuid.uuid4())}
                response = server.client.post("/api/v1/prescriptions", json=body, headers=headers)
                assert response.status_code == 201, response.text
            profiler.disable()
            took = time.perf_counter() - start
    print(f"{len(measured)} submissions, {took / len(measured) * 1000:.2f} ms each (profiled)")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
