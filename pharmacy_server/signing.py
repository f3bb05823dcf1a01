"""Checking and spending the signing token a submission carries (issue 4).

A token from ``POST /api/v1/auth/step-up`` is bound to one signer and to the SHA-256 of
the RFC 8785 canonical body without its ``signing_token``
(``pharmacy_domain.canonical.signing_sha256``); it is spent in the transaction that
stores the prescription, so it signs exactly one.

Refusals are ``Invalid`` with a ``code`` the client acts on: ``signing.required``,
``signing.token_invalid``, ``signing.token_used``, ``signing.content_mismatch``
(the body changed after signing: sign again) and ``signing.token_expired`` (older than
24 hours: the outbox hands the prescription back to its prescriber to sign again).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD, signing_sha256
from pharmacy_domain.prescription import FieldError
from pharmacy_server.errors import Invalid
from pharmacy_server.models import SigningGrant
from pharmacy_server.security import token_digest

MAX_TOKEN_LENGTH = 200


def refused(code: str, detail: str) -> Invalid:
    return Invalid(detail, [FieldError(SIGNING_TOKEN_FIELD, detail)], code=code)


def signing_token_of(body: Mapping[str, Any]) -> str:
    token = body.get(SIGNING_TOKEN_FIELD)
    if token is None:
        raise refused(
            "signing.required",
            "The prescription is not signed: sign it (POST /api/v1/auth/step-up) and send "
            "the signing_token with it.",
        )
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise refused("signing.token_invalid", "The signing token is not valid.")
    return token


def check_grant(
    session: Session, body: Mapping[str, Any], *, signer_id: uuid.UUID, now: dt.datetime
) -> SigningGrant:
    """The unspent grant behind the body's token, or the refusal that explains why not."""
    token = signing_token_of(body)
    grant = session.get(SigningGrant, token_digest(token))
    if grant is None or grant.user_id != signer_id:
        # Someone else's token looks exactly like no token at all.
        raise refused("signing.token_invalid", "The signing token is not valid.")
    if grant.used_at is not None:
        raise refused(
            "signing.token_used",
            "This signing token was already used for another prescription: sign again.",
        )
    if grant.expires_at <= now:
        raise refused(
            "signing.token_expired",
            "The signature expired before the prescription reached the pharmacy: "
            "review the prescription and sign it again.",
        )
    if grant.body_sha256 != signing_sha256(body):
        raise refused(
            "signing.content_mismatch",
            "The prescription differs from what was signed: review it and sign it again.",
        )
    return grant


def spend_grant(
    session: Session, grant: SigningGrant, *, prescription_id: uuid.UUID, now: dt.datetime
) -> None:
    """Mark the grant used by this prescription, unless a concurrent request beat us."""
    spent = session.execute(
        update(SigningGrant)
        .where(
            SigningGrant.token_sha256 == grant.token_sha256,
            SigningGrant.used_at.is_(None),
            SigningGrant.expires_at > now,
        )
        .values(used_at=now, prescription_id=prescription_id)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise refused(
            "signing.token_used",
            "This signing token was already used for another prescription: sign again.",
        )


def load_grant(session: Session, token_sha256: str) -> SigningGrant | None:
    return session.scalar(select(SigningGrant).where(SigningGrant.token_sha256 == token_sha256))
