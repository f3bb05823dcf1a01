"""The id sent with every request (``X-Request-ID``), and the last few, for support.

The server logs every line of a request with its id and sends it back; an error the
user sees quotes it ("Reference for support: …"), and Help → Copy diagnostics lists the
recent ones, so the pharmacy can find exactly those requests in its log.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque

REQUEST_ID_HEADER = "X-Request-ID"
KEPT_REQUEST_IDS = 20

_recent: deque[str] = deque(maxlen=KEPT_REQUEST_IDS)
_lock = threading.Lock()


def new_request_id() -> str:
    """A fresh id, remembered among the recent ones."""
    request_id = str(uuid.uuid4())
    with _lock:
        _recent.append(request_id)
    return request_id


def recent_request_ids() -> list[str]:
    """The ids of the last requests this process sent, oldest first (for diagnostics)."""
    with _lock:
        return list(_recent)
