"""What can go wrong talking to the pharmacy, in words the GUI can show.

The distinction that matters for never losing or duplicating a prescription:
``OutcomeUnknown`` (the request may or may not have reached the server: a
timeout or a reset after sending) is not the same as ``ServerUnreachable``
(nothing was sent: connection refused, DNS failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portal_client.core.i18n import translate

if TYPE_CHECKING:
    from portal_client.core.wire import ErrorWire, FieldErrorWire


class PortalError(Exception):
    """Base of every error the client core raises; ``str()`` is a user-facing message."""


class ServerUnreachable(PortalError):
    """The request never reached the server; sending it again is safe."""


class TlsFailure(ServerUnreachable):
    """The TLS handshake failed (an untrusted or wrong certificate): nothing was sent."""


class OutcomeUnknown(PortalError):
    """The request may have reached the server (timeout, reset mid-response)."""


class NotSignedIn(PortalError):
    """The session is missing, expired or revoked: the user must sign in again.

    ``answer`` and ``retry_after`` keep the server's 401 answer, whose ``code`` may say more
    (a refused sign-in code: ``auth.wrong_code``, ``auth.locked`` and so on).
    """

    def __init__(
        self,
        message: str = "",
        *,
        answer: ErrorWire | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.answer = answer
        self.retry_after = retry_after

    @property
    def code(self) -> str | None:
        return None if self.answer is None else self.answer.code


class InvalidCredentials(PortalError):
    """The server refused the user name and password at sign-in (not an expired session)."""


@dataclass
class ApiError(PortalError):
    """The server answered with an error status; ``answer`` is its error body (``None``
    when it sent none the contract describes, say a proxy's page)."""

    status: int
    message: str
    field_errors: list[FieldErrorWire] = field(default_factory=list)
    answer: ErrorWire | None = None
    retry_after: float | None = None
    #: The request's ``X-Request-ID`` (as the server returned it): the server's log
    #: lines for this request carry it.
    request_id: str | None = None

    @property
    def code(self) -> str | None:
        """The stable reason (``clinical.blocked``, ``signing.expired``, ...), if given."""
        return None if self.answer is None else self.answer.code

    @property
    def support_reference(self) -> str:
        """ "Reference for support: <id>", or "" without an id."""
        return (
            translate("Errors", "Reference for support: {request_id}").format(
                request_id=self.request_id
            )
            if self.request_id
            else ""
        )

    def with_reference(self, text: str) -> str:
        """``text`` followed by the support reference, when there is one."""
        return f"{text} {self.support_reference}" if self.request_id else text

    def __str__(self) -> str:
        text = self.message
        if self.field_errors:
            details = "; ".join(f"{e.field}: {e.reason}" for e in self.field_errors)
            text = f"{self.message} ({details})"
        return self.with_reference(text)


class UnreadableAnswer(PortalError):
    """The server's answer does not have the shape this version of the client reads.

    ``field`` is the dotted path of the first field that did not fit (``items.0.status``).
    """

    def __init__(self, field: str) -> None:
        super().__init__(
            translate(
                "Errors", "The pharmacy sent an answer this version cannot read: {field}"
            ).format(field=field)
        )
        self.field = field
