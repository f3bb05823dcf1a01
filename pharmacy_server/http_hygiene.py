"""What every response carries and how every request is logged.

Both wrap the whole application, outside Starlette's error middleware, so a 500, a 413
from the body limit and a 404 for an unknown path are covered exactly like a 200.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pharmacy_server.metrics import Metrics, MetricsMiddleware
from pharmacy_server.request_context import RequestIdMiddleware

access_log = logging.getLogger("pharmacy_server.access")

#: Answers carry patient data and tokens: no cache (browser, proxy, disk) may keep them,
#: and no browser may guess a type other than the one declared.
RESPONSE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
)
_REPLACED = frozenset(name for name, _ in RESPONSE_HEADERS)


class ResponseHeadersMiddleware:
    """Sets ``RESPONSE_HEADERS`` on every HTTP response, replacing any the route set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _REPLACED
                ]
                message["headers"] = [*kept, *RESPONSE_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLogMiddleware:
    """One line per request: method, path, status, milliseconds. Never the query string
    (it may name an Idempotency-Key or a filter) and never a header or body. It replaces
    uvicorn's access log, which prints the full target."""

    def __init__(self, app: ASGIApp, clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500  # what the client gets when the application raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            access_log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                scope["path"],
                status,
                (self.clock() - started) * 1000,
            )


def wrap_whole_app(app: FastAPI, metrics: Metrics | None = None, metrics_token: str = "") -> None:
    """Put the request id, the access log, the response headers and the metrics around
    the stack Starlette builds (its error middleware is otherwise the outermost layer).
    The request id is outermost, so every line logged for a request carries it."""
    build_stack = app.build_middleware_stack
    counted = metrics or Metrics()

    def build_wrapped_stack() -> ASGIApp:
        inner = MetricsMiddleware(build_stack(), counted, metrics_token)
        return RequestIdMiddleware(AccessLogMiddleware(ResponseHeadersMiddleware(inner)))

    app.build_middleware_stack = build_wrapped_stack  # type: ignore[method-assign]
