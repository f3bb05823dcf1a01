"""``/metrics``: counters and a latency histogram in Prometheus' text format.

Written by hand (a few dozen lines) rather than adding a client library. Labels are the
method, the route *template* (``/api/v1/prescriptions/{prescription_id}``, never an id)
and the status: nothing names a patient or a user. Submissions and refused sign-ins are
read off the answers: a new prescription is a 201 from the submit route that is not an
idempotent replay; a refused sign-in is a 401 from either sign-in step.

Each server process counts its own requests. With ``--workers N`` the processes share
one port, so a scrape reaches one of them: each then also writes its counts to a file in
a private folder the parent made (``SharedMetrics``, at most a second old), and the one
scraped answers the sum of all of them, so ``/metrics`` counts the whole server.

Who may read it: a peer on loopback that is not relaying for someone else (no
``X-Forwarded-For``), or anyone presenting ``Authorization: Bearer`` with
``PHARMACY_METRICS_TOKEN``. A request relayed by the reverse proxy needs the token, so
putting nginx in front never opens the metrics to the network.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

METRICS_PATH = "/metrics"
#: Seconds; the upper bounds of the latency histogram's buckets.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SUBMIT_ROUTE = ("POST", "/api/v1/prescriptions")
_SIGN_IN_STEPS = {"/api/v1/auth/login": "password", "/api/v1/auth/login/otp": "code"}
_CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return ",".join(f'{name}="{_label_value(value)}"' for name, value in labels.items())


class Metrics:
    """The process's counters; safe to update from the event loop and the thread pool."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        self._latency_buckets: defaultdict[tuple[str, str], list[int]] = defaultdict(
            lambda: [0] * len(LATENCY_BUCKETS)
        )
        self._latency_sum: defaultdict[tuple[str, str], float] = defaultdict(float)
        self._latency_count: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._submissions = 0
        self._sign_in_failures: defaultdict[str, int] = defaultdict(int)

    def observe(
        self, method: str, route: str, status: int, seconds: float, *, replayed: bool
    ) -> None:
        with self._lock:
            self._requests[(method, route, str(status))] += 1
            key = (method, route)
            buckets = self._latency_buckets[key]
            for index, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    buckets[index] += 1
            self._latency_sum[key] += seconds
            self._latency_count[key] += 1
            if (method, route) == _SUBMIT_ROUTE and status == 201 and not replayed:
                self._submissions += 1
            step = _SIGN_IN_STEPS.get(route)
            if method == "POST" and step is not None and status == 401:
                self._sign_in_failures[step] += 1

    def snapshot(self) -> dict[str, Any]:
        """The counts as plain JSON data (for ``SharedMetrics``' files)."""
        with self._lock:
            return {
                "requests": [[*key, count] for key, count in self._requests.items()],
                "latency": [
                    [*key, buckets, self._latency_sum[key], self._latency_count[key]]
                    for key, buckets in self._latency_buckets.items()
                ],
                "submissions": self._submissions,
                "sign_in_failures": dict(self._sign_in_failures),
            }

    def add(self, snapshot: dict[str, Any]) -> None:
        """Add another process's counts (a ``snapshot()``) to these."""
        with self._lock:
            for method, route, status, count in snapshot["requests"]:
                self._requests[(method, route, status)] += count
            for method, route, buckets, total_seconds, count in snapshot["latency"]:
                mine = self._latency_buckets[(method, route)]
                for index, value in enumerate(buckets):
                    mine[index] += value
                self._latency_sum[(method, route)] += total_seconds
                self._latency_count[(method, route)] += count
            self._submissions += snapshot["submissions"]
            for step, count in snapshot["sign_in_failures"].items():
                self._sign_in_failures[step] += count

    def exposition(self) -> str:
        """Everything counted so far, in the Prometheus text format (version 0.0.4)."""
        return self._render()

    def _render(self) -> str:
        lines = [
            "# HELP pharmacy_http_requests_total HTTP requests answered, by route template.",
            "# TYPE pharmacy_http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), count in sorted(self._requests.items()):
                labels = _labels(method=method, route=route, status=status)
                lines.append(f"pharmacy_http_requests_total{{{labels}}} {count}")
            lines += [
                "# HELP pharmacy_http_request_duration_seconds Time to answer a request.",
                "# TYPE pharmacy_http_request_duration_seconds histogram",
            ]
            for (method, route), buckets in sorted(self._latency_buckets.items()):
                base = _labels(method=method, route=route)
                for bound, count in zip(LATENCY_BUCKETS, buckets, strict=True):
                    lines.append(
                        f'pharmacy_http_request_duration_seconds_bucket{{{base},le="{bound}"}} '
                        f"{count}"
                    )
                total = self._latency_count[(method, route)]
                lines.append(
                    f'pharmacy_http_request_duration_seconds_bucket{{{base},le="+Inf"}} {total}'
                )
                lines.append(
                    f"pharmacy_http_request_duration_seconds_sum{{{base}}} "
                    f"{self._latency_sum[(method, route)]:.6f}"
                )
                lines.append(f"pharmacy_http_request_duration_seconds_count{{{base}}} {total}")
            lines += [
                "# HELP pharmacy_prescriptions_submitted_total New prescriptions accepted.",
                "# TYPE pharmacy_prescriptions_submitted_total counter",
                f"pharmacy_prescriptions_submitted_total {self._submissions}",
                "# HELP pharmacy_sign_in_failures_total Sign-ins refused, by step.",
                "# TYPE pharmacy_sign_in_failures_total counter",
            ]
            for step in ("password", "code"):
                count = self._sign_in_failures[step]
                lines.append(f'pharmacy_sign_in_failures_total{{step="{step}"}} {count}')
        return "\n".join(lines) + "\n"


class SharedMetrics(Metrics):
    """One worker's counts, written every ``flush_seconds`` to ``folder/<pid>.json``; its
    exposition is the sum over every worker's file (its own written first, so it is exact
    for itself and at most ``flush_seconds`` behind for the others). A worker that was
    restarted leaves its file, so the totals keep counting what it answered."""

    def __init__(self, folder: Path, *, flush_seconds: float = 1.0) -> None:
        super().__init__()
        self._folder = folder
        self._own_file = folder / f"{os.getpid()}.json"
        self._flush_seconds = flush_seconds
        self._stopped = threading.Event()
        threading.Thread(target=self._flush_until_stopped, name="metrics", daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()

    def _flush_until_stopped(self) -> None:
        while not self._stopped.wait(self._flush_seconds):
            with contextlib.suppress(OSError):  # the folder is gone at shutdown
                self.flush()

    def flush(self) -> None:
        """Write this process's counts, whole: a reader never sees half a file."""
        partial = self._own_file.with_suffix(".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(self.snapshot(), out)
        os.replace(partial, self._own_file)

    def exposition(self) -> str:
        self.flush()
        total = Metrics()
        for snapshot in _snapshots(self._folder.glob("*.json")):
            total.add(snapshot)
        return total.exposition()


def _snapshots(files: Iterable[Path]) -> Iterable[dict[str, Any]]:
    for path in sorted(files):
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # removed meanwhile (shutdown)
        if isinstance(loaded, dict):
            yield loaded


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def may_read_metrics(scope: Scope, token: str) -> bool:
    """Loopback peers speaking for themselves, or the bearer of ``token`` (when set)."""
    if token:
        sent = _header(scope, b"authorization") or ""
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    if _header(scope, b"x-forwarded-for") is not None:
        return False
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


class MetricsMiddleware:
    """Counts every answer and serves ``/metrics``. Sits outside the forwarded-header
    middleware, so the peer it checks is the real connecting one."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        token: str,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.token = token
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH:
            await self._answer_metrics(scope, send)
            return
        started = self.clock()
        status = 500
        replayed = False

        async def send_and_note(message: Message) -> None:
            nonlocal status, replayed
            if message["type"] == "http.response.start":
                status = int(message["status"])
                replayed = any(
                    name.lower() == b"idempotent-replayed" for name, _ in message.get("headers", [])
                )
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(
                scope["method"], template, status, self.clock() - started, replayed=replayed
            )

    async def _answer_metrics(self, scope: Scope, send: Send) -> None:
        if scope["method"] != "GET":
            status, body = 405, b'{"detail": "Method not allowed."}'
            content_type = b"application/json"
        elif not may_read_metrics(scope, self.token):
            status, body = (
                403,
                b'{"detail": "Metrics are readable from loopback or with the token."}',
            )
            content_type = b"application/json"
        else:
            status, body = 200, self.metrics.exposition().encode("utf-8")
            content_type = _CONTENT_TYPE
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode("ascii")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
