"""Every error leaves as JSON ``{"detail", "errors"?, "code"?, ...}``; never a stack trace.

The services raise the domain errors of ``pharmacy_server.errors``; this module alone
knows which HTTP status and headers each one means.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pharmacy_domain.prescription import FieldError
from pharmacy_server.errors import (
    BadRequest,
    Conflict,
    DeliveryFailed,
    DomainError,
    Forbidden,
    Invalid,
    Locked,
    NotAuthenticated,
    NotFound,
    TooLarge,
    TooManyAttempts,
    UnsupportedType,
)
from pharmacy_server.schemas import ErrorBody

log = logging.getLogger(__name__)

#: The status of each kind of domain error (the first match along the class's MRO).
STATUS_OF: dict[type[DomainError], int] = {
    BadRequest: 400,
    NotAuthenticated: 401,
    Locked: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedType: 415,
    Invalid: 422,
    TooManyAttempts: 429,
    DeliveryFailed: 502,
}

_UNPARSEABLE_BODY = "There was an error parsing the body"
_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_REASONS = {
    "missing": "is required",
    "extra_forbidden": "is not a recognised field",
    "json_invalid": "is not valid JSON",
}


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 500


def headers_of(error: DomainError) -> dict[str, str]:
    headers: dict[str, str] = {}
    if isinstance(error, NotAuthenticated) and error.challenge:
        headers["WWW-Authenticate"] = "Bearer"
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return headers


def error_response(
    status_code: int,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
    *,
    code: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The error body through ``ErrorBody``; members that do not apply are left out."""
    members: dict[str, Any] = {"detail": detail}
    if code is not None:
        members["code"] = code
    if errors or status_code == 422:
        members["errors"] = [error.to_wire() for error in errors]
    members.update(extra or {})
    body = ErrorBody.model_validate(members).model_dump(mode="json", exclude_unset=True)
    return JSONResponse(body, status_code=status_code, headers=headers or None)


def dotted_path(location: Sequence[str | int]) -> str:
    """``("body", "patient", "allergies", 2)`` → ``patient.allergies[2]``."""
    parts = list(location)
    if parts and parts[0] in _LOCATIONS and len(parts) > 1:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def _validation_reason(error: dict[str, Any]) -> str:
    reason = _REASONS.get(str(error.get("type")))
    if reason is not None:
        return reason
    message = str(error.get("msg", "is not valid"))
    return message[:1].lower() + message[1:]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
        return error_response(
            status_of(error),
            error.detail,
            error.errors,
            headers_of(error),
            code=error.code,
            extra=error.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(dotted_path(item.get("loc", ())), _validation_reason(item))
            for item in error.errors()
        ]
        return error_response(422, "The request is not valid.", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else "Request failed"
        if error.status_code == 400 and detail == _UNPARSEABLE_BODY:
            # FastAPI's answer to a body that is not JSON at all (bad UTF-8): the same
            # 422 as any other body that is not valid JSON.
            return error_response(
                422,
                "The request body is not valid JSON.",
                [FieldError("body", "is not valid JSON")],
            )
        return error_response(error.status_code, detail, headers=dict(error.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        if database_busy(error):
            # Another writer held the database past the busy timeout (a loaded machine,
            # a backup, a long migration): nothing was written, so the client may retry.
            log.warning("database busy on %s %s", request.method, request.url.path)
            return error_response(
                503,
                "The pharmacy server is busy. Nothing was saved; try again in a moment.",
                code="server.busy",
                headers={"Retry-After": "1"},
            )
        # The exception and the route only: request bodies may carry patient data.
        log.error(
            "unhandled %s on %s %s",
            type(error).__name__,
            request.method,
            request.url.path,
            exc_info=(type(error), error, error.__traceback__),
        )
        return JSONResponse({"detail": "Internal server error"}, status_code=500)


#: SQLite's "database is locked"/"busy", PostgreSQL's lock_not_available (55P03).
_BUSY_SQLITE_WORDS = ("database is locked", "database table is locked", "database is busy")
_BUSY_POSTGRES_CODES = frozenset({"55P03"})


def database_busy(error: Exception) -> bool:
    """Whether ``error`` is a database that stayed locked past its wait, not a fault."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(error, OperationalError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _BUSY_POSTGRES_CODES:
        return True
    text = str(original).lower()
    return any(words in text for words in _BUSY_SQLITE_WORDS)
