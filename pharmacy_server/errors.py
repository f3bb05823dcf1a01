"""What can go wrong, in the services' words: each error names a kind of failure, never
an HTTP status. ``pharmacy_server.handlers`` turns each kind into its status and the
JSON error body, in one place.

Every error carries a ``detail`` meant for a person; some carry a stable ``code`` for
errors a client must tell apart (``signing.token_expired``: the detail text may change),
the field errors behind it, or more members of the body (``extra``, such as the clinical
``findings`` or a lifecycle conflict's ``status``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pharmacy_domain.prescription import FieldError


class DomainError(Exception):
    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: Sequence[FieldError] = (),
        extra: Mapping[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.errors = list(errors)
        self.extra = dict(extra or {})
        #: Seconds the caller should wait before trying again, when that helps.
        self.retry_after = retry_after


class BadRequest(DomainError):
    """The request cannot be taken as it is (a missing header, an unusable code)."""


class NotAuthenticated(DomainError):
    """No session, or a sign-in step that failed. ``challenge``: the caller should come
    back with a bearer token (no token, or a dead one)."""

    def __init__(self, detail: str, *, code: str | None = None, challenge: bool = False) -> None:
        super().__init__(detail, code=code)
        self.challenge = challenge


class Locked(DomainError):
    """The account is locked for a while after too many failures; says how long."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(
            detail,
            code="auth.locked",
            retry_after=retry_after,
            extra={"retry_after_seconds": retry_after},
        )


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class NotFound(DomainError):
    """Missing, or not the caller's to see (the two look alike on purpose)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")


class Conflict(DomainError):
    """The thing changed under the caller (a status, a version, a key still in use)."""


class TooLarge(DomainError):
    """The content is larger than this kind of thing may be (a document over 10 MB)."""


class UnsupportedType(DomainError):
    """The content is not of a type this endpoint takes (a document that is no PDF,
    PNG or JPEG by its first bytes)."""


class Invalid(DomainError):
    """The data is not acceptable; ``errors`` say which fields and why."""

    def __init__(
        self,
        detail: str,
        errors: Sequence[FieldError] = (),
        *,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, code=code, errors=errors, extra=extra)


class TooManyAttempts(DomainError):
    """Throttled: too many requests (or failures) from one address."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, code="rate_limited", retry_after=retry_after)


class DeliveryFailed(DomainError):
    """Done, but the message that had to go with it could not be sent."""
