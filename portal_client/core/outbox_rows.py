"""How the prescriber's local rows read in the lists: signed prescriptions waiting in the
outbox, and drafts prepared by clinic staff (pure, so they are tested without Qt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.prescription_list import format_timestamp
from portal_client.core.status_colours import UNKNOWN_STATUS_COLOURS


def _tr(text: str) -> str:
    """A string marked here with ``QT_TRANSLATE_NOOP("Presentation", …)``, translated."""
    return translate("Presentation", text) if text else text


#: How an outbox row's state reads in the list: (label, colours).
OUTBOX_STATE_TEXT = {
    "queued": (QT_TRANSLATE_NOOP("Presentation", "Queued"), ("#FFF4D6", "#8A5A00")),
    "sending": (QT_TRANSLATE_NOOP("Presentation", "Sending…"), ("#E3EEF9", "#1F4E79")),
    "unknown": (QT_TRANSLATE_NOOP("Presentation", "Checking"), ("#E3EEF9", "#1F4E79")),
    "submitted": (QT_TRANSLATE_NOOP("Presentation", "Submitted"), ("#DDF3E4", "#1E6B3A")),
    "rejected": (QT_TRANSLATE_NOOP("Presentation", "Rejected"), ("#FDE2E1", "#A3261D")),
    "mismatch": (QT_TRANSLATE_NOOP("Presentation", "Needs attention"), ("#FDE2E1", "#A3261D")),
    "needs_signature": (QT_TRANSLATE_NOOP("Presentation", "Sign again"), ("#FDE2E1", "#A3261D")),
}

_SIGN_AGAIN_FIELDS = ("signing_token",)


def needs_signature_again(state: str, field_errors: Sequence[tuple[str, str]]) -> bool:
    """The pharmacy refused the signature itself (expired or spent token): sign again."""
    if state == "needs_signature":
        return True
    return state == "rejected" and any(f in _SIGN_AGAIN_FIELDS for f, _r in field_errors)


def outbox_state_label(state: str, field_errors: Sequence[tuple[str, str]] = ()) -> str:
    if needs_signature_again(state, field_errors):
        state = "needs_signature"
    return _tr(OUTBOX_STATE_TEXT.get(state, (state.capitalize(), UNKNOWN_STATUS_COLOURS))[0])


def outbox_state_colours(
    state: str, field_errors: Sequence[tuple[str, str]] = ()
) -> tuple[str, str]:
    if needs_signature_again(state, field_errors):
        state = "needs_signature"
    return OUTBOX_STATE_TEXT.get(state, ("", UNKNOWN_STATUS_COLOURS))[1]


def outbox_detail(
    state: str,
    status_text: str,
    detail: str | None,
    field_errors: Sequence[tuple[str, str]] = (),
) -> str:
    """One sentence under the status: why it waits, the reference, or the refusal."""
    if needs_signature_again(state, field_errors):
        reason = next((r for f, r in field_errors if f in _SIGN_AGAIN_FIELDS), detail or "")
        return (
            translate(
                "Presentation", "{reason} Reopen it, check it and sign again; nothing is lost."
            )
            .format(reason=reason)
            .strip()
        )
    if state == "rejected" and detail:
        return translate("Presentation", "{detail} Reopen it as a draft to correct it.").format(
            detail=detail
        )
    if state == "mismatch" and detail:
        return detail
    return status_text


def prepared_by_line(preparer: str, updated_at: dt.datetime | None) -> str:
    """ "Prepared by Jordan Lee, RN · 10:42" for a draft clinic staff saved."""
    when = format_timestamp(updated_at).removeprefix(translate("Presentation", "Today "))
    return translate("Presentation", "Prepared by {preparer} · {when}").format(
        preparer=preparer, when=when
    )


def clinic_draft_status(prescriber_name: str) -> str:
    """What a clinic-staff member reads about a saved draft. Once the prescriber has
    signed and submitted it, it leaves the server's draft list altogether."""
    return translate("Presentation", "Waiting for {prescriber_name} to review and sign").format(
        prescriber_name=prescriber_name
    )
