"""Drafts kept on the server: prepared by clinic staff for a prescriber, opened in the
composer from their ``payload`` (a ``ComposerState.to_draft`` dictionary)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from portal_client.core.i18n import translate

if TYPE_CHECKING:
    from portal_client.core.wire import DraftWire


#: Who prepared a server draft, written into its body by the client that saved it.
#: The server's draft answer does not name its author yet (see ``ServerDraft``).
#: Older clients wrote the preparer's name into the body; the server now says who wrote a
#: draft (``created_by``/``updated_by``), so these keys are ignored and dropped on save.
LEGACY_BODY_NAMES = ("prepared_by", "prepared_for")


def server_draft_body(draft: Mapping[str, Any]) -> dict[str, Any]:
    """A composer draft (``ComposerState.to_draft``) as a server draft body. Names of who
    prepared it and for whom are not written: the server knows them from the accounts."""
    return {key: value for key, value in draft.items() if key not in LEGACY_BODY_NAMES}


@dataclass(frozen=True)
class ServerDraft:
    """One draft kept on the server: prepared by clinic staff for a prescriber.

    ``payload`` is a ``ComposerState.to_draft`` dictionary (PHI: show it, never log it).
    The server draft id doubles as the local autosave id when it is opened, so the
    outbox row signed from it names it (``OutboxItem.draft_id``) and the draft can be
    removed from the server once the prescription is submitted. The names (for whom,
    by whom) are the server's, read from the accounts, never from the body.
    """

    id: str
    prescriber_id: str
    version: int
    updated_at: dt.datetime | None
    payload: dict[str, Any]
    prescriber_name: str = ""
    created_by: str = ""
    updated_by: str = ""

    @classmethod
    def from_wire(cls, item: DraftWire) -> ServerDraft:
        from portal_client.core.prescription_list import parse_timestamp

        return cls(
            id=item.id,
            prescriber_id=item.prescriber_id,
            version=item.version,
            updated_at=parse_timestamp(item.updated_at),
            payload=server_draft_body(item.body),
            prescriber_name=item.prescriber.display_name,
            created_by=item.created_by.display_name,
            updated_by=item.updated_by.display_name,
        )

    @property
    def prepared_by(self) -> str:
        return self.created_by or translate("Composer", "clinic staff")

    @property
    def prescriber(self) -> str:
        """Whom it is for, by name (the account id's start if the server gave no name)."""
        return self.prescriber_name or translate("Composer", "Prescriber {prescriber_id}").format(
            prescriber_id=self.prescriber_id[:8]
        )

    @property
    def template_id(self) -> str | None:
        value = self.payload.get("template_id")
        return None if value is None else str(value)

    @property
    def title(self) -> str:
        """The patient, as the drafts list shows it (PHI: never log it)."""
        patient = self.payload.get("patient")
        if isinstance(patient, Mapping):
            names = [str(patient.get(k) or "").strip() for k in ("family_name", "given_name")]
            if any(names):
                return ", ".join(n for n in names if n)
        return translate("Composer", "Untitled draft")
