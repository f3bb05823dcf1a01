"""How the outbox reaches the server, and the content hash it compares with the server's.

``Transport`` is the outbox's whole view of the network (a fake in tests);
``ApiClientTransport`` is the real one over ``ApiClient``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from pharmacy_domain.canonical import CanonicalForm
from portal_client.core.wire import PrescriptionWire

if TYPE_CHECKING:
    from pharmacy_domain.templates import TemplateCatalog


class ContentHash(Protocol):
    """SHA-256 of a signed body's canonical JSON, in RFC 8785 form unless told otherwise."""

    def __call__(self, body: Mapping[str, Any], form: CanonicalForm = ...) -> str: ...


def default_content_hash(
    body: Mapping[str, Any], form: CanonicalForm = CanonicalForm.RFC8785
) -> str:
    """SHA-256 of the canonical JSON of ``body`` as signed.

    The server echoes the hash of the prescription *as it parsed it* (defaults
    filled in, text trimmed, numbers as floats). That equals this one when the
    signed body is already in that form, i.e. the GUI signs
    ``parse_prescription(body, catalog).to_wire()``: what you see is what you sign.
    Otherwise pass ``content_hash=content_hash_for(catalog)`` to the Outbox.
    """
    from pharmacy_domain.canonical import canonical_sha256

    return canonical_sha256(_content(body), form)


def _content(body: Mapping[str, Any]) -> dict[str, Any]:
    """The prescription without the patient record's id: the server stores the link
    beside the content and hashes the content alone."""
    from pharmacy_domain.patient_records import PATIENT_LINK_FIELD

    return {key: value for key, value in body.items() if key != PATIENT_LINK_FIELD}


def content_hash_for(
    catalog: TemplateCatalog, *, today: Callable[[], dt.date] = dt.date.today
) -> ContentHash:
    """A content hash that normalises the body with the shared domain first, as the
    server does. A body the domain refuses is hashed as is (the server will refuse it
    too, so no hash will come back to compare)."""
    from pharmacy_domain.canonical import canonical_sha256
    from pharmacy_domain.prescription import InvalidPrescription, parse_prescription

    def content_hash(body: Mapping[str, Any], form: CanonicalForm = CanonicalForm.RFC8785) -> str:
        content = _content(body)
        try:
            normalised = parse_prescription(content, catalog, today=today()).to_wire()
        except InvalidPrescription:
            return canonical_sha256(content, form)
        return canonical_sha256(normalised, form)

    return content_hash


class Transport(Protocol):
    """What the outbox needs from the network (``ApiClientTransport`` adapts ApiClient).

    ``submit`` returns the receipt of the server's 201 (``id``, ``reference``,
    ``status``, ``content_sha256``; see ``receipt``); ``find`` returns the receipt of
    the caller's record made with that key or None. Both raise ``core.errors``:
    ServerUnreachable, OutcomeUnknown, NotSignedIn, ApiError.
    """

    def submit(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]: ...

    def find(self, idempotency_key: str) -> dict[str, Any] | None: ...


class _PrescriptionApi(Protocol):
    def submit_prescription(
        self, body: dict[str, Any], idempotency_key: str
    ) -> PrescriptionWire: ...

    def find_by_idempotency_key(self, key: str) -> PrescriptionWire | None: ...


def receipt(prescription: PrescriptionWire) -> dict[str, Any]:
    """What the outbox keeps of the server's copy: who it is now and the hash it echoed."""
    return {
        "id": prescription.id,
        "reference": prescription.reference,
        "status": prescription.status.value,
        "content_sha256": prescription.content_sha256,
    }


class ApiClientTransport:
    """Adapts ``portal_client.core.api_client.ApiClient`` to ``Transport``."""

    def __init__(self, client: _PrescriptionApi) -> None:
        self._client = client

    def submit(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return receipt(self._client.submit_prescription(body, idempotency_key))

    def find(self, idempotency_key: str) -> dict[str, Any] | None:
        found = self._client.find_by_idempotency_key(idempotency_key)
        return None if found is None else receipt(found)
