"""``/metrics``: counters and a latency histogram in Prometheus' text format.

Written by hand (a few dozen lines) rather than adding a client library. Labels are the
method, the route *template* (``/api/v1/prescriptions/{prescription_id}``, never an id)
and the status: nothing names a patient or a user. Submissions and refused sign-ins are
read off the answers: a new prescription is a 201 from the submit route that is not an
idempotent replay; a refused sign-in is a 401 from either sign-in step.

Each server process counts its own requests (``--workers N``: scrape each one, or sum).

Who may read it: a peer on loopback that is not relaying for someone else (no
``X-Forwarded-For``), or anyone presenting ``Authorization: Bearer`` with
``PHARMACY_METRICS_TOKEN``. A request relayed by the reverse proxy needs the token, so
putting nginx in front never opens the metrics to the network.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from collections import defaultdict
from collections.abc import Callable

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

    def exposition(self) -> str:
        """Everything counted so far, in the Prometheus text format (version 0.0.4)."""
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
