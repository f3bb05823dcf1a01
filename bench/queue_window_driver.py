"""Child process of ``bench.queue``: the real pharmacist window against a running server,
as a pharmacist's client runs it. Prints one JSON line: the milliseconds from the window's
construction to its first page of the queue painted, and the process's resident memory
(VmRSS) then, with the page held.

    python -m bench.queue_window_driver --server-url URL
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from portal_client.core.api_client import ApiClient
from portal_client.gui import ops
from portal_client.gui.app import create_application
from portal_client.gui.pharmacist_window import PharmacistWindow
from tests.helpers.live_server import DEMO_PASSWORD


def _rss_kib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1])
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    args = parser.parse_args()
    create_application(sys.argv[:1])
    client = ApiClient(args.server_url)
    client.login("pharmacist1", DEMO_PASSWORD)
    started = time.perf_counter()
    window = PharmacistWindow(client, client.user, status_filter="all")  # type: ignore[arg-type]
    window.resize(1400, 900)
    window.show()
    deadline = started + 120
    while window.queue_model.rowCount() == 0 or ops.in_flight():
        if time.perf_counter() > deadline:
            raise TimeoutError("the queue's first page never came")
        QApplication.processEvents()
        time.sleep(0.001)
    window.browser.table.viewport().repaint()  # painted, not only held
    painted_ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"painted_ms": painted_ms, "rss_kib": _rss_kib()}))
    window.close()
    client.logout()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
