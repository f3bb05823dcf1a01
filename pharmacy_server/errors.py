"""The one error type the services raise; the API turns it into the JSON error body."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pharmacy_domain.prescription import FieldError


class ApiError(Exception):
    """An expected failure with an HTTP status and a message meant for a person."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        # A stable machine-readable reason, for errors a client must tell apart
        # (e.g. ``signing.token_expired``); the detail text may change.
        self.code = code
        # More members of the error body, such as the clinical ``findings``.
        self.extra = dict(extra or {})


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def forbidden(why: str) -> ApiError:
    return ApiError(403, why)


def invalid(detail: str, errors: Sequence[FieldError]) -> ApiError:
    return ApiError(422, detail, errors=errors)
