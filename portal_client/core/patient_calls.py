"""``ApiClient``'s calls for the clinic's patient records (``/api/v1/patients``), kept in
their own module; each answer is parsed into ``core.patient_wire`` types here, at the
boundary.

A search's ``q`` (a name or a birth date) is the one piece of patient data that travels
in a URL; the server keeps it out of its logs, and nothing here logs it either.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Protocol

from portal_client.core.calls import ApiCalls
from portal_client.core.errors import ApiError, PortalError
from portal_client.core.i18n import translate
from portal_client.core.patient_wire import (
    PatientChanges,
    PatientDocumentInfo,
    PatientFields,
    PatientPage,
    PatientRecord,
)

#: The server's reason for a stale ``version`` on an edit.
VERSION_CONFLICT = "patient.version_conflict"


class StalePatientEdit(PortalError):
    """The record changed on the server since it was read (409): nothing was saved.

    ``current`` is the record as it is now (``None`` if it could not be fetched), so the
    edit can be shown against it and made again; ``current_version`` is the server's."""

    def __init__(
        self, message: str, current: PatientRecord | None, current_version: int | None
    ) -> None:
        super().__init__(message)
        self.current = current
        self.current_version = current_version


class _Calls(ApiCalls, Protocol):
    def request_bytes(self, path: str) -> bytes: ...

    def get_patient(self, patient_id: str) -> PatientRecord: ...


def _body(fields: PatientFields | Mapping[str, Any]) -> dict[str, Any]:
    return fields.to_wire() if isinstance(fields, PatientFields) else dict(fields)


class PatientCalls:
    """Mixed into ``ApiClient``."""

    def search_patients(
        self: _Calls, query: str, cursor: str | None = None, limit: int = 50
    ) -> PatientPage:
        """The clinic's patients whose given or family name starts with ``query`` (case
        ignored), or born on it (``YYYY-MM-DD``); an empty query lists them all, newest
        first. ``next_cursor`` asks for the next page."""
        params = {"q": query.strip() or None, "cursor": cursor, "limit": limit}
        return self.read(PatientPage, "GET", "/patients", params=params)

    def get_patient(self: _Calls, patient_id: str) -> PatientRecord:
        """One record; ``ApiError`` 404 when it is missing or not the caller's clinic's."""
        return self.read(PatientRecord, "GET", f"/patients/{patient_id}")

    def create_patient(self: _Calls, fields: PatientFields | Mapping[str, Any]) -> PatientRecord:
        """A new record in the caller's clinic; ``ApiError`` 422 naming each bad field."""
        return self.read(PatientRecord, "POST", "/patients", json_body=_body(fields))

    def update_patient(
        self: _Calls,
        patient_id: str,
        version: int,
        changes: PatientChanges | Mapping[str, Any],
    ) -> PatientRecord:
        """Change the fields ``changes`` sets on the record read at ``version``.

        ``StalePatientEdit`` when someone else changed it first (nothing saved);
        ``ApiError`` 422 naming each bad field, 404 when it is gone."""
        body = changes.to_wire() if isinstance(changes, PatientChanges) else dict(changes)
        body["version"] = version
        try:
            return self.read(PatientRecord, "PATCH", f"/patients/{patient_id}", json_body=body)
        except ApiError as error:
            if error.status != 409:
                raise
            answer = error.answer
            current_version = None if answer is None else answer.current_version
            try:
                current: PatientRecord | None = self.get_patient(patient_id)
            except PortalError:
                current = None
            raise StalePatientEdit(
                translate(
                    "PatientCalls",
                    "This patient's record was changed by someone else since you opened it. "
                    "Nothing was saved: review the record as it is now and make your change "
                    "again.",
                ),
                current,
                current_version if current is None else current.version,
            ) from error

    def upload_patient_document(
        self: _Calls, patient_id: str, filename: str, content: bytes
    ) -> PatientDocumentInfo:
        """Attach a PDF, PNG or JPEG of at most 10 MB (the server reads its type from the
        content): ``ApiError`` 413 (too large), 415 (another type) or 422 (empty, or a
        bad file name)."""
        body = {"filename": filename, "content_base64": base64.b64encode(content).decode()}
        return self.read(
            PatientDocumentInfo, "POST", f"/patients/{patient_id}/documents", json_body=body
        )

    def fetch_patient_document(self: _Calls, patient_id: str, doc_id: str) -> bytes:
        """The bytes of an attached document; ``ApiError`` 404 when it is not there."""
        return self.request_bytes(f"/patients/{patient_id}/documents/{doc_id}")
