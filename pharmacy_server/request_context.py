"""The request id every log line of a request carries, and the log formats.

A client sends ``X-Request-ID`` (the portal client: a fresh UUID per request); a sane one
is kept, anything else (too long, odd characters: it ends up in logs) is replaced by one
made here. The id goes back in the response header, so a user can quote it to support
and the pharmacy can find every line of that request in the server's log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pharmacy_server.client_agent import accepted_client_agent, current_client_agent

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = REQUEST_ID_HEADER.lower().encode("ascii")
MAX_REQUEST_ID_LENGTH = 64
# Letters, digits and a few separators: a UUID, a ULID, a proxy's hex id. Never spaces,
# quotes or control characters that could forge a log line.
_SANE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:-]{{8,{MAX_REQUEST_ID_LENGTH}}}")

#: The id of the request this code runs for ("" outside a request). Route code running
#: on Starlette's thread pool sees it too: the pool copies the context.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
_AGENT_KEY = b"user-agent"

LOG_FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def accepted_request_id(sent: str | None) -> str:
    """The client's id if it is sane, else a new UUID."""
    if sent is not None and _SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return str(uuid.uuid4())


class RequestIdMiddleware:
    """Outermost layer: fixes the request's id before anything logs, and returns it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = None
        agent = None
        for name, value in scope.get("headers", []):
            if name == _HEADER_KEY and sent is None:
                sent = value.decode("latin-1")
            elif name == _AGENT_KEY and agent is None:
                agent = value.decode("latin-1")
        request_id = accepted_request_id(sent)
        token = current_request_id.set(request_id)
        agent_token = current_client_agent.set(accepted_client_agent(agent))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != _HEADER_KEY
                ]
                message["headers"] = [*headers, (_HEADER_KEY, request_id.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_client_agent.reset(agent_token)
            current_request_id.reset(token)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, pid (several
    worker processes write to one log), and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id.get() or None,
            "pid": os.getpid(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextLogFormatter(logging.Formatter):
    """``time LEVEL logger: message``, then ``request_id=…`` on a request's lines."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = current_request_id.get()
        return f"{text} request_id={request_id}" if request_id else text


def configure_logging(log_format: str) -> None:
    """The root logger writes ``log_format`` ("json" or "text") to standard error."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r} (use json or text)")
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonLogFormatter() if log_format == "json" else TextLogFormatter()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
