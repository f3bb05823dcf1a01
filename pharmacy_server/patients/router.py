"""The clinic's patient records. Prescribers and clinic staff search, create, read and
edit their clinic's records and attach documents; pharmacists read a record a
prescription names; another clinic's record is not found, like a missing id."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from pharmacy_domain.patient_records import MAX_DOCUMENT_BYTES
from pharmacy_server.deps import (
    CURSOR,
    LIMIT,
    ClientAddress,
    Context,
    PatientEditor,
    PatientReader,
    parse_id,
)
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE
from pharmacy_server.patients.schemas import (
    DocumentIn,
    PatientDocumentOut,
    PatientIn,
    PatientList,
    PatientOut,
    PatientUpdate,
)
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1", tags=["patients"])

#: The upload's path, for the body limit: a document may be far larger than other bodies.
DOCUMENT_UPLOAD_PATH = re.compile(r"/api/v1/patients/[^/]+/documents")
#: Room for a document one sixth over the limit (base64 is a third larger), so the
#: route itself says how large it was.
DOCUMENT_BODY_BYTES = (MAX_DOCUMENT_BYTES * 14) // 9 + 64 * 1024

SearchText = Annotated[
    str | None,
    Query(
        max_length=200,
        description="The start of a given or family name (each word; case ignored), or a "
        "birth date YYYY-MM-DD. Never logged.",
    ),
]


@router.get("/patients", response_model=PatientList, responses=error_responses(401, 403, 422))
def search_patients(
    context: Context,
    user: PatientEditor,
    *,
    address: ClientAddress,
    q: SearchText = None,
    limit: LIMIT = DEFAULT_PAGE_SIZE,
    cursor: CURSOR = None,
) -> PatientList:
    return context.patients.search(user, query=q, limit=limit, cursor=cursor, address=address)


@router.post(
    "/patients",
    status_code=201,
    response_model=PatientOut,
    responses=error_responses(401, 403, 413, 422),
)
def create_patient(
    context: Context, user: PatientEditor, patient: PatientIn, address: ClientAddress
) -> PatientOut:
    return context.patients.create(user, patient, address=address)


@router.get(
    "/patients/{patient_id}",
    response_model=PatientOut,
    responses=error_responses(401, 403, 404, 422),
)
def get_patient(
    context: Context, user: PatientReader, patient_id: str, address: ClientAddress
) -> PatientOut:
    return context.patients.get(user, parse_id(patient_id, "Patient"), address=address)


@router.patch(
    "/patients/{patient_id}",
    response_model=PatientOut,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
def update_patient(
    context: Context,
    user: PatientEditor,
    patient_id: str,
    change: PatientUpdate,
    address: ClientAddress,
) -> PatientOut:
    return context.patients.update(user, parse_id(patient_id, "Patient"), change, address=address)


@router.post(
    "/patients/{patient_id}/documents",
    status_code=201,
    response_model=PatientDocumentOut,
    responses=error_responses(401, 403, 404, 413, 415, 422),
)
def add_patient_document(
    context: Context,
    user: PatientEditor,
    patient_id: str,
    document: DocumentIn,
    address: ClientAddress,
) -> PatientDocumentOut:
    return context.patients.add_document(
        user, parse_id(patient_id, "Patient"), document, address=address
    )


@router.get(
    "/patients/{patient_id}/documents/{document_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The document's bytes, as attached.",
            "content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}},
        },
        **error_responses(401, 403, 404, 422),
    },
)
def get_patient_document(
    context: Context,
    user: PatientReader,
    patient_id: str,
    document_id: str,
    address: ClientAddress,
) -> Response:
    found = context.patients.document(
        user,
        parse_id(patient_id, "Patient"),
        parse_id(document_id, "Document"),
        address=address,
    )
    return Response(
        found.content,
        media_type=found.content_type,
        headers={
            # Saved, never shown inline by a browser; the name as attached (RFC 6266).
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
