"""The checks every request passes before any route sees it: header size, query text,
the body's media type, and what its JSON may hold.

A route then only meets JSON that Python, SQLite, PostgreSQL and RFC 8785 can all carry:
no NaN or infinities, no integer beyond ±(2**53 - 1) (I-JSON, RFC 7493), nesting at most
``MAX_JSON_DEPTH`` deep, and no string (key or value) with a control character other
than newline and tab, an unpaired surrogate or an invisible text-direction character
(``pharmacy_domain.text_rules``). Each refusal is the usual JSON error body naming where
the bad value was, never the value itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from pharmacy_domain.prescription import FieldError
from pharmacy_domain.text_rules import forbidden_characters
from pharmacy_server.body_limit import replaying
from pharmacy_server.handlers import error_response

#: Every header together, and the largest single one (a bearer token is ~50 bytes).
MAX_HEADER_BYTES = 16 * 1024
MAX_SINGLE_HEADER_BYTES = 8 * 1024
#: What the HTTP parser buffers before it gives up on a request head: well above
#: ``MAX_HEADER_BYTES``, so an oversized head reaches ``EdgeMiddleware`` and is answered
#: 431 instead of the connection being dropped mid-send.
MAX_REQUEST_HEAD_BYTES = 1024 * 1024
#: The deepest JSON any route takes (a prescription is 4 levels deep).
MAX_JSON_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1
#: Field errors listed for one body; past that the first ones say enough.
MAX_REPORTED = 20
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Bytes no header value may hold (tab is allowed by RFC 9110).
_HEADER_CONTROLS = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")


class _BadNumber:
    """What the JSON parser leaves where a number JSON cannot carry exactly stood."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _constant(_name: str) -> _BadNumber:
    return _BadNumber("must be a finite number (not NaN or Infinity)")


def _float(text: str) -> float | _BadNumber:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _BadNumber("is too large a number")
    return value


def _int(text: str) -> int | _BadNumber:
    # Long digit strings are refused before int() (which stops at 4300 digits anyway).
    if len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_SAFE_INTEGER:
        return _BadNumber(f"must be a whole number within ±{MAX_SAFE_INTEGER}")
    return int(text)


class _TooDeep(Exception):
    pass


def _path(parent: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{parent}[{step}]"
    if forbidden_characters(step) is not None or not step or len(step) > 60:
        step = "…"  # never quote a key that is itself the problem
    return f"{parent}.{step}" if parent else step


def json_problems(value: Any) -> Iterator[FieldError]:
    """Every place in a parsed body that holds what the server does not take."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _TooDeep
        if isinstance(item, _BadNumber):
            yield FieldError(path or "body", item.reason)
        elif isinstance(item, str):
            reason = forbidden_characters(item)
            if reason is not None:
                yield FieldError(path or "body", reason)
        elif isinstance(item, dict):
            for key, member in reversed(item.items()):
                key_path = _path(path, key)
                reason = forbidden_characters(key)
                if reason is not None:
                    yield FieldError(key_path, f"has a name that {reason}")
                stack.append((member, key_path, depth + 1))
        elif isinstance(item, list):
            stack.extend(
                (member, _path(path, index), depth + 1)
                for index, member in reversed(list(enumerate(item)))
            )


def _too_deep() -> FieldError:
    return FieldError("body", f"is nested more than {MAX_JSON_DEPTH} levels deep")


def check_json_body(raw: bytes) -> list[FieldError]:
    """Why this body may not reach a route (empty when it may)."""
    try:
        parsed = json.loads(
            raw.decode("utf-8"), parse_constant=_constant, parse_float=_float, parse_int=_int
        )
    except RecursionError:
        return [_too_deep()]
    except (UnicodeDecodeError, ValueError):
        return [FieldError("body", "is not valid JSON")]
    problems: list[FieldError] = []
    try:
        for problem in json_problems(parsed):
            problems.append(problem)
            if len(problems) >= MAX_REPORTED:
                break
    except _TooDeep:
        return [_too_deep()]
    return problems


def check_query(raw: bytes) -> list[FieldError]:
    try:
        pairs = parse_qsl(
            raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeError:
        return [FieldError("query", "is not valid UTF-8")]
    problems: list[FieldError] = []
    for name, value in pairs:
        name_reason = forbidden_characters(name, multi_line=False)
        if name_reason is not None:
            problems.append(FieldError("query", f"has a parameter name that {name_reason}"))
            continue
        reason = forbidden_characters(value, multi_line=False)
        if reason is not None:
            problems.append(FieldError(_path("", name), reason))
    return problems[:MAX_REPORTED]


def _is_json(content_type: bytes | None) -> bool:
    if content_type is None:
        return False
    media_type, _, parameters = content_type.decode("latin-1").partition(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return False
    return True


def head_refusal(scope: Scope) -> JSONResponse | None:
    """The answer to a request whose headers, path or query the server does not take."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    sizes = [len(name) + len(value) for name, value in headers]
    if sum(sizes) > MAX_HEADER_BYTES or max(sizes, default=0) > MAX_SINGLE_HEADER_BYTES:
        return error_response(
            431,
            f"The request headers are larger than {MAX_HEADER_BYTES // 1024} KiB in all "
            f"or {MAX_SINGLE_HEADER_BYTES // 1024} KiB for one header.",
            code="request.headers_too_large",
        )
    if any(_HEADER_CONTROLS.search(value) for _name, value in headers):
        # h11 lets some through (ESC, for one); no header this server reads holds them.
        return error_response(
            400, "A request header holds control characters.", code="request.malformed"
        )
    if forbidden_characters(scope.get("path", ""), multi_line=False) is not None:
        # No route's path holds such a character: an id with NUL is an id not found.
        return error_response(404, "Not found")
    problems = check_query(scope.get("query_string", b""))
    if problems:
        return error_response(
            422,
            "The query holds text the server does not take.",
            problems,
            code="request.invalid_input",
        )
    return None


def body_refusal(scope: Scope, body: bytes) -> JSONResponse | None:
    """The answer to a body that is not JSON, or holds what the server does not take."""
    if not body:
        return None  # the route says whether it needs one
    content_type = next((v for n, v in scope["headers"] if n == b"content-type"), None)
    if not _is_json(content_type):
        return error_response(
            415,
            "The request body must be sent as application/json (UTF-8).",
            code="request.unsupported_media_type",
        )
    problems = check_json_body(body)
    if not problems:
        return None
    detail = (
        "The request body is not valid JSON."
        if problems[0].reason == "is not valid JSON"
        else "The request body holds values the server does not take."
    )
    return error_response(422, detail, problems, code="request.invalid_input")


class EdgeMiddleware:
    """Refuses, before routing: oversized headers (431), query text and JSON values the
    server does not take (422), and a body that is not ``application/json`` (415).

    Sits inside ``BodyLimitMiddleware``, which has already bounded and buffered the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = head_refusal(scope)
        if refusal is None and scope["method"] in _BODY_METHODS:
            body, receive = await _read_body(receive)
            refusal = body_refusal(scope, body)
        if refusal is not None:
            await refusal(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body, and a ``receive`` that hands it to the application again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, replaying(body, receive)
