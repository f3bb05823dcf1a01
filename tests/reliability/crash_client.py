"""A client that saves drafts, signs and sends, narrating each step, until it is killed.

Run by test_client_sigkill.py as a subprocess: ``python -m tests.reliability.crash_client
STORE URL LABEL START COUNT`` with the data key (hex) in ``DURABLE_TEST_KEY``. It first
reconciles what an earlier (killed) run left behind, as the real client does at start.
Each line on stdout is one step, flushed at once so the parent can kill between steps.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from portal_client.core.api_client import ApiClient
from portal_client.core.durable.crypto import RecordCipher
from portal_client.core.durable.drafts import DraftStore
from portal_client.core.durable.outbox import ApiClientTransport, Outbox, OutboxItem
from portal_client.core.durable.store import LocalStore
from tests.helpers.live_server import DEMO_PASSWORD
from tests.reliability.conftest import sign, signed_body


def say(*words: str) -> None:
    sys.stdout.write(" ".join(words) + "\n")
    sys.stdout.flush()


def main(store_path: str, url: str, label: str, start: int, count: int) -> None:
    cipher = RecordCipher(bytes.fromhex(os.environ["DURABLE_TEST_KEY"]))
    store = LocalStore.open(Path(store_path), cipher)
    client = ApiClient(url, connect_timeout=2.0, read_timeout=5.0)
    client.login("prescriber1", DEMO_PASSWORD)
    drafts = DraftStore(store)
    outbox = Outbox(store, ApiClientTransport(client))
    outbox.subscribe(lambda item: say("changed", item.idempotency_key, item.state.value))
    say("reconciling")
    outbox.reconcile()
    for number in range(start, start + count):
        serial = f"crash {label} {number}"
        draft_id = f"draft-{label}-{number}"
        say("saving", serial)
        drafts.save(draft_id, signed_body(serial))
        say("saved", serial)
        item: OutboxItem = sign(outbox, client, drafts.load(draft_id) or {}, draft_id=draft_id)
        say("signed", serial, item.idempotency_key)
        outbox.process_due()
        say("sent", serial)
    say("done")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
