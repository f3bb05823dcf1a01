"""The wire readers are built once per type and shared by the worker threads that read
answers: a thread never reads with a reader another thread is still filling."""

from __future__ import annotations

import sys
import threading
from typing import Any

from portal_client.core import wire
from portal_client.core.wire import PrescriptionPage, parse
from tests.helpers.wire_samples import prescription_answer

THREADS = 8


def test_threads_reading_their_first_answers_at_once_read_them_whole() -> None:
    body = {
        "items": [prescription_answer() for _ in range(20)],
        "total": 20,
        "total_is_lower_bound": False,
        "next_cursor": None,
        "changes_cursor": "c1",
    }
    wire._CONVERTERS.clear()  # as at start-up: every reader still to build
    start = threading.Barrier(THREADS)
    pages: list[Any] = []
    errors: list[BaseException] = []

    def read() -> None:
        start.wait()
        try:
            pages.append(parse(PrescriptionPage, body))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(THREADS)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert len(pages) == THREADS and all(page == pages[0] for page in pages)
    assert not getattr(wire, "_BUILDING", {})  # all published, none left half done
