"""SIGKILL the client at random steps while it saves, signs and sends; restart it.

After every kill the store must open and pass SQLite's integrity check; at the end
every signed prescription is on the server exactly once and no draft survives its
own signing.

``RELIABILITY_KILLS`` sets the number of kills (default 12, affordable in CI); e.g.
``RELIABILITY_KILLS=200`` for a long local run. ``RELIABILITY_SEED`` replays one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.drafts import DraftStore
from portal_client.core.durable.outbox import ApiClientTransport, Outbox, State
from portal_client.core.durable.store import LocalStore
from tests.helpers.live_server import LiveServer
from tests.reliability.conftest import report, server_counts, signed_in

KILLS = int(os.environ.get("RELIABILITY_KILLS", "12"))
PER_RUN = 4
REPO_ROOT = Path(__file__).resolve().parents[2]


def run_until_killed(
    command: list[str], env: dict[str, str], kill_after_lines: int | None
) -> list[str]:
    """Start the client; SIGKILL it once it has printed ``kill_after_lines`` lines."""
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    try:
        for raw in process.stdout:
            lines.append(raw.decode().strip())
            if kill_after_lines is not None and len(lines) >= kill_after_lines:
                process.send_signal(signal.SIGKILL)
                break
        process.wait(60)
        if kill_after_lines is None or process.returncode != -signal.SIGKILL:
            assert process.returncode in (0, -signal.SIGKILL), process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
        process.stderr.close()
    return lines


def test_sigkill_at_random_steps_loses_and_duplicates_nothing(
    server: LiveServer, tmp_path: Path
) -> None:
    seed = int(os.environ.get("RELIABILITY_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    started = time.monotonic()
    key = new_data_key()
    cipher = RecordCipher(key)
    store_path = tmp_path / "client" / "store.sqlite3"
    label = uuid.uuid4().hex[:10]
    env = dict(os.environ, DURABLE_TEST_KEY=key.hex())
    signed: dict[str, str] = {}  # serial -> key, as the killed clients reported them
    kill_points = []
    number = 0
    for run in range(KILLS + 1):
        last_run = run == KILLS
        # Roughly 1 + 6 lines per prescription; kill anywhere in that range.
        kill_after = None if last_run else rng.randint(1, 2 + 6 * PER_RUN)
        kill_points.append(kill_after)
        command = [
            sys.executable,
            "-m",
            "tests.reliability.crash_client",
            str(store_path),
            server.url,
            label,
            str(number),
            str(PER_RUN),
        ]
        lines = run_until_killed(command, env, kill_after)
        for line in lines:
            if line.startswith("signed "):
                _, _, _, serial_number, item_key = line.split(" ")
                signed[f"crash {label} {serial_number}"] = item_key
        number += PER_RUN
        if last_run:
            assert lines[-1] == "done", lines
        # Whatever the kill interrupted, the store opens and is intact.
        if store_path.exists():
            store = LocalStore.open(store_path, cipher)
            assert store.integrity_ok(), f"seed {seed}, run {run}"
            store.close()

    store = LocalStore.open(store_path, cipher)
    client = signed_in(server.url)
    outbox = Outbox(store, ApiClientTransport(client))
    outbox.reconcile()
    items = outbox.items()
    drafts = DraftStore(store)
    draft_serials = [str((drafts.load(d.id) or {}).get("notes")) for d in drafts.list()]
    store.close()
    client.close()

    in_outbox = {item.idempotency_key: item for item in items}
    assert all(item.state is State.SUBMITTED for item in items), f"seed {seed}"
    for serial, item_key in signed.items():
        assert item_key in in_outbox, f"seed {seed}: {serial} vanished from the outbox"
    all_serials = [f"crash {label} {n}" for n in range(number)]
    counts = server_counts(server.url, all_serials)
    duplicated = [s for s, c in counts.items() if c > 1]
    lost = [s for s in signed if counts[s] != 1]
    assert (lost, duplicated) == ([], []), f"seed {seed}, kill points {kill_points}"
    assert sum(counts.values()) == len(items), f"seed {seed}"
    # A draft and its signed prescription never both survive (signing moves it atomically).
    assert not set(draft_serials) & set(counts), f"seed {seed}"
    report(
        "client-sigkill",
        {
            "seed": seed,
            "kills": KILLS,
            "kill_points": kill_points[:-1],
            "signed": len(items),
            "on_server": sum(counts.values()),
            "drafts_left": len(draft_serials),
            "lost": 0,
            "duplicated": 0,
            "corrupted_stores": 0,
            "seconds": round(time.monotonic() - started, 1),
        },
    )
